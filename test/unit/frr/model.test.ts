/** FRR in the model: which routers run it, router IDs, AS numbers, loopbacks on lo, and what is refused. */
import { describe, expect, it } from "vitest";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { loadTopology, parseTopology, topologyFromFile } from "../../../src/model/load.js";
import type { NetnsNode, Topology } from "../../../src/model/types.js";

const node = (t: Topology, name: string) => t.nodes.find((n) => n.name === name) as NetnsNode;

function problems(yaml: string): string[] {
  try {
    parseTopology(yaml, { file: "lab.yaml" });
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems.map((p) => formatProblem(p));
  }
}

const ring = (routing: string, extra = "") => `name: ring
addressing: { ipv4: 10.0.0.0/16 }
routing: ${routing}
nodes:
  r1: { kind: router, interfaces: { lo: 10.255.0.1/32 }${extra} }
  r2: { kind: router }
  r3: { kind: router, interfaces: { lo: "fd00::3/128" } }
  h1: {}
links:
  - [r1:eth0, r2:eth0]
  - [r2:eth1, r3:eth0]
  - [r3:eth1, r1:eth1]
  - [h1:eth0, r1:eth2]
`;

describe("FRR in the model", () => {
  it("routing: ospf runs FRR in every router, with router IDs from loopbacks, else the first IPv4 address", () => {
    const t = parseTopology(ring("ospf"));
    expect(t.routing).toBe("ospf");
    expect(node(t, "r1").frr).toMatchObject({ generated: "ospf", routerId: "10.255.0.1" });
    expect(node(t, "r1").frr?.daemons).toEqual({ kind: "list", names: [] });
    // r2 has no loopback: its first IPv4 address (from the pool) is its router ID.
    expect(node(t, "r2").frr?.routerId).toBe(node(t, "r2").interfaces[0]!.addresses[0]!.address);
    // r3's loopback is IPv6 only: its first IPv4 interface address.
    expect(node(t, "r3").frr?.routerId).toMatch(/^10\.0\./);
    expect(node(t, "h1").frr).toBeUndefined();
  });

  it("gives hosts static routes to their router, and routers none (the daemon routes)", () => {
    const t = parseTopology(ring("ospf"));
    expect(node(t, "h1").routes.map((r) => `${r.to} via ${r.via}`)).toEqual([
      `0.0.0.0/0 via ${node(t, "r1").interfaces.find((i) => i.name === "eth2")!.addresses[0]!.address}`,
    ]);
    for (const r of ["r1", "r2", "r3"]) expect(node(t, r).routes).toEqual([]);
  });

  it("an IPv6-only router gets a router ID of its own that no address can take", () => {
    const t = parseTopology(`name: v6
routing: ospf
nodes:
  a: { kind: router, interfaces: { e0: "fd00::1/64" } }
  b: { kind: router, interfaces: { e0: "fd00::2/64" } }
links: [[a:e0, b:e0]]
`);
    expect([node(t, "a").frr?.routerId, node(t, "b").frr?.routerId]).toEqual(["0.0.0.1", "0.0.0.2"]);
  });

  it("routing: bgp gives each router a private AS of its own unless it has `as:`", () => {
    const t = parseTopology(ring("bgp", ", as: 64513"));
    expect(["r1", "r2", "r3"].map((r) => node(t, r).frr?.as)).toEqual([64513, 64512, 64514]);
    expect(node(t, "r1").frr?.generated).toBe("bgp");
  });

  it("uses 4-byte private AS numbers when 2-byte ones would not suffice", () => {
    const nodes = Array.from({ length: 1100 }, (_, i) => `  r${i}: { kind: router }`).join("\n");
    const t = parseTopology(`name: many\nrouting: bgp\nnodes:\n${nodes}\n`);
    expect(node(t, "r0").frr?.as).toBe(4200000000);
    expect(node(t, "r1099").frr?.as).toBe(4200001099);
  });

  it("frr: on a router without routing: runs FRR with its own files or daemons", () => {
    const t = topologyFromFile(
      "/labs/own/lab.yaml",
      `name: own
nodes:
  r1: { kind: router, frr: { config: r1/frr.conf, daemons: r1/daemons } }
  r2: { kind: router, frr: { daemons: [ospfd, bgpd, ospfd] } }
  r3: { kind: router }
`,
    );
    expect(node(t, "r1").frr).toMatchObject({
      config: "/labs/own/r1/frr.conf",
      daemons: { kind: "file", path: "/labs/own/r1/daemons" },
    });
    expect(node(t, "r1").frr?.generated).toBeUndefined();
    expect(node(t, "r2").frr?.daemons).toEqual({ kind: "list", names: ["ospfd", "bgpd"] });
    expect(node(t, "r3").frr).toBeUndefined();
  });

  it("a router's own frr.conf wins over routing: ospf", () => {
    const t = parseTopology(ring("ospf", ", frr: { config: /etc/nslab-test/r1.conf }"));
    expect(node(t, "r1").frr).toMatchObject({ config: "/etc/nslab-test/r1.conf" });
    expect(node(t, "r1").frr?.generated).toBeUndefined();
    expect(node(t, "r2").frr?.generated).toBe("ospf");
  });

  it("refuses what cannot work, each with its place", () => {
    expect(problems(ring("ospf", ", as: 65000"))).toEqual([
      "lab.yaml:5:62 (nodes.r1.as): 'as' is the BGP AS number of router 'r1', used with routing: bgp — set routing: bgp at the top of the file, or remove 'as'",
    ]);
    expect(problems(ring("none", ", frr: { daemons: [ospf, bgpd] }"))).toEqual([
      "lab.yaml:5:75 (nodes.r1.frr.daemons[0]): 'ospf' is not an FRR daemon — did you mean 'ospfd'?",
    ]);
    expect(problems("name: x\nnodes:\n  h: { frr: {} }\n")).toEqual([
      "lab.yaml:3:8 (nodes.h.frr): 'frr' is not a field of this kind of node — FRR runs in routers: add kind: router",
    ]);
    expect(problems(ring("rip"))[0]).toMatch(/lab\.yaml:3:10 \(routing\)/);
  });

  it("the examples resolve: the OSPF ring and the two-AS BGP lab", async () => {
    const ospf = await loadTopology("examples/ospf-ring.yaml");
    expect(ospf.nodes.filter((n) => n.kind === "netns" && n.frr).map((n) => n.name)).toEqual([
      "r1",
      "r2",
      "r3",
      "r4",
    ]);
    const bgp = await loadTopology("examples/bgp.yaml");
    expect(["r1", "r2", "r3"].map((r) => node(bgp, r).frr?.as)).toEqual([65001, 65001, 65002]);
  });
});

describe("loopback addresses on lo", () => {
  it("are allowed on any namespace node, need no link, and are not created (lo exists)", () => {
    const t = parseTopology(`name: loop
nodes:
  a: { interfaces: { lo: [10.255.0.1/32, "fd00::1/128"], e0: 10.0.0.1/24 } }
  b: { interfaces: { e0: 10.0.0.2/24 } }
links: [[a:e0, b:e0]]
`);
    expect(
      node(t, "a").interfaces.map((i) => `${i.name} ${i.addresses.map((a) => `${a.address}/${a.prefix}`)}`),
    ).toEqual(["lo 10.255.0.1/32,fd00::1/128", "e0 10.0.0.1/24"]);
  });

  it("take host addresses only, and no MTU or MAC", () => {
    expect(
      problems(`name: loop
nodes:
  a: { interfaces: { lo: { addresses: [10.255.0.1/24], mtu: 9000 } } }
`),
    ).toEqual([
      "lab.yaml:3:40 (nodes.a.interfaces.lo.addresses[0]): loopback address 10.255.0.1/24 must be a host address (/32) — write 10.255.0.1/32",
      "lab.yaml:3:56 (nodes.a.interfaces.lo.mtu): 'mtu' cannot be set on the loopback interface 'lo'; it takes addresses only — write the addresses alone, e.g. lo: 10.255.0.1/32",
    ]);
  });

  it("are routed by routing: static like any network", () => {
    const t = parseTopology(`name: st
addressing: { ipv4: 10.0.0.0/16 }
routing: static
nodes:
  r1: { kind: router, interfaces: { lo: 10.255.0.1/32 } }
  r2: { kind: router, interfaces: { lo: 10.255.0.2/32 } }
links: [[r1:e0, r2:e0]]
`);
    expect(node(t, "r1").routes.map((r) => `${r.to} via ${r.via}`)).toEqual([
      `10.255.0.2/32 via ${node(t, "r2").interfaces[1]!.addresses[0]!.address}`,
    ]);
  });
});
