"""Mininet 2.3 driven through its Python API for the nslab benchmark: build + start, then stop,
with Linux-bridge switches (Mininet's LinuxBridge, i.e. `--switch lxbr`) and no controller.

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
import sys
import time

import mininet.net
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.node import OVSSwitch
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


def main():
    spec, prefix, switch = sys.argv[1], sys.argv[2], sys.argv[3]
    do_ping = len(sys.argv) > 4 and sys.argv[4] == "pingall"
    setLogLevel("error")
    if switch == "ovs":
        # Userspace datapath, standalone (no controller): a learning switch, like nslab's OVS bridges.
        switch_cls = lambda name, **kw: OVSSwitch(name, datapath="user", failMode="standalone", **kw)
    else:
        switch_cls = LinuxBridge
    net = None
    out = {"spec": spec, "switch": switch}

    def stop(*_):
        if net is not None:
            net.stop()
        sys.exit(130)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    t0 = time.time()
    net = Mininet(topo=make_topo(spec, prefix), switch=switch_cls, controller=None, build=False,
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
        net.stop()
        out["downMs"] = (time.time() - t2) * 1000
    print(json.dumps(out))


if __name__ == "__main__":
    main()
