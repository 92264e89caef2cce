/**
 * What a topology file asks nslab to work out once its nodes and links are resolved: automatic
 * addresses, FRR in the routers (router IDs, AS numbers), static routes, routes out through NAT
 * gateways and their name servers, static ARP entries, expectations; and the order problems are
 * reported in. Pure.
 */
import type { Problem } from "../errors.js";
import type { TopologySource } from "../sources/source.js";
import { allocateAddresses, type Pool, parsePool } from "./addressing.js";
import { addStaticArp } from "./arp.js";
import { resolveExpectations } from "./expect.js";
import { resolveFrr } from "./frr.js";
import { addNatRoutes, natProblems } from "./nat.js";
import { addNatDns } from "./nat-dns.js";
import { addStaticRoutes } from "./routing.js";
import { l2Segments } from "./segments.js";
import type { Topology } from "./types.js";

/** What the file asks nslab to work out: automatic addresses, static routes, expectations. */
export function derive(
  t: Topology,
  spec: TopologySource,
  optOut: ReadonlySet<string>,
  problems: Problem[],
): void {
  const raw = spec.raw;
  const segments = l2Segments(t);
  if (raw.addressing) {
    const pools: Partial<Record<4 | 6, Pool>> = {};
    for (const family of [4, 6] as const) {
      const key = family === 4 ? "ipv4" : "ipv6";
      const text = raw.addressing[key];
      if (text === undefined) continue;
      const src = spec.locate(["addressing", key]);
      const pool = parsePool(text, family);
      if (typeof pool === "string") problems.push({ message: pool, location: src });
      else pools[family] = { cidr: pool, src };
    }
    const { info, problems: found } = allocateAddresses(t, segments, { pools, optOut });
    t.addressing = info;
    problems.push(...found);
  }
  resolveFrr(t, raw, spec.locate, problems);
  if (raw.routing === "static" || raw.routing === "ospf" || raw.routing === "bgp") {
    t.routing = raw.routing;
    // With a routing daemon in the routers, hosts still need routes to their routers.
    addStaticRoutes(t, segments, spec.locate(["routing"]), { routers: raw.routing === "static" });
  }
  // Hosts (and with routing: static, routers) routed out through the NAT gateways.
  addNatRoutes(t, segments, raw.routing === "static" ? spec.locate(["routing"]) : undefined);
  problems.push(...natProblems(t));
  // Their name servers (`dns:`): an /etc/resolv.conf in each node's own view.
  addNatDns(t);
  if (raw.arp === "static") problems.push(...addStaticArp(t, segments, spec.locate(["arp"])));
  if (raw.expect && raw.expect.length > 0) {
    const { expectations, problems: found } = resolveExpectations(raw.expect, t, spec.locate);
    t.expect = expectations;
    problems.push(...found);
  }
}

/** File order, so output reads top to bottom. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (x, y) =>
      (x.location?.line ?? 0) - (y.location?.line ?? 0) ||
      (x.location?.column ?? 0) - (y.location?.column ?? 0),
  );
}
