/**
 * A lab across three simulated machines (test/support/machines.ts), Linux bridges on two and an Open
 * vSwitch bridge (userspace datapath, its own daemons inside its machine) on the third, joined by
 * VXLAN tunnels: the CLI, run in the controller namespace as a user types it — up, ping, DF pings at
 * the inner MTU, TCP (iperf3) across the tunnels into and out of OVS, status, exec over ssh, test
 * (with a TCP expectation whose listener is on another machine), graph — then the same with one
 * machine refusing ssh (it is named, the rest answer), `down` after the controlling `up` was killed
 * with SIGKILL, and `up` with one machine unreachable (nothing changed anywhere).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canSimulateMachines, MACHINE_NSLAB, type Machines, startMachines } from "../../support/machines.js";

const can = canSimulateMachines() && existsSync("/usr/bin/iperf3") && existsSync("/usr/sbin/ovs-vswitchd");

describe.skipIf(!can)("a lab across three machines: Linux bridges and Open vSwitch", () => {
  let m: Machines;
  let lab: string;
  const file = (name: string, cNslab = MACHINE_NSLAB) => {
    const [m1, m2, m3] = m.machines as [
      Machines["machines"][0],
      Machines["machines"][0],
      Machines["machines"][0],
    ];
    const path = join(m.run, `${name}.yaml`);
    writeFileSync(
      path,
      `name: ${name}
ssh_config: ${m.sshConfig}
hosts:
  a: { ssh: root@${m1.ip}, underlay: ${m1.ip}, nslab: ${MACHINE_NSLAB} }
  b: { ssh: root@${m2.ip}, underlay: ${m2.ip}, nslab: ${MACHINE_NSLAB} }
  c: { ssh: root@${m3.ip}, underlay: ${m3.ip}, nslab: ${cNslab} }
nodes:
  h1: { host: a, interfaces: { eth0: 10.62.0.1/24 } }
  s1: { kind: bridge, host: a }
  h2: { host: b, interfaces: { eth0: 10.62.0.2/24 } }
  o2: { kind: ovs-bridge, datapath: netdev, host: b }
  h3: { host: c, interfaces: { eth0: 10.62.0.3/24 } }
  s3: { kind: bridge, host: c }
links:
  - [h1:eth0, s1:p1]
  - [h2:eth0, o2:p1]
  - [h3:eth0, s3:p1]
  - [s1:x1, o2:x1]
  - [o2:x2, s3:x1]
expect:
  - { from: h1, to: h3, tcp: 8080, expect: reachable }
  - { from: h3, to: h2, tcp: 8081, expect: reachable }
`,
    );
    return path;
  };

  beforeAll(() => {
    m = startMachines(3);
    lab = `mh${m.tag}`;
  }, 60_000);

  afterAll(() => {
    try {
      if (m) {
        for (const name of [lab, `${lab}k`, `${lab}u`]) m.nslab(["down", name], { timeoutMs: 60_000 });
        onM1(["down", `${lab}h`]);
      }
    } finally {
      m?.cleanup();
    }
  }, 240_000);

  // The CLI run on machine m1 itself, as a user logged in there types it (its own /run/nslab).
  const onM1 = (args: string[]) => m.on("m1", [...MACHINE_NSLAB.split(" "), ...args], 180_000);

  const nsOf = (machine: string, node: string) => {
    const list = m
      .on(machine, ["ip", "netns", "list"])
      .stdout.split("\n")
      .map((l) => l.split(" ")[0]!)
      .filter(Boolean);
    const hit = list.find((n) => n.endsWith(node));
    if (!hit) throw new Error(`no namespace for ${node} on ${machine}: ${list.join(", ")}`);
    return hit;
  };
  const ping = (machine: string, node: string, to: string, size?: number) =>
    m.inNode(machine, nsOf(machine, node), [
      "ping",
      "-c",
      size === undefined ? "3" : "1",
      "-W",
      "2",
      "-i",
      "0.2",
      ...(size === undefined ? [] : ["-M", "do", "-s", String(size)]),
      to,
    ]);

  it("up over three machines; ping, MTU, TCP, status, exec, test and graph across them", () => {
    const f = file(lab);
    const up = m.nslab(["up", f]);
    expect(up.stderr + up.stdout).toMatch(/is up on 3 machines/);
    expect(up.code).toBe(0);
    // OVS runs inside machine b (its own daemons, its own run directory), not elsewhere.
    expect(m.on("m2", ["ovs-vsctl", "list-br"]).stdout).toMatch(/o2/);
    expect(m.on("m1", ["ovs-vsctl", "--timeout=2", "list-br"]).code).not.toBe(0);

    // Across the tunnels, through OVS on b: a → b, b → c, a → c (two tunnels).
    expect(ping("m1", "h1", "10.62.0.2").stdout).toMatch(/3 received/);
    expect(ping("m2", "h2", "10.62.0.3").stdout).toMatch(/3 received/);
    expect(ping("m1", "h1", "10.62.0.3").stdout).toMatch(/3 received/);
    // Inner MTU 1450 on a 1500 underlay, also through OVS: 1422 bytes of ICMP payload fit, 1423 do not.
    expect(ping("m1", "h1", "10.62.0.3", 1422).code).toBe(0);
    expect(ping("m1", "h1", "10.62.0.3", 1423).code).not.toBe(0);

    const all = m.nslab(["ping", lab]);
    expect(all.stderr).toMatch(/6\/6 pairs answered/);
    expect(all.code).toBe(0);

    // TCP across the tunnels: Linux bridge → OVS (a → b) and OVS → Linux bridge (b → c).
    for (const [from, to] of [
      ["h1", "h2"],
      ["h2", "h3"],
    ] as const) {
      const r = m.nslab(["iperf", lab, from, to, "--time", "1", "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout) as { mbps: number; from: string; to: string };
      expect(j.from).toBe(from);
      expect(j.mbps).toBeGreaterThan(0);
    }

    const st = m.nslab(["status", lab, "--json"]);
    expect(st.code).toBe(0);
    const report = JSON.parse(st.stdout) as {
      healthy: boolean;
      health: unknown[];
      nodes: {
        name: string;
        host?: string;
        present: boolean;
        interfaces: { name: string; mtu?: number }[];
      }[];
      hosts: { name: string; reachable: boolean }[];
    };
    expect(report.health).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(report.hosts.map((h) => [h.name, h.reachable])).toEqual([
      ["a", true],
      ["b", true],
      ["c", true],
    ]);
    expect(report.nodes.map((n) => [n.name, n.host, n.present])).toEqual([
      ["h1", "a", true],
      ["s1", "a", true],
      ["h2", "b", true],
      ["o2", "b", true],
      ["h3", "c", true],
      ["s3", "c", true],
    ]);
    expect(report.nodes.find((n) => n.name === "h3")!.interfaces[0]!.mtu).toBe(1450);
    const text = m.nslab(["status", lab]);
    expect(text.stdout).toMatch(/machines: a \(.*\) ok, b \(.*\) ok, c \(.*\) ok/);
    expect(text.stdout).toMatch(/h3 @c/);

    // exec runs over ssh on the node's machine; the command's exit code comes back.
    const ex = m.nslab(["exec", lab, "h3", "--", "ip", "-o", "-4", "addr", "show", "dev", "eth0"]);
    expect(ex.stdout).toMatch(/10\.62\.0\.3\/24/);
    expect(ex.code).toBe(0);
    expect(m.nslab(["exec", lab, "h2", "--", "sh", "-c", "exit 7"]).code).toBe(7);

    // test: the TCP expectations listen on another machine than the one that connects.
    const t = m.nslab(["test", lab, "--json"]);
    const tr = JSON.parse(t.stdout) as {
      passed: number;
      failed: number;
      results: { name: string; ok: boolean }[];
    };
    expect(tr.failed).toBe(0);
    expect(tr.passed).toBe(8); // 2 expectations + 6 ping pairs
    expect(t.code).toBe(0);

    // A link end taken down on its machine (c), then up again.
    expect(m.nslab(["link", lab, "h3:eth0", "down"]).code).toBe(0);
    expect(ping("m1", "h1", "10.62.0.3").code).not.toBe(0);
    expect(m.nslab(["link", lab, "h3:eth0", "up"]).code).toBe(0);
    expect(ping("m1", "h1", "10.62.0.3").stdout).toMatch(/3 received/);

    const g = m.nslab(["graph", lab]);
    expect(g.code).toBe(0);
    for (const n of ["h1", "o2", "s3"]) expect(g.stdout).toContain(n);
  }, 240_000);

  it("the web view of the lab: list, graph, live status, ping and a link end down on another machine", async () => {
    const server = m.startNslab(["web", lab, "--port", "0"]);
    try {
      let out = "";
      server.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
      });
      const deadline = Date.now() + 60_000;
      while (!/http:\/\/\S+token=\S+/.test(out) && Date.now() < deadline && server.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      const url = new URL(/(http:\/\/\S+)/.exec(out)![1]!);
      const token = url.searchParams.get("token")!;
      // The server listens in the controller namespace: ask it from there.
      const call = (method: string, path: string, body?: object) => {
        const script = `const r = await fetch(${JSON.stringify(`${url.origin}${path}`)}, { method: ${JSON.stringify(method)}, headers: { authorization: "Bearer ${token}", "content-type": "application/json" }${body ? `, body: ${JSON.stringify(JSON.stringify(body))}` : ""} }); process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));`;
        const r = spawnSync(
          "nsenter",
          [`--net=${m.controllerNet}`, "--", process.execPath, "--input-type=module", "-e", script],
          {
            encoding: "utf8",
            timeout: 120_000,
          },
        );
        if (r.status !== 0) throw new Error(`fetch ${path}: ${r.stderr}`);
        return JSON.parse(r.stdout) as { status: number; body: Record<string, unknown> };
      };
      const labs = call("GET", "/api/labs");
      expect((labs.body.labs as { lab: string }[]).map((l) => l.lab)).toContain(lab);
      const graph = call("GET", `/api/labs/${lab}/graph`);
      expect(graph.status).toBe(200);
      expect(JSON.stringify(graph.body.graph)).toContain("o2");
      const status = call("GET", `/api/labs/${lab}/status`);
      expect(status.body.healthy).toBe(true);
      expect(
        (status.body.nodes as { name: string; host: string }[]).map((n) => `${n.name}@${n.host}`),
      ).toContain("h3@c");
      const ping = call("POST", `/api/labs/${lab}/ping`, { from: "h1", to: "h3" });
      expect(ping.body.ok).toBe(true);
      const downed = call("POST", `/api/labs/${lab}/link`, { endpoint: "h3:eth0", state: "down" });
      expect(downed.status).toBe(200);
      const h3 = (
        downed.body.report as { nodes: { name: string; interfaces: { name: string; adminUp: boolean }[] }[] }
      ).nodes.find((n) => n.name === "h3")!;
      expect(h3.interfaces.find((i) => i.name === "eth0")!.adminUp).toBe(false);
      expect(call("POST", `/api/labs/${lab}/ping`, { from: "h1", to: "h3" }).body.ok).toBe(false);
      expect(call("POST", `/api/labs/${lab}/link`, { endpoint: "h3:eth0", state: "up" }).status).toBe(200);
      expect(call("POST", `/api/labs/${lab}/ping`, { from: "h1", to: "h3" }).body.ok).toBe(true);
    } finally {
      const gone = new Promise((r) => server.once("close", r));
      if (server.exitCode === null) server.kill("SIGTERM");
      await gone;
    }
  }, 240_000);

  it("a machine that refuses ssh is named; the others still answer; down finishes when it is back", () => {
    m.refuseSsh("m3", true);
    try {
      const st = m.nslab(["status", lab, "--json"]);
      const report = JSON.parse(st.stdout) as {
        healthy: boolean;
        health: { where: string; what: string; fix: string }[];
        nodes: { name: string; present: boolean; observed?: boolean }[];
      };
      expect(report.healthy).toBe(false);
      expect(report.health).toHaveLength(1);
      expect(report.health[0]!.where).toMatch(/^host c \(root@/);
      expect(report.health[0]!.what).toMatch(/cannot be reached/);
      expect(report.health[0]!.fix).toMatch(/ssh root@/);
      expect(report.nodes.filter((n) => n.present).map((n) => n.name)).toEqual(["h1", "s1", "h2", "o2"]);
      expect(report.nodes.filter((n) => n.observed === false).map((n) => n.name)).toEqual(["h3", "s3"]);

      const t = m.nslab(["test", lab, "--json", "--no-matrix"]);
      const tr = JSON.parse(t.stdout) as { results: { from: string; ok: boolean; detail: string }[] };
      expect(t.code).not.toBe(0);
      // h1 → h3:8080 needs c's listener; h3 → h2 runs on c: both fail, naming host c.
      for (const r of tr.results) {
        expect(r.ok).toBe(false);
        expect(r.detail).toMatch(/host c/);
      }
      const pingAll = m.nslab(["ping", lab]);
      expect(pingAll.code).not.toBe(0);
      expect(pingAll.stderr).toMatch(/host c/);
      expect(pingAll.stderr).toMatch(/4\/6 pairs answered|2 of 6|4 of 6/);

      const ex = m.nslab(["exec", lab, "h3", "--", "true"]);
      expect(ex.code).toBe(255);
      expect(ex.stderr).toMatch(/host c/);
      expect(m.nslab(["exec", lab, "h1", "--", "true"]).code).toBe(0);

      const down = m.nslab(["down", lab]);
      expect(down.code).not.toBe(0);
      expect(down.stderr).toMatch(/host c/);
      expect(down.stderr).toMatch(/nslab down/);
      expect(m.leftovers("m1")).toEqual([]);
      expect(m.leftovers("m2")).toEqual([]);
    } finally {
      m.refuseSsh("m3", false);
    }
    const again = m.nslab(["down", lab]);
    expect(again.code).toBe(0);
    for (const name of ["m1", "m2", "m3"]) expect(m.leftovers(name)).toEqual([]);
  }, 240_000);

  it("kill -9 of the controlling up: down from the same machine removes the lab everywhere", async () => {
    const name = `${lab}k`;
    // Machine c pauses before its 3rd operation: a and b have applied, the controller waits in 'applying'.
    const f = file(name, `NSLAB_TEST_FAULTS=pause-op=3 ${MACHINE_NSLAB}`);
    const child = m.startNslab(["up", f]);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    let ended = false;
    const exited = new Promise((r) => child.once("close", r)).then(() => {
      ended = true;
    });
    const record = join(m.stateDir, "multi", `${name}.json`);
    const status = () =>
      existsSync(record) ? (JSON.parse(readFileSync(record, "utf8")) as { status: string }).status : "";
    // Applying, and a and b have their parts (c is paused in its own).
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !ended) {
      if (status() === "applying" && m.records("m1").length > 0 && m.records("m2").length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ended, stderr).toBe(false);
    expect(status(), stderr).toBe("applying");
    process.kill(child.pid!, "SIGKILL");
    await exited;
    expect(stderr).not.toMatch(/is up on/);
    expect((JSON.parse(readFileSync(record, "utf8")) as { status: string }).status).toBe("applying");

    const down = m.nslab(["down", name]);
    expect(down.code, down.stderr).toBe(0);
    for (const x of ["m1", "m2", "m3"]) expect(m.leftovers(x)).toEqual([]);
    expect(existsSync(record)).toBe(false);
  }, 240_000);

  it("up with one machine unreachable: a clear error naming it, nothing changed anywhere", () => {
    const name = `${lab}u`;
    m.refuseSsh("m2", true);
    try {
      const up = m.nslab(["up", file(name)]);
      expect(up.code).not.toBe(0);
      expect(up.stderr).toMatch(/host b \(root@[\d.]+\) cannot be reached/);
      expect(up.stderr).toMatch(/nothing was changed on any machine/);
    } finally {
      m.refuseSsh("m2", false);
    }
    for (const x of ["m1", "m2", "m3"]) expect(m.leftovers(x)).toEqual([]);
    expect(existsSync(join(m.stateDir, "multi", `${name}.json`))).toBe(false);
  }, 120_000);

  it("the controlling machine is one of the lab's machines (as with two real VMs)", () => {
    const name = `${lab}h`;
    const f = file(name);
    const up = onM1(["up", f]);
    expect(up.stderr + up.stdout).toMatch(/is up on 3 machines/);
    expect(up.code).toBe(0);
    // m1 holds both: the record of the lab over machines and the record of its own part.
    expect(m.on("m1", ["ls", "/run/nslab/multi"]).stdout).toContain(`${name}.json`);
    expect(m.records("m1")).toContain(`${name}.json`);

    const st = onM1(["status", name, "--json"]);
    expect(st.code).toBe(0);
    const report = JSON.parse(st.stdout) as { healthy: boolean; hosts: { reachable: boolean }[] };
    expect(report.healthy).toBe(true);
    expect(report.hosts.every((h) => h.reachable)).toBe(true);
    // exec on a node of this very machine, and on one of another, over ssh.
    const here = onM1(["exec", name, "h1", "--", "ip", "-o", "-4", "addr", "show", "dev", "eth0"]);
    expect(here.stdout).toMatch(/10\.62\.0\.1\/24/);
    expect(onM1(["exec", name, "h3", "--", "ping", "-c", "1", "-W", "2", "10.62.0.1"]).code).toBe(0);
    const pinged = onM1(["ping", name]);
    expect(pinged.stderr).toMatch(/6\/6 pairs answered/);
    const linkDown = onM1(["status", name]);
    expect(linkDown.code).toBe(0);

    const down = onM1(["down", name]);
    expect(down.stderr + down.stdout).not.toMatch(/error/i);
    expect(down.code).toBe(0);
    for (const x of ["m1", "m2", "m3"]) expect(m.leftovers(x)).toEqual([]);
    expect(m.on("m1", ["sh", "-c", "ls /run/nslab/multi 2>/dev/null"]).stdout).toBe("");
  }, 240_000);
});
