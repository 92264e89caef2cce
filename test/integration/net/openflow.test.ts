/**
 * OpenFlow on Open vSwitch bridges against the real kernel and real controllers: declared flows are
 * obeyed (ICMP dropped between two hosts, the rest switched) and shown with counters by `nslab
 * flows`, changed in place; a bad flow is refused at plan time with its location and OVS's message;
 * a secure bridge without a controller forwards nothing; generated labs (Mininet's --controller and
 * --switch) driven by ovs-testcontroller and by os-ken's OpenFlow 1.3 learning switch ping every
 * pair, `status` shows the controllers connected, and without the controller and its flows traffic
 * stops; `--controller default` runs ovs-testcontroller for the lab and stops it at `down`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab, ownSnapshot, scopedSnapshot } from "../../support/kernel.js";
import { netLab, run } from "../../support/net.js";

const hasTools = ["/usr/bin/ovs-testcontroller", "/usr/bin/osken-manager"].every((p) => existsSync(p));

/** A controller the test starts, listening on 127.0.0.1:port; stopped by its pid after the file. */
function startController(argv: string[]): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  started.push(child);
  return child;
}
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started)
    if (c.exitCode === null && c.signalCode === null && c.pid)
      try {
        process.kill(c.pid, "SIGTERM");
      } catch {
        // already gone
      }
});

/** A port for a controller of this run (unique enough among the tests on this host). */
function freePort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

/** Until `status --json` shows every OpenFlow bridge of `lab` connected to its controller. */
async function untilConnected(lab: string, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = nslab(["status", lab, "--json"]);
    const nodes = JSON.parse(r.stdout).nodes as { openflow?: { controllers: { connected: boolean }[] } }[];
    const of = nodes.flatMap((n) => (n.openflow ? [n.openflow] : []));
    if (of.length > 0 && of.every((o) => o.controllers.length > 0 && o.controllers.every((c) => c.connected)))
      return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

describe.skipIf(!canTouchKernel && !mustRun)("declared flows (examples/openflow.yaml)", () => {
  const { prefix, lab, files } = netLab("flows");

  it("obeys them: ICMP between h1 and h2 dropped, TCP between them and everything else passes", () => {
    const r = nslab([
      "test",
      "examples/openflow.yaml",
      "--prefix",
      prefix,
      "--name",
      lab,
      "--keep",
      "--json",
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const outcome = (name: string) => report.results.find((x: { name: string }) => x.name === name);
    expect(outcome("h1 -> h2: unreachable")).toMatchObject({ ok: true, reachable: false });
    expect(outcome("h1 -> h3: reachable")).toMatchObject({ ok: true, reachable: true });
    expect(outcome("h1 -> h2 tcp/8080: reachable")).toMatchObject({ ok: true, reachable: true });
    // Ports numbered by their links, as Mininet numbers s1-eth1 port 1.
    for (const k of [1, 2, 3])
      expect(run("ovs-vsctl", ["get", "interface", `${prefix}s1-eth${k}`, "ofport"]).trim()).toBe(String(k));
    expect(run("ovs-vsctl", ["get", "bridge", `${prefix}s1`, "fail_mode"]).trim()).toBe("secure");
  });

  it("shows them with their counters (nslab flows)", () => {
    const r = nslab(["flows", lab, "s1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const [s1] = JSON.parse(r.stdout);
    expect(s1).toMatchObject({ bridge: "s1", ovsName: `${prefix}s1`, failMode: "secure", declared: 3 });
    expect(s1.protocols).toEqual(["OpenFlow13"]);
    const drop = s1.flows.find(
      (f: { match: string; actions: string }) =>
        f.match === "icmp,nw_src=10.66.0.1,nw_dst=10.66.0.2" && f.actions === "drop",
    );
    expect(drop?.packets).toBeGreaterThan(0);
    const text = nslab(["flows", lab]);
    expect(text.stdout).toMatch(/s1 \(\S+s1\): dpid 0000000000000001, secure, OpenFlow13, no controller/);
    expect(text.stdout).toMatch(/3 flows \(3 declared in the topology\)/);
    expect(nslab(["flows", lab, "nope"]).stderr).toMatch(/has no Open vSwitch bridge named 'nope'/);
  });

  it("changes the flows in place when the file changes (same bridge), and the drop is gone", () => {
    const before = run("ovs-vsctl", ["get", "bridge", `${prefix}s1`, "_uuid"]).trim();
    const open = files.file(
      "open.yaml",
      readFileSync("examples/openflow.yaml", "utf8")
        .split("\n")
        .filter((l) => !l.includes("actions=drop"))
        .join("\n")
        .replace(/h1 -> h2: unreachable.*/, "h1 -> h2: reachable")
        .replace("h2 -> h1: unreachable", "h2 -> h1: reachable"),
    );
    const up = nslab(["up", open, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/changed in place/);
    expect(run("ovs-vsctl", ["get", "bridge", `${prefix}s1`, "_uuid"]).trim()).toBe(before);
    const r = nslab(["test", open, "--prefix", prefix, "--name", lab]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/PASS {2}h1 -> h2: reachable/);
    expect(run("ovs-ofctl", ["-O", "OpenFlow13", "dump-flows", `${prefix}s1`])).not.toMatch(/drop/);
    expect(nslab(["down", lab]).code).toBe(0);
  });

  it("refuses a bad flow at plan time with its file:line and OVS's message, creating nothing", () => {
    const bad = files.file(
      "bad.yaml",
      readFileSync("examples/openflow.yaml", "utf8").replace(
        "nw_dst=10.66.0.1,actions=drop",
        "nw_dst=10.66.0.1,actions=dorp",
      ),
    );
    const snap = scopedSnapshot(prefix, lab);
    const r = nslab(["up", bad, "--prefix", prefix, "--name", lab]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad\.yaml:21:9 \(nodes\.s1\.flows\[1\]\): bad flow for bridge 's1': unknown action dorp — OVS's parser \(OpenFlow13\) refused/,
    );
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(scopedSnapshot(prefix, lab)).toEqual(snap);
    expect(nslab(["validate", bad]).code).toBe(2);
  });
});

describe.skipIf(!canTouchKernel && !mustRun)("a secure bridge without a controller", () => {
  const { prefix, lab } = netLab("secure");

  it("forwards nothing (no flows), where the same lab standalone pings", () => {
    const up = nslab([
      "up",
      "--topo",
      "single,2",
      "--switch",
      "ovs,failMode=secure",
      "--prefix",
      prefix,
      "--name",
      lab,
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(nslab(["ping", lab, "--timeout", "1"]).code).toBe(1);
    const changed = nslab([
      "up",
      "--topo",
      "single,2",
      "--switch",
      "ovs,failMode=standalone",
      "--prefix",
      prefix,
      "--name",
      lab,
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stderr).toMatch(/changed in place/);
    expect(nslab(["ping", lab, "--timeout", "2"]).code).toBe(0);
  });

  it("down leaves nothing of the lab in the kernel or OVSDB when it returns (the bridge's tap too), and the same lab up again at once forwards", () => {
    const standalone = ["up", "--topo", "single,2", "--switch", "ovs,failMode=standalone"];
    // (by its sysfs entry: `ip link show` of a host holding a 10,000-host lab outgrows spawnSync's buffer)
    const bridgeTap = () => existsSync(`/sys/class/net/${prefix}s1`);
    expect(nslab([...standalone, "--prefix", prefix, "--name", lab]).code).toBe(0); // (up already)
    expect(bridgeTap()).toBe(true);
    expect(nslab(["down", lab]).code).toBe(0);
    // Not waited for: ovs-vswitchd releasing its sockets of the ports; gone already: every device.
    expect(bridgeTap()).toBe(false);
    expect(ownSnapshot(prefix)).toMatchObject({ netns: [], rootLinks: [], ovsBridges: [] });
    const again = nslab([...standalone, "--prefix", prefix, "--name", lab]);
    expect(again.code, again.stderr).toBe(0);
    expect(nslab(["ping", lab, "--timeout", "2"]).code).toBe(0);
    expect(nslab(["down", lab]).code).toBe(0);
  });
});

describe.skipIf((!canTouchKernel || !hasTools) && !mustRun)("controllers (generated labs)", () => {
  const { prefix, lab } = netLab("ctl", ["-osken", "-default"]);

  it("ovs-testcontroller: every pair pings, status shows it connected; without it and its flows, nothing passes", async () => {
    const port = freePort();
    const controller = startController(["ovs-testcontroller", `ptcp:${port}:127.0.0.1`]);
    const up = nslab([
      "up",
      "--topo",
      "linear,3",
      "--controller",
      `remote,port=${port}`,
      // ovs-testcontroller 3.1's OpenFlow 1.5 packet-outs are refused at random (docs/sdn.md): 1.3.
      "--switch",
      "ovs,protocols=OpenFlow13",
      "--prefix",
      prefix,
      "--name",
      lab,
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(await untilConnected(lab)).toBe(true);
    const status = nslab(["status", lab]);
    expect(status.stdout).toMatch(
      new RegExp(`s1: dpid 0000000000000001, secure, OpenFlow13, tcp:127.0.0.1:${port} connected`),
    );
    const ping = nslab(["ping", lab, "--timeout", "3"]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    // The controller's flows are what switch the traffic.
    const flows = JSON.parse(nslab(["flows", lab, "s2", "--json"]).stdout);
    expect(flows[0].flows.length).toBeGreaterThan(1);
    process.kill(controller.pid!, "SIGTERM");
    for (const s of ["s1", "s2", "s3"]) run("ovs-ofctl", ["-O", "OpenFlow13", "del-flows", `${prefix}${s}`]);
    expect(nslab(["ping", lab, "--timeout", "1"]).code).toBe(1);
    expect(nslab(["status", lab]).stdout).toMatch(/not connected/);
    expect(nslab(["down", lab]).code).toBe(0);
  });

  it("os-ken's OpenFlow 1.3 learning switch (examples/sdn/simple_switch_13.py): every pair pings", async () => {
    const port = freePort();
    const osken = startController([
      "osken-manager",
      "--ofp-tcp-listen-port",
      String(port),
      "--ofp-listen-host",
      "127.0.0.1",
      "examples/sdn/simple_switch_13.py",
    ]);
    const name = `${lab}-osken`;
    const up = nslab([
      "up",
      "--topo",
      "tree,2,2",
      "--controller",
      `remote,port=${port}`,
      "--switch",
      "ovsk,protocols=OpenFlow13",
      "--prefix",
      prefix,
      "--name",
      name,
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(await untilConnected(name, 40_000)).toBe(true);
    const ping = nslab(["ping", name, "--timeout", "3"]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const [s1] = JSON.parse(nslab(["flows", name, "s1", "--json"]).stdout);
    expect(s1.protocols).toEqual(["OpenFlow13"]);
    // The app's table-miss flow and the flows it learned.
    expect(s1.flows.some((f: { actions: string }) => /CONTROLLER/.test(f.actions))).toBe(true);
    expect(s1.flows.some((f: { match: string }) => /dl_dst=/.test(f.match))).toBe(true);
    expect(nslab(["down", name]).code).toBe(0);
    process.kill(osken.pid!, "SIGTERM");
  });

  it("--controller default runs ovs-testcontroller for the lab and stops it at down", async () => {
    const name = `${lab}-default`;
    const up = nslab([
      "up",
      "--topo",
      "single,3",
      "--controller",
      "default",
      "--prefix",
      prefix,
      "--name",
      name,
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(await untilConnected(name)).toBe(true);
    const pid = Number(readFileSync("/run/nslab/ovs-testcontroller.pid", "utf8"));
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const ping = nslab(["ping", name, "--timeout", "3"]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const down = nslab(["down", name]);
    expect(down.code).toBe(0);
    for (let i = 0; i < 20 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
