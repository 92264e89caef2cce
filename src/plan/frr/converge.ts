/**
 * When routing has converged, and what a router still lacks when it has not. A router has converged
 * when its routing sessions are up — OSPF neighbours Full (2-Way between two others on a LAN), BGP
 * sessions Established — and the kernel has a route to every subnet it should reach. For the
 * configurations nslab writes both are known from the topology: the neighbours are the routers on
 * its router links, the subnets are those of every router its protocol connects it to (per address
 * family). For a user's frr.conf they are learnt from the lab as it runs: every neighbour FRR lists
 * must be up, and the subnets are those on the FRR routers' interfaces (loopbacks left out, as a
 * configuration need not announce them). Pure.
 */
import type { Family } from "../../model/ip.js";
import type { NetnsNode, Topology } from "../../model/types.js";
import type { NsDump } from "../observed.js";
import { bgpNeighbors } from "./bgp.js";
import { ospfOn } from "./ospf.js";
import { frrRouters, type Port, routerPorts, routerSubnets } from "./ports.js";
import { labRoutesIpv6 } from "./routers.js";

/** A routing protocol whose sessions are checked. */
export type Protocol = "ospf" | "ospf6" | "bgp";

/** A session a router must have up. */
export interface ExpectedNeighbor {
  protocol: Protocol;
  /** OSPF: the neighbour's router ID; BGP: its address. */
  id: string;
  /** The neighbour router's name. */
  node: string;
}

/** What one router must have for the lab to have converged. */
export interface RouterExpectation {
  node: string;
  netns: string;
  /** The protocols whose neighbours are read (the daemons it runs). */
  protocols: Protocol[];
  /** Sessions that must be up; undefined for a user's frr.conf (then: every session FRR lists). */
  neighbors?: ExpectedNeighbor[];
  /** Subnets the kernel must route (CIDR); undefined for a user's frr.conf (learnt from the lab). */
  routes?: string[];
  /** A user's frr.conf: sessions that must be up at least (when it has a router next to it). */
  minSessions?: number;
}

/** A neighbour as FRR reports it. */
export interface NeighborState {
  protocol: Protocol;
  id: string;
  /** FRR's words: `Full/-`, `Full/DR`, `2-Way/DROther`, `Established`, `Active`, … */
  state: string;
}

/** What one router has now. */
export interface RouterObservation {
  dump?: NsDump;
  neighbors?: NeighborState[];
  /** Why it could not be read. */
  error?: string;
}

/** A router that has not converged, and what it lacks. */
export interface Lacking {
  node: string;
  /** Sessions not up: `ospf 10.255.0.2 (r2): Init`, `bgp 10.0.0.2 (r3): not listed`. */
  neighbors: string[];
  /** Subnets with no route in the kernel. */
  routes: string[];
  error?: string;
}

/** The expectations of every FRR router of `t` (for a user's frr.conf, only its protocols). */
export function convergenceExpectations(
  t: Topology,
  daemonsOf: ReadonlyMap<string, string[]>,
): RouterExpectation[] {
  const ports = routerPorts(t);
  const routers = frrRouters(t);
  const ospf6 = labRoutesIpv6(t);
  const byName = new Map(routers.map((r) => [r.name, r]));
  // The sessions of the generated configurations, as a graph per protocol (OSPF per family).
  const links = new Map<string, ExpectedNeighbor[]>();
  for (const r of routers) links.set(r.name, sessions(r, ports.get(r.name) ?? [], byName, ospf6));
  return routers.map((r) => {
    const daemons = daemonsOf.get(r.name) ?? [];
    const protocols: Protocol[] = [];
    if (daemons.includes("ospfd")) protocols.push("ospf");
    if (daemons.includes("ospf6d")) protocols.push("ospf6");
    if (daemons.includes("bgpd")) protocols.push("bgp");
    if (!r.frr!.generated) {
      // A user's configuration: at least one session up when it has a router next to it.
      const next = (ports.get(r.name) ?? []).some((p) => p.peers.length > 0);
      return {
        node: r.name,
        netns: r.netns,
        protocols,
        ...(next && protocols.length > 0 ? { minSessions: 1 } : {}),
      };
    }
    // Sessions of a protocol whose daemon the router does not run cannot be read (nor be up).
    const neighbors = (links.get(r.name) ?? []).filter((n) => protocols.includes(n.protocol));
    const routes: string[] = [];
    for (const family of [4, 6] as const) {
      const own = new Set(routerSubnets(r, family));
      for (const other of reachable(r.name, family, links))
        for (const s of routerSubnets(byName.get(other)!, family))
          if (!own.has(s) && !routes.includes(s)) routes.push(s);
    }
    return { node: r.name, netns: r.netns, protocols, neighbors, routes };
  });
}

/** The sessions router `r` forms with generated configurations on both ends. */
function sessions(
  r: NetnsNode,
  ports: readonly Port[],
  byName: ReadonlyMap<string, NetnsNode>,
  ospf6: boolean,
): ExpectedNeighbor[] {
  const routing = r.frr!.generated;
  if (routing === "bgp")
    return bgpNeighbors(ports).map((n) => ({ protocol: "bgp" as const, id: n.address, node: n.node }));
  if (routing !== "ospf") return [];
  const out: ExpectedNeighbor[] = [];
  for (const port of ports)
    for (const peer of port.peers) {
      if (peer.node.frr?.generated !== "ospf") continue;
      const far = { iface: peer.iface, faces: port.faces, peers: [] };
      for (const [protocol, family] of [
        ["ospf", 4],
        ["ospf6", 6],
      ] as const)
        if (ospfOn(r, port, family, ospf6) && ospfOn(byName.get(peer.node.name)!, far, family, ospf6))
          out.push({ protocol, id: peer.node.frr.routerId, node: peer.node.name });
    }
  return out;
}

/** The routers `start` exchanges routes of `family` with, directly or through others (itself included). */
function reachable(start: string, family: Family, links: ReadonlyMap<string, ExpectedNeighbor[]>): string[] {
  const carries = (p: Protocol, id: string) =>
    p === "bgp" ? id.includes(":") === (family === 6) : p === (family === 4 ? "ospf" : "ospf6");
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const x = queue.shift()!;
    for (const n of links.get(x) ?? [])
      if (carries(n.protocol, n.id) && !seen.has(n.node)) {
        seen.add(n.node);
        queue.push(n.node);
      }
  }
  return [...seen];
}

/** Whether FRR's word for a session means it is up. */
export function sessionUp(protocol: Protocol, state: string): boolean {
  if (protocol === "bgp") return state === "Established";
  const s = state.split("/")[0];
  // Two routers that are neither DR nor BDR on a LAN stay in 2-Way: that is their final state.
  return s === "Full" || (s === "2-Way" && /DROther/.test(state));
}

/** A route's destination as a CIDR (`ip -json` writes host routes without their /32 or /128). */
function cidrOf(dst: string, family: Family): string {
  return dst.includes("/") ? dst : `${dst}/${family === 4 ? 32 : 128}`;
}

/**
 * The subnets of the FRR routers' interfaces as the kernel has them (for users' configurations:
 * frr01's addresses exist only in its frr.conf), loopbacks and link-local addresses left out.
 */
export function observedSubnets(dumps: Iterable<NsDump>): string[] {
  const out = new Set<string>();
  for (const d of dumps) {
    const lo = d.links.find((l) => l.name === "lo")?.ifindex;
    for (const r of d.routes) {
      // The kernel's connected routes (IPv4 ones have link scope; IPv6 ones are global), not lo's.
      const connected = r.protocol === 2 && r.gateway === null && (r.family === 6 || r.scope === 253);
      if (connected && r.oif !== lo && !/^f[ef]/i.test(r.dst)) out.add(cidrOf(r.dst, r.family));
    }
  }
  return [...out];
}

/** Which routers lack what; empty when the lab has converged. */
export function lacking(
  expectations: readonly RouterExpectation[],
  seen: ReadonlyMap<string, RouterObservation>,
): Lacking[] {
  const learnt = observedSubnets(
    expectations.flatMap((e) => {
      const d = seen.get(e.node)?.dump;
      return e.routes === undefined && d ? [d] : [];
    }),
  );
  const out: Lacking[] = [];
  for (const e of expectations) {
    const o = seen.get(e.node);
    if (!o || o.error || !o.dump) {
      out.push({ node: e.node, neighbors: [], routes: [], error: o?.error ?? "not read" });
      continue;
    }
    const routed = new Set(o.dump.routes.map((r) => cidrOf(r.dst, r.family)));
    const own = new Set(observedSubnets([o.dump]));
    for (const a of o.dump.addrs)
      if (a.scope !== "link") own.add(a.cidr.replace(/\/\d+$/, a.family === 4 ? "/32" : "/128"));
    const routes = (e.routes ?? learnt).filter((s) => !routed.has(s) && !own.has(s));
    const states = o.neighbors ?? [];
    const neighbors: string[] = [];
    if (e.neighbors)
      for (const n of e.neighbors) {
        const s = states.find((x) => x.protocol === n.protocol && x.id === n.id);
        if (!s || !sessionUp(n.protocol, s.state))
          neighbors.push(`${n.protocol} ${n.id} (${n.node}): ${s ? s.state : "not listed"}`);
      }
    else {
      for (const s of states)
        if (!sessionUp(s.protocol, s.state)) neighbors.push(`${s.protocol} ${s.id}: ${s.state}`);
      const up = states.filter((s) => sessionUp(s.protocol, s.state)).length;
      // Sessions listed but not up are named already.
      if (up < (e.minSessions ?? 0) && neighbors.length === 0)
        neighbors.push(`no ${e.protocols.join("/")} session up yet (a router is linked to it)`);
    }
    if (routes.length > 0 || neighbors.length > 0) out.push({ node: e.node, neighbors, routes });
  }
  return out;
}
