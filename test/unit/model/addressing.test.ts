/** Automatic addressing: subnet sizes, determinism, manual + automatic, opt-out, conflicts with positions. */
import { describe, expect, it } from "vitest";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";
import type { Topology } from "../../../src/model/types.js";

const addrs = (t: Topology, node: string, iface = "eth0") =>
  t.nodes
    .find((n) => n.name === node)!
    .interfaces.find((i) => i.name === iface)!
    .addresses.map((a) => `${a.address}/${a.prefix}`);

function problems(yaml: string): string[] {
  try {
    parseTopology(yaml, { file: "lab.yaml" });
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems.map(formatProblem);
  }
}

const LAB = `name: a
addressing: { ipv4: 10.10.0.0/16, ipv6: "fd00:10::/48" }
nodes:
  r: { kind: router }
  h1: {}
  h2: {}
  x: {}
  y: {}
  sw: { kind: bridge }
links:
  - [h1:eth0, sw:p1]
  - [h2:eth0, sw:p2]
  - [r:eth0, sw:p3]
  - [x:eth0, y:eth0]
`;

describe("automatic addressing", () => {
  it("gives a bridge segment one /24 (router first) and a point-to-point link a /30 and /64s", () => {
    const t = parseTopology(LAB);
    expect(addrs(t, "r")).toEqual(["10.10.0.1/24", "fd00:10::1/64"]);
    expect(addrs(t, "h1")).toEqual(["10.10.0.2/24", "fd00:10::2/64"]);
    expect(addrs(t, "h2")).toEqual(["10.10.0.3/24", "fd00:10::3/64"]);
    expect(addrs(t, "x")).toEqual(["10.10.1.1/30", "fd00:10:0:1::1/64"]);
    expect(addrs(t, "y")).toEqual(["10.10.1.2/30", "fd00:10:0:1::2/64"]);
    expect(t.addressing?.segments.map((s) => `${s.subnet} ${s.label}`)).toEqual([
      "10.10.0.0/24 sw",
      "10.10.1.0/30 x:eth0–y:eth0",
      "fd00:10::/64 sw",
      "fd00:10:0:1::/64 x:eth0–y:eth0",
    ]);
  });

  it("is deterministic: the same file gives the same addresses", () => {
    expect(JSON.stringify(parseTopology(LAB))).toBe(JSON.stringify(parseTopology(LAB)));
  });

  it("joins a segment's manual subnet and skips manual subnets in the pool", () => {
    const t = parseTopology(`name: m
addressing: { ipv4: 10.10.0.0/16 }
nodes:
  a: { interfaces: { eth0: 10.10.0.1/24 } }
  b: {}
  c: {}
  d: {}
  sw: { kind: bridge }
links:
  - [a:eth0, sw:p1]
  - [b:eth0, sw:p2]
  - [c:eth0, d:eth0]
`);
    expect(addrs(t, "b")).toEqual(["10.10.0.2/24"]); // joins a's subnet
    expect(addrs(t, "c")).toEqual(["10.10.1.1/30"]); // 10.10.0.0/24 is taken by hand
    expect(addrs(t, "d")).toEqual(["10.10.1.2/30"]);
  });

  it("leaves an interface written with an empty list without addresses", () => {
    const t = parseTopology(`name: o
addressing: { ipv4: 10.10.0.0/16 }
nodes:
  a: { interfaces: { eth0: [] } }
  b: {}
links:
  - [a:eth0, b:eth0]
`);
    expect(addrs(t, "a")).toEqual([]);
    expect(addrs(t, "b")).toEqual(["10.10.0.1/30"]);
  });

  it("sizes a large bridge segment to fit its hosts", () => {
    const hosts = Array.from({ length: 300 }, (_, i) => `  h${i}: {}`).join("\n");
    const links = Array.from({ length: 300 }, (_, i) => `  - [h${i}:eth0, sw:p${i}]`).join("\n");
    const t = parseTopology(`name: big
addressing: { ipv4: 10.10.0.0/16 }
nodes:
${hosts}
  sw: { kind: ovs-bridge }
links:
${links}
`);
    expect(addrs(t, "h0")).toEqual(["10.10.0.1/23"]);
    expect(addrs(t, "h299")).toEqual(["10.10.1.44/23"]);
  });

  it.each([
    ["a bad pool", "ipv4: 10.10.0.300/16", /lab\.yaml:2:21 \(addressing\.ipv4\): invalid pool/],
    [
      "host bits in the pool",
      "ipv4: 10.10.0.1/16",
      /has host bits set; write the network, e\.g\. 10\.10\.0\.0\/16/,
    ],
    ["the wrong family", 'ipv6: "10.10.0.0/16"', /is an IPv4 prefix; ipv6 needs an IPv6 pool/],
    ["a pool too small", "ipv4: 10.10.0.0/31", /smaller than one point-to-point subnet/],
  ])("refuses %s with its position", (_, pool, re) => {
    expect(
      problems(
        `name: p\naddressing: { ${pool} }\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n`,
      ).join("\n"),
    ).toMatch(re);
  });

  it("reports an exhausted pool, naming the manual subnets in it", () => {
    const out = problems(`name: x
addressing:
  ipv4: 10.10.0.0/29
nodes:
  a: { interfaces: { eth0: 10.10.0.1/30 } }
  b: { interfaces: { eth0: 10.10.0.2/30 } }
  c: {}
  d: {}
  e: {}
  f: {}
links:
  - [a:eth0, b:eth0]
  - [c:eth0, d:eth0]
  - [e:eth0, f:eth0]
`).join("\n");
    expect(out).toMatch(
      /lab\.yaml:3:9 \(addressing\.ipv4\): the ipv4 pool 10\.10\.0\.0\/29 has no free \/30 left for segment e:eth0–f:eth0/,
    );
    expect(out).toMatch(/manual subnets inside the pool: 10\.10\.0\.0\/30 \(a:eth0\)/);
  });

  it("reports a full manual subnet at the interface that does not fit", () => {
    const out = problems(`name: full
addressing: { ipv4: 10.20.0.0/16 }
nodes:
  a: { interfaces: { eth0: 10.1.0.1/30 } }
  b: {}
  c: {}
  sw: { kind: bridge }
links:
  - [a:eth0, sw:p1]
  - [b:eth0, sw:p2]
  - [c:eth0, sw:p3]
`).join("\n");
    expect(out).toMatch(/no free address left in 10\.1\.0\.0\/30 \(segment sw\) for c:eth0/);
  });

  it("gives each VLAN of an OVS bridge its own subnet", () => {
    const t = parseTopology(`name: v
addressing: { ipv4: 10.10.0.0/16 }
nodes:
  a: {}
  b: {}
  c: {}
  sw: { kind: ovs-bridge, interfaces: { pa: { vlan: 10 }, pb: { vlan: 20 }, pc: { vlan: 10 } } }
links:
  - [a:eth0, sw:pa]
  - [b:eth0, sw:pb]
  - [c:eth0, sw:pc]
`);
    expect(addrs(t, "a")).toEqual(["10.10.0.1/24"]);
    expect(addrs(t, "c")).toEqual(["10.10.0.2/24"]);
    expect(addrs(t, "b")).toEqual(["10.10.1.1/24"]);
  });
});
