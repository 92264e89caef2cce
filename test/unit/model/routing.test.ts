/** routing: static — shortest paths over routers, default routes where unambiguous, manual routes win. */
import { describe, expect, it } from "vitest";
import { loadTopology, parseTopology } from "../../../src/model/load.js";
import type { Topology } from "../../../src/model/types.js";

const routes = (t: Topology, node: string) => {
  const n = t.nodes.find((x) => x.name === node);
  if (n?.kind !== "netns") throw new Error(`no namespace ${node}`);
  return n.routes.map((r) => `${r.to} via ${r.via}${r.computed ? "" : " (manual)"}`);
};

describe("routing: static", () => {
  it("routes the example lab: routers learn remote subnets, hosts get a default route", async () => {
    const t = await loadTopology("examples/routed.yaml");
    expect(routes(t, "r1")).toEqual(["10.10.1.0/24 via 10.10.2.2", "fd00:10:0:2::/64 via fd00:10:0:1::2"]);
    expect(routes(t, "r2")).toEqual(["10.10.0.0/24 via 10.10.2.1", "fd00:10::/64 via fd00:10:0:1::1"]);
    expect(routes(t, "h1")).toEqual(["0.0.0.0/0 via 10.10.0.1", "::/0 via fd00:10::1"]);
    expect(routes(t, "h3")).toEqual(["0.0.0.0/0 via 10.10.1.1", "::/0 via fd00:10:0:2::1"]);
    // The island has no router: nothing to route.
    expect(routes(t, "i1")).toEqual([]);
    const r1 = t.nodes.find((n) => n.name === "r1");
    expect(r1?.kind === "netns" && r1.sysctls.map((s) => `${s.key}=${s.value}`)).toEqual([
      "net.ipv4.ip_forward=1",
      "net.ipv6.conf.all.forwarding=1",
    ]);
  });

  it("takes the shortest path through a chain of routers", () => {
    // h1 - r1 - r2 - r3 - h2, and a shortcut r1 - r3.
    const t = parseTopology(`name: chain
addressing: { ipv4: 10.0.0.0/16 }
routing: static
nodes:
  r1: { kind: router }
  r2: { kind: router }
  r3: { kind: router }
  h1: {}
  h2: {}
links:
  - [h1:eth0, r1:eth0]
  - [r1:eth1, r2:eth1]
  - [r2:eth2, r3:eth2]
  - [r3:eth0, h2:eth0]
  - [r1:eth3, r3:eth3]
`);
    // r1 reaches h2's subnet (10.0.0.12/30) via r3 directly (1 hop), not via r2 (2 hops).
    const r3Shortcut = t.nodes.find((n) => n.name === "r3")!.interfaces.find((i) => i.name === "eth3")!
      .addresses[0]!.address;
    expect(routes(t, "r1")).toContain(`10.0.0.12/30 via ${r3Shortcut}`);
    expect(routes(t, "h1")).toEqual(["0.0.0.0/0 via 10.0.0.1"]);
  });

  it("gives a host specific routes when two routers on its subnet lead to different places", () => {
    const t = parseTopology(`name: two
addressing: { ipv4: 10.0.0.0/16 }
routing: static
nodes:
  ra: { kind: router }
  rb: { kind: router }
  h: {}
  a: {}
  b: {}
  lan: { kind: bridge }
links:
  - [h:eth0, lan:p1]
  - [ra:eth0, lan:p2]
  - [rb:eth0, lan:p3]
  - [ra:eth1, a:eth0]
  - [rb:eth1, b:eth0]
`);
    expect(routes(t, "h")).toEqual(["10.0.1.0/30 via 10.0.0.1", "10.0.1.4/30 via 10.0.0.2"]);
    // ra reaches b's subnet through rb on the shared LAN.
    expect(routes(t, "ra")).toEqual(["10.0.1.4/30 via 10.0.0.2"]);
  });

  it("keeps routes written in the file, and computes nothing for a host with its own default", () => {
    const t = parseTopology(`name: manual
routing: static
nodes:
  r1: { kind: router, interfaces: { eth0: 10.1.0.1/24, eth1: 10.2.0.1/30 } }
  r2:
    kind: router
    interfaces: { eth1: 10.2.0.2/30, eth0: 10.3.0.1/24 }
    routes: [{ to: 10.1.0.0/24, via: 10.2.0.1, metric: 5 }]
  h1: { interfaces: { eth0: 10.1.0.2/24 }, routes: [{ to: default, via: 10.1.0.1 }] }
  h3: { interfaces: { eth0: 10.3.0.2/24 } }
links:
  - [h1:eth0, r1:eth0]
  - [r1:eth1, r2:eth1]
  - [r2:eth0, h3:eth0]
`);
    expect(routes(t, "r2")).toEqual(["10.1.0.0/24 via 10.2.0.1 (manual)"]);
    expect(routes(t, "h1")).toEqual(["0.0.0.0/0 via 10.1.0.1 (manual)"]);
    expect(routes(t, "h3")).toEqual(["0.0.0.0/0 via 10.3.0.1"]);
  });

  it("treats a namespace with ip_forward set as a router", () => {
    const t = parseTopology(`name: fwd
routing: static
nodes:
  r: { interfaces: { eth0: 10.1.0.1/24, eth1: 10.2.0.1/24 }, sysctls: { net.ipv4.ip_forward: 1 } }
  a: { interfaces: { eth0: 10.1.0.2/24 } }
  b: { interfaces: { eth0: 10.2.0.2/24 } }
links:
  - [a:eth0, r:eth0]
  - [r:eth1, b:eth0]
`);
    expect(routes(t, "a")).toEqual(["0.0.0.0/0 via 10.1.0.1"]);
    expect(routes(t, "b")).toEqual(["0.0.0.0/0 via 10.2.0.1"]);
  });
});
