/** Convergence: what each router must have (from the topology), what vtysh's JSON says, and what a router lacks. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonDocuments, notRunning, sessionsIn } from "../../../src/drivers/frr/observe.js";
import { loadTopology, parseTopology } from "../../../src/model/load.js";
import {
  convergenceExpectations,
  lacking,
  observedSubnets,
  type RouterExpectation,
  type RouterObservation,
  sessionUp,
} from "../../../src/plan/frr/converge.js";
import type { DumpAddr, DumpRoute, NsDump } from "../../../src/plan/observed.js";

/** vtysh's output as FRR 8.4.4 wrote it here (r1 of a pair of routers, see the file names). */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

const daemons = (names: string[], routers: string[]) => new Map(routers.map((r) => [r, names]));

/** A namespace's dump with these addresses and routes (`dev` names an ifindex; lo is 1). */
function dump(
  addrs: [string, string][],
  routes: { dst: string; dev: string; via?: string; proto?: number }[],
): NsDump {
  const devs = [
    "lo",
    ...new Set([...addrs.map((a) => a[0]), ...routes.map((r) => r.dev)].filter((d) => d !== "lo")),
  ];
  const ifindex = (d: string) => devs.indexOf(d) + 1;
  const fam = (x: string): 4 | 6 => (x.includes(":") ? 6 : 4);
  return {
    links: devs.map((name, i) => ({ ifindex: i + 1, name }) as NsDump["links"][number]),
    addrs: addrs.map(
      ([dev, cidr]): DumpAddr => ({ ifindex: ifindex(dev), family: fam(cidr), cidr, scope: "global" }),
    ),
    routes: routes.map(
      (r): DumpRoute => ({
        family: fam(r.dst),
        dst: r.dst,
        gateway: r.via ?? null,
        oif: ifindex(r.dev),
        metric: null,
        protocol: r.proto ?? (r.via ? 188 : 2),
        scope: r.via ? 0 : 253,
        table: 254,
      }),
    ),
  };
}

describe("vtysh's JSON", () => {
  it("reads OSPF neighbours, and skips the line of a daemon that is not running", () => {
    const text = fixture("ospf-neighbor-p2p.txt");
    const docs = jsonDocuments(text);
    expect(docs).toHaveLength(1);
    expect(docs.flatMap(sessionsIn)).toEqual([{ protocol: "ospf", id: "10.255.0.2", state: "Full/-" }]);
    expect(notRunning(text)).toEqual(["bgpd"]);
    expect(notRunning("% ospfd is not running\n")).toEqual(["ospfd"]);
  });

  it("reads OSPFv3 neighbours with their interface state, as OSPFv2 shows them", () => {
    const sessions = jsonDocuments(fixture("ospf6-neighbor-p2p.txt")).flatMap(sessionsIn);
    expect(sessions).toEqual([{ protocol: "ospf6", id: "10.255.0.2", state: "Full/PointToPoint" }]);
    expect(sessionUp("ospf6", sessions[0]!.state)).toBe(true);
  });

  it("reads BGP peers of every address family", () => {
    const sessions = jsonDocuments(fixture("bgp-summary.txt")).flatMap(sessionsIn);
    expect(sessions).toEqual([{ protocol: "bgp", id: "10.100.0.2", state: "Established" }]);
    const two = `${fixture("bgp-summary.txt")}{\n"ipv6Unicast":{"peers":{"fd00::2":{"state":"Active"}}}\n}\n`;
    expect(jsonDocuments(two).flatMap(sessionsIn)).toContainEqual({
      protocol: "bgp",
      id: "fd00::2",
      state: "Active",
    });
  });

  it("keeps braces inside strings, and ignores text that only looks like JSON", () => {
    expect(jsonDocuments('{"a":"}{"}\nnot { json\n{"b":[1,{"c":2}]}\n{broken\n')).toEqual([
      { a: "}{" },
      { b: [1, { c: 2 }] },
    ]);
  });

  it("says which states are up", () => {
    expect(sessionUp("ospf", "Full/DR")).toBe(true);
    expect(sessionUp("ospf", "2-Way/DROther")).toBe(true);
    expect(sessionUp("ospf", "2-Way/DR")).toBe(false);
    expect(sessionUp("ospf", "ExStart/-")).toBe(false);
    expect(sessionUp("bgp", "Established")).toBe(true);
    expect(sessionUp("bgp", "Active")).toBe(false);
  });
});

describe("what each router must have", () => {
  it("OSPF ring: each router's two ring neighbours (v2 and v3), and every other router's subnets", async () => {
    const t = await loadTopology("examples/ospf-ring.yaml");
    const e = convergenceExpectations(
      t,
      daemons(["zebra", "staticd", "ospfd", "ospf6d"], ["r1", "r2", "r3", "r4"]),
    );
    expect(e.map((x) => x.node)).toEqual(["r1", "r2", "r3", "r4"]);
    const r1 = e[0]!;
    expect(r1.protocols).toEqual(["ospf", "ospf6"]);
    expect(r1.neighbors).toEqual([
      { protocol: "ospf", id: "10.255.0.2", node: "r2" },
      { protocol: "ospf6", id: "10.255.0.2", node: "r2" },
      { protocol: "ospf", id: "10.255.0.4", node: "r4" },
      { protocol: "ospf6", id: "10.255.0.4", node: "r4" },
    ]);
    // Not its own subnets; r3's host segment and loopback (both families); the r2–r3 link.
    expect(r1.routes).toContain("10.60.0.20/30");
    expect(r1.routes).toContain("fd00:60:0:5::/64");
    expect(r1.routes).toContain("10.255.0.3/32");
    expect(r1.routes).toContain("fd00:255::3/128");
    expect(r1.routes).toContain("10.60.0.4/30");
    expect(r1.routes).not.toContain("10.60.0.0/30");
    expect(r1.routes).not.toContain("10.255.0.1/32");
    // 6 subnets per family, minus r1's own 3 (two ring links and its host segment) plus the 3 other loopbacks.
    expect(r1.routes!.filter((s) => !s.includes(":"))).toHaveLength(6 - 3 + 3);
  });

  it("BGP: sessions by address, across AS (eBGP) and inside one (iBGP)", async () => {
    const t = await loadTopology("examples/bgp.yaml");
    const e = convergenceExpectations(t, daemons(["zebra", "staticd", "bgpd"], ["r1", "r2", "r3"]));
    expect(e.find((x) => x.node === "r2")!.neighbors).toEqual([
      { protocol: "bgp", id: "10.70.0.5", node: "r1" },
      { protocol: "bgp", id: "10.70.0.10", node: "r3" },
    ]);
    expect(e.find((x) => x.node === "r1")!.routes).toContain("10.255.2.1/32");
  });

  it("a user's frr.conf: every session FRR lists, and one at least when another router is linked", () => {
    const t = parseTopology(`
name: own
nodes:
  a: { kind: router, frr: { config: a.conf, daemons: [ospfd] }, interfaces: { eth0: 10.1.0.1/30 } }
  b: { kind: router, frr: { config: b.conf, daemons: [ospfd] }, interfaces: { eth0: 10.1.0.2/30, eth1: 10.2.0.1/24 } }
  h: { interfaces: { eth0: 10.2.0.2/24 } }
links: [[a:eth0, b:eth0], [b:eth1, h:eth0]]
`);
    const e = convergenceExpectations(t, daemons(["zebra", "staticd", "ospfd"], ["a", "b"]));
    expect(e).toEqual([
      { node: "a", netns: "a", protocols: ["ospf"], minSessions: 1 },
      { node: "b", netns: "b", protocols: ["ospf"], minSessions: 1 },
    ]);
  });
});

describe("what a router lacks", () => {
  const ring = async () => {
    const t = await loadTopology("examples/ospf-ring.yaml");
    return convergenceExpectations(t, daemons(["zebra", "staticd", "ospfd"], ["r1", "r2", "r3", "r4"]));
  };

  it("names a router not read, neighbours not up or not listed, and subnets without a route", async () => {
    const e = (await ring()).filter((x) => x.node === "r1");
    const r1 = e[0]!;
    const have = dump(
      [
        ["lo", "10.255.0.1/32"],
        ["eth1", "10.60.0.1/30"],
        ["eth0", "10.60.0.14/30"],
        ["eth2", "10.60.0.17/30"],
      ],
      [
        { dst: "10.60.0.0/30", dev: "eth1" },
        { dst: "10.60.0.12/30", dev: "eth0" },
        { dst: "10.60.0.16/30", dev: "eth2" },
        ...r1
          .routes!.filter((s) => s !== "10.60.0.20/30")
          .map((dst) => ({ dst, dev: "eth1", via: "10.60.0.2" })),
      ],
    );
    const seen = new Map<string, RouterObservation>([
      ["r1", { dump: have, neighbors: [{ protocol: "ospf", id: "10.255.0.2", state: "Init/-" }] }],
    ]);
    expect(lacking(e, seen)).toEqual([
      {
        node: "r1",
        neighbors: ["ospf 10.255.0.2 (r2): Init/-", "ospf 10.255.0.4 (r4): not listed"],
        routes: ["10.60.0.20/30"],
      },
    ]);
    expect(lacking(e, new Map([["r1", { error: "ospfd is not running" }]]))).toEqual([
      { node: "r1", neighbors: [], routes: [], error: "ospfd is not running" },
    ]);
    expect(lacking(e, new Map())).toEqual([{ node: "r1", neighbors: [], routes: [], error: "not read" }]);
  });

  it("has converged when every neighbour is up and every subnet routed (host routes without their /32)", async () => {
    const [r1] = await ring();
    const routes = r1!.routes!.map((s) => ({
      dst: s.endsWith("/32") ? s.slice(0, -3) : s,
      dev: "eth1",
      via: "10.60.0.2",
    }));
    const seen = new Map<string, RouterObservation>([
      [
        "r1",
        {
          dump: dump([["eth1", "10.60.0.1/30"]], routes),
          neighbors: [
            { protocol: "ospf", id: "10.255.0.2", state: "Full/-" },
            { protocol: "ospf", id: "10.255.0.4", state: "Full/-" },
          ],
        },
      ],
    ]);
    expect(lacking([r1!], seen)).toEqual([]);
  });

  it("a user's frr.conf: subnets learnt from the routers' connected routes, lo's left out", () => {
    const a: RouterExpectation = { node: "a", netns: "a", protocols: ["ospf"], minSessions: 1 };
    const b: RouterExpectation = { node: "b", netns: "b", protocols: ["ospf"], minSessions: 1 };
    const da = dump(
      [
        ["eth0", "10.1.0.1/30"],
        ["lo", "10.10.10.1/32"],
      ],
      [
        { dst: "10.1.0.0/30", dev: "eth0" },
        { dst: "10.10.10.9/32", dev: "lo" },
      ],
    );
    const db = dump(
      [
        ["eth0", "10.1.0.2/30"],
        ["eth1", "10.2.0.1/24"],
      ],
      [
        { dst: "10.1.0.0/30", dev: "eth0" },
        { dst: "10.2.0.0/24", dev: "eth1" },
      ],
    );
    expect(observedSubnets([da, db]).sort()).toEqual(["10.1.0.0/30", "10.2.0.0/24"]);
    const seen = new Map<string, RouterObservation>([
      ["a", { dump: da, neighbors: [] }],
      ["b", { dump: db, neighbors: [{ protocol: "ospf", id: "10.1.0.1", state: "ExStart/DR" }] }],
    ]);
    expect(lacking([a, b], seen)).toEqual([
      {
        node: "a",
        neighbors: ["no ospf session up yet (a router is linked to it)"],
        routes: ["10.2.0.0/24"],
      },
      { node: "b", neighbors: ["ospf 10.1.0.1: ExStart/DR"], routes: [] },
    ]);
  });
});
