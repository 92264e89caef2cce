"""Mininet 2.3 driven through its Python API for the nslab benchmark: build + start, then stop,
with Linux-bridge switches (Mininet's LinuxBridge, i.e. `--switch lxbr`) and no controller; or
(switch `ovs-remote:PORT`) Open vSwitch switches speaking OpenFlow13 to a remote controller on
127.0.0.1:PORT, what `mn --topo T --switch ovs,protocols=OpenFlow13 --controller remote,port=PORT`
builds (the userspace datapath when the host has no openvswitch kernel module, as nslab picks).

Names: every switch gets the bench's unique prefix (so its root-namespace interfaces, e.g.
`m1a2s1-eth3`, cannot clash with anyone's at that moment; Mininet deletes interfaces and bridges
by name before creating them). Hosts live in unnamed namespaces of their own processes.

Never `mn -c`, never the `mn` command: this script only calls build(), start(), pingAll() and
stop(). Mininet.init() would raise host-wide sysctls (fixLimits: neighbour table thresholds,
buffer sizes...); the bench must not change the host, so only the process's own rlimits are
raised here. Prints one JSON line with timings and the PIDs of the host shells (the bench checks
they are gone after stop())."""
import json
import resource
import signal
import subprocess
import sys
import time

import mininet.net
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
import os

from mininet.node import OVSSwitch, RemoteController
from mininet.topo import LinearTopo, SingleSwitchTopo
from mininet.topolib import TreeTopo


def own_limits():
    """fixLimits() without the sysctls: raise only this process's rlimits."""
    for res, want in ((resource.RLIMIT_NPROC, 8192), (resource.RLIMIT_NOFILE, 16384)):
        soft, hard = resource.getrlimit(res)
        if soft != resource.RLIM_INFINITY and soft < want:
            new_hard = hard if hard == resource.RLIM_INFINITY or hard >= want else want
            resource.setrlimit(res, (want, new_hard))


mininet.net.fixLimits = own_limits


def prefixed(base, prefix):
    class Prefixed(base):
        def addSwitch(self, name, **opts):
            return base.addSwitch(self, prefix + name, **opts)

    return Prefixed


def make_topo(spec, prefix):
    parts = spec.split(",")
    kind, args = parts[0], [int(x) for x in parts[1:]]
    cls = {"single": SingleSwitchTopo, "linear": LinearTopo, "tree": TreeTopo}[kind]
    return prefixed(cls, prefix)(*args)


def teardown(net, prefix):
    """net.stop(); and when it fails or was never reached (an interrupt in the middle of build()
    leaves links half made, and stop() raises on them), what it would have removed, found by this
    run's own names and PIDs: host shells killed by PID, OVS bridges and root links whose names
    carry the run's unique prefix deleted by name."""
    try:
        if net is not None:
            net.stop()
            return
    except Exception as e:  # noqa: BLE001 - the fallback below is the answer to any failure
        print(f"mininet stop() failed ({e!r}); removing this run's objects by name", file=sys.stderr)
    for h in net.hosts if net is not None else []:
        shell = getattr(h, "shell", None)
        if shell is not None and shell.poll() is None:
            shell.kill()
            shell.wait()
    for sw in net.switches if net is not None else []:
        if isinstance(sw, OVSSwitch) and sw.name.startswith(prefix):
            subprocess.run(["ovs-vsctl", "--if-exists", "del-br", sw.name], check=False)
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    for line in links.splitlines():
        name = line.split(": ", 2)[1].split("@")[0] if ": " in line else ""
        if name.startswith(prefix):
            subprocess.run(["ip", "link", "del", name], check=False, stderr=subprocess.DEVNULL)


def main():
    spec, prefix, switch = sys.argv[1], sys.argv[2], sys.argv[3]
    do_ping = len(sys.argv) > 4 and sys.argv[4] == "pingall"
    setLogLevel("error")
    controller = None
    if switch.startswith("ovs-remote:"):
        port = int(switch.split(":", 1)[1])
        datapath = "kernel" if os.path.isdir("/sys/module/openvswitch") else "user"
        switch_cls = lambda name, **kw: OVSSwitch(name, datapath=datapath, protocols="OpenFlow13", **kw)
        controller = lambda name: RemoteController(name, ip="127.0.0.1", port=port)
    elif switch == "ovs":
        # Userspace datapath, standalone (no controller): a learning switch, like nslab's OVS bridges.
        switch_cls = lambda name, **kw: OVSSwitch(name, datapath="user", failMode="standalone", **kw)
    else:
        switch_cls = LinuxBridge
    net = None
    out = {"spec": spec, "switch": switch}

    def stop(*_):
        teardown(net, prefix)
        sys.exit(130)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    t0 = time.time()
    net = Mininet(topo=make_topo(spec, prefix), switch=switch_cls, controller=controller, build=False,
                  autoSetMacs=False)
    try:
        net.build()
        net.start()
        out["upMs"] = (time.time() - t0) * 1000
        out["hostPids"] = [h.pid for h in net.hosts]
        out["rootIntfs"] = [i.name for s in net.switches for i in s.intfList() if i.name != "lo"]
        out["switches"] = [s.name for s in net.switches]
        if do_ping:
            t1 = time.time()
            loss = net.pingAll(timeout="1")
            out["pingallMs"] = (time.time() - t1) * 1000
            out["pingallLossPct"] = loss
    finally:
        t2 = time.time()
        teardown(net, prefix)
        out["downMs"] = (time.time() - t2) * 1000
    print(json.dumps(out))


if __name__ == "__main__":
    main()
