/**
 * A lab spread over machines, planned without machines: hosts and placement in the model, the
 * tunnels (VNI, inner MTU, the MTU of the segments they extend), each machine's part and its ops.
 */
import { describe, expect, it } from "vitest";
import { TopologyError } from "../../../src/errors.js";
import { generatedTopology } from "../../../src/model/generated.js";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import { commandArgv, opCommands } from "../../../src/plan/commands.js";
import { inverseOps } from "../../../src/plan/inverse.js";
import { type MachineFacts, planMultiHost, vniBase } from "../../../src/plan/multihost/index.js";

const SPREAD = `name: spread
hosts:
  a: { ssh: root@192.0.2.10, underlay: 192.0.2.10 }
  b: { ssh: root@192.0.2.11, underlay: 192.0.2.11 }
nodes:
  h1: { host: a, interfaces: { eth0: 10.0.0.1/24 } }
  s1: { kind: bridge, host: a }
  h2: { host: b, interfaces: { eth0: 10.0.0.2/24 } }
  s2: { kind: bridge, host: b }
links:
  - [h1:eth0, s1:p1]
  - [h2:eth0, s2:p1]
  - [s1:x1, s2:x1]
`;

const facts = (host: string, peer: string, mtu: number, vnis: number[] = []): MachineFacts => ({
  host,
  version: "test",
  identity: host,
  underlayDev: "ul0",
  vnis: vnis.map((vni) => ({ vni, port: 4789 })),
  paths: { [peer]: { dev: "ul0", mtu } },
  labs: [],
});

describe("a lab over two machines, planned", () => {
  it("keeps every node's host, and refuses a node on an unknown machine where it is written", () => {
    const t = parseTopology(SPREAD);
    expect(t.hosts?.map((h) => [h.name, h.underlay, h.family])).toEqual([
      ["a", "192.0.2.10", 4],
      ["b", "192.0.2.11", 4],
    ]);
    expect(Object.fromEntries(t.nodes.map((n) => [n.name, n.host]))).toEqual({
      h1: "a",
      s1: "a",
      h2: "b",
      s2: "b",
    });
    expect(() => parseTopology(SPREAD.replace("h2: { host: b", "h2: { host: c"))).toThrow(TopologyError);
  });

  it("one tunnel for the crossing link: VNI from the lab's base, inner MTU = underlay − 50 on the whole segment", () => {
    const t = parseTopology(SPREAD);
    const p = planMultiHost(
      t,
      new Map([
        ["a", facts("a", "192.0.2.11", 1500)],
        ["b", facts("b", "192.0.2.10", 1500)],
      ]),
    );
    expect(p.errors).toEqual([]);
    expect(p.tunnels).toHaveLength(1);
    const [x] = p.tunnels;
    expect(x!.vni).toBe(vniBase("spread"));
    expect(x!.mtu).toBe(1450);
    expect([`${x!.a.end.node}:${x!.a.end.iface}`, `${x!.b.end.node}:${x!.b.end.iface}`]).toEqual([
      "s1:x1",
      "s2:x1",
    ]);
    // Each part is an ordinary lab of its machine's nodes, with its tunnel end.
    const a = p.parts.get("a")!;
    expect(a.nodes.map((n) => n.name).sort()).toEqual(["h1", "s1"]);
    expect(a.links).toHaveLength(1);
    expect(a.tunnels).toEqual([
      expect.objectContaining({
        vni: x!.vni,
        local: "192.0.2.10",
        remote: "192.0.2.11",
        port: 4789,
        mtu: 1450,
      }),
    ]);
    // The host on the far side of the tunnel gets the inner MTU too: nothing it sends is too big.
    const h1 = a.nodes.find((n) => n.name === "h1")!;
    expect(h1.interfaces[0]!.mtu).toBe(1450);
  });

  it("skips VNIs in use on either machine, and takes the smaller underlay MTU", () => {
    const t = parseTopology(SPREAD);
    const base = vniBase("spread");
    const p = planMultiHost(
      t,
      new Map([
        ["a", facts("a", "192.0.2.11", 9000, [base])],
        ["b", facts("b", "192.0.2.10", 1400, [base + 1])],
      ]),
    );
    expect(p.tunnels[0]!.vni).toBe(base + 2);
    expect(p.tunnels[0]!.mtu).toBe(1350);
  });

  it("a VNI written on the link that is in use on a machine is an error naming it", () => {
    const t = parseTopology(
      SPREAD.replace("  - [s1:x1, s2:x1]", "  - { endpoints: [s1:x1, s2:x1], vni: 77 }"),
    );
    const p = planMultiHost(
      t,
      new Map([
        ["a", facts("a", "192.0.2.11", 1500)],
        ["b", facts("b", "192.0.2.10", 1500, [77])],
      ]),
    );
    expect(p.errors.join("\n")).toMatch(/VNI 77 is in use on host b/);
  });

  it("warns when an MTU written in the file cannot fit through the tunnel", () => {
    const t = parseTopology(
      SPREAD.replace(
        "h1: { host: a, interfaces: { eth0: 10.0.0.1/24 } }",
        "h1: { host: a, interfaces: { eth0: { addresses: [10.0.0.1/24], mtu: 1500 } } }",
      ),
    );
    const p = planMultiHost(
      t,
      new Map([
        ["a", facts("a", "192.0.2.11", 1500)],
        ["b", facts("b", "192.0.2.10", 1500)],
      ]),
    );
    expect(p.warnings.join("\n")).toMatch(/h1:eth0 has MTU 1500, which cannot fit through the tunnel/);
  });

  it("a part's plan creates the VXLAN end in place (on the bridge), and its inverse removes it", () => {
    const t = parseTopology(SPREAD);
    const p = planMultiHost(
      t,
      new Map([
        ["a", facts("a", "192.0.2.11", 1500)],
        ["b", facts("b", "192.0.2.10", 1500)],
      ]),
    );
    const ops = planUp(p.parts.get("b")!, { ovsKernelDatapath: false });
    const vx = ops.filter((o) => o.op === "vxlan.add");
    expect(vx).toHaveLength(1);
    const argv = opCommands(vx[0]!).map((c) => commandArgv(c).join(" "));
    expect(argv.join("\n")).toMatch(
      /type vxlan id \d+ local 192\.0\.2\.11 remote 192\.0\.2\.10 dstport 4789/,
    );
    const dev = (vx[0] as { dev: string }).dev;
    expect(inverseOps(ops)).toContainEqual(expect.objectContaining({ op: "link.del", ns: null, dev }));
  });
});

describe("placement of generated labs (Mininet cluster's)", () => {
  const hosts = {
    a: { ssh: "root@192.0.2.10", underlay: "192.0.2.10" },
    b: { ssh: "root@192.0.2.11", underlay: "192.0.2.11" },
  };
  const crossing = (t: ReturnType<typeof generatedTopology>) => {
    const hostOf = new Map(t.nodes.map((n) => [n.name, n.host]));
    return t.links.filter((l) => hostOf.get(l.a.node) !== hostOf.get(l.b.node)).length;
  };

  it("block: switches in even contiguous bins, each host with its switch — linear,4 crosses once", () => {
    const t = generatedTopology("linear,4", { hosts, placement: "block" });
    const on = (h: string) =>
      t.nodes
        .filter((n) => n.host === h)
        .map((n) => n.name)
        .sort();
    expect(on("a")).toEqual(["h1", "h2", "s1", "s2"]);
    expect(on("b")).toEqual(["h3", "h4", "s3", "s4"]);
    expect(crossing(t)).toBe(1);
  });

  it("random: the same lab name places the same way", () => {
    const one = generatedTopology("linear,6", { hosts, placement: "random" });
    const two = generatedTopology("linear,6", { hosts, placement: "random" });
    expect(one.nodes.map((n) => n.host)).toEqual(two.nodes.map((n) => n.host));
    expect(new Set(one.nodes.map((n) => n.host))).toEqual(new Set(["a", "b"]));
  });

  it("auto: hosts stay with their switch, switches split evenly, as few links cross as block", () => {
    const t = generatedTopology("tree,depth=2,fanout=2", { hosts, placement: "auto" });
    const byName = new Map(t.nodes.map((n) => [n.name, n]));
    for (const l of t.links) {
      const [x, y] = [byName.get(l.a.node)!, byName.get(l.b.node)!];
      if (x.kind === "netns" && y.kind !== "netns") expect(x.host).toBe(y.host);
    }
    const switches = t.nodes.filter((n) => n.kind !== "netns");
    const onA = switches.filter((n) => n.host === "a").length;
    expect(Math.abs(onA - (switches.length - onA))).toBeLessThanOrEqual(1);
    expect(crossing(t)).toBeLessThanOrEqual(
      crossing(generatedTopology("tree,depth=2,fanout=2", { hosts, placement: "block" })),
    );
  });
});
