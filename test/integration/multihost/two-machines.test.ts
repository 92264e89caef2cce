/**
 * A lab across two simulated machines (test/support/machines.ts: each a network + mount namespace
 * with its own sshd on an underlay bridge in a namespace of its own; nothing in the real root
 * namespace): the CLI, run in the controller namespace as a user types it, brings the lab up over
 * ssh, the link between the machines is a VXLAN tunnel, h1 on m1 pings h2 on m2 (and DF pings find
 * the inner MTU), and `down` leaves nothing on either machine.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canSimulateMachines, MACHINE_NSLAB, type Machines, startMachines } from "../../support/machines.js";

const can = canSimulateMachines();

const NSLAB = MACHINE_NSLAB;

describe.skipIf(!can)("a lab across two machines (VXLAN over ssh-driven machines)", () => {
  let m: Machines;
  let file: string;
  let lab: string;
  let faulty: string;

  beforeAll(() => {
    m = startMachines(2);
    lab = `mh${m.tag}`;
    const [m1, m2] = m.machines as [Machines["machines"][0], Machines["machines"][0]];
    file = join(m.run, "spread.yaml");
    // bNslab: the nslab command on machine b (a test injects a failure there through it).
    const spread = (name: string, bNslab: string) => `name: ${name}
ssh_config: ${m.sshConfig}
hosts:
  a: { ssh: root@${m1.ip}, underlay: ${m1.ip}, nslab: ${NSLAB} }
  b: { ssh: root@${m2.ip}, underlay: ${m2.ip}, nslab: ${bNslab} }
nodes:
  h1: { host: a, interfaces: { eth0: 10.61.0.1/24 } }
  s1: { kind: bridge, host: a }
  h2: { host: b, interfaces: { eth0: 10.61.0.2/24 } }
  s2: { kind: bridge, host: b }
links:
  - [h1:eth0, s1:p1]
  - [h2:eth0, s2:p1]
  - [s1:x1, s2:x1]
`;
    writeFileSync(file, spread(lab, NSLAB));
    faulty = join(m.run, "faulty.yaml");
    writeFileSync(faulty, spread(`${lab}f`, `NSLAB_TEST_FAULTS=fail-op=4 ${NSLAB}`));
  }, 60_000);

  afterAll(() => {
    try {
      if (m && file) m.nslab(["down", lab], { timeoutMs: 60_000 });
    } finally {
      m?.cleanup();
    }
  }, 180_000);

  it("plan prints each machine's part and the tunnel", () => {
    const r = m.nslab(["plan", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/host a/);
    expect(r.stdout).toMatch(/host b/);
    expect(r.stdout).toMatch(/type vxlan/);
  }, 60_000);

  it("up over ssh, ping across machines, down leaves nothing on either", () => {
    const up = m.nslab(["up", file]);
    expect(up.stderr + up.stdout).toMatch(/is up on 2 machines/);
    expect(up.code).toBe(0);
    for (const name of ["m1", "m2"]) {
      const links = m.on(name, ["ip", "-d", "link", "show", "type", "vxlan"]).stdout;
      expect(links).toMatch(/vxlan id \d+/);
    }
    const ping = m.inNode("m1", nsOf(m, "m1", "h1"), [
      "ping",
      "-c",
      "3",
      "-W",
      "2",
      "-i",
      "0.2",
      "10.61.0.2",
    ]);
    expect(ping.stdout).toMatch(/3 received/);
    // The inner MTU is the underlay's (1500) less 50: 1422 bytes of ICMP payload fit, 1423 do not.
    const fits = m.inNode("m1", nsOf(m, "m1", "h1"), [
      "ping",
      "-c",
      "1",
      "-W",
      "2",
      "-M",
      "do",
      "-s",
      "1422",
      "10.61.0.2",
    ]);
    expect(fits.code).toBe(0);
    const big = m.inNode("m1", nsOf(m, "m1", "h1"), [
      "ping",
      "-c",
      "1",
      "-W",
      "2",
      "-M",
      "do",
      "-s",
      "1423",
      "10.61.0.2",
    ]);
    expect(big.code).not.toBe(0);
    // `nslab ping LAB` from the controller: every pair, each run on its source's machine.
    const all = m.nslab(["ping", lab]);
    expect(all.stderr).toMatch(/2\/2 pairs answered/);
    expect(all.code).toBe(0);

    const down = m.nslab(["down", lab]);
    expect(down.code).toBe(0);
    expect(m.leftovers("m1")).toEqual([]);
    expect(m.leftovers("m2")).toEqual([]);
  }, 180_000);

  it("a failure on one machine during up rolls every machine back, and the error names it", () => {
    const up = m.nslab(["up", faulty]);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/host b/);
    expect(m.leftovers("m1")).toEqual([]);
    expect(m.leftovers("m2")).toEqual([]);
    // No record is left on the controller either: down finds nothing.
    const down = m.nslab(["down", `${lab}f`]);
    expect(down.stderr + down.stdout).toMatch(/not|no lab/i);
  }, 180_000);
});

/** The kernel name of node `node`'s namespace on machine `name` (the lab's only namespace there with that suffix). */
function nsOf(m: Machines, name: string, node: string): string {
  const list = m
    .on(name, ["ip", "netns", "list"])
    .stdout.split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter(Boolean);
  const hit = list.find((n) => n === node || n.endsWith(node));
  if (!hit) throw new Error(`no namespace for ${node} on ${name}: ${list.join(", ")}`);
  return hit;
}
