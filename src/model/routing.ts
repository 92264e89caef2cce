/**
 * `routing: static`: the routes a lab of routers needs when no routing daemon runs, computed from
 * the addresses. Networks are (segment, subnet) pairs; routers (namespaces that forward a family:
 * `kind: router`, or the forwarding sysctl set) are neighbours when they share a network (a node's
 * loopback addresses are networks of their own). Every
 * router gets a route to every subnet it is not on, through the first hop of a shortest path (fewest
 * routers); every host gets a default route through its router when one router serves all remote
 * subnets, and one route per remote subnet otherwise. Routes written in the file win: a node keeps
 * its own route to a destination, and a host with its own default route gets nothing computed for
 * that family. Ties go to the node written first, so the same file gives the same routes. Pure.
 */
import type { SourceLocation } from "../errors.js";
import { type Family, subnetOf } from "./ip.js";
import type { Segment } from "./segments.js";
import type { NetnsNode, Route, Sysctl, Topology } from "./types.js";

const DEFAULT: Record<Family, string> = { 4: "0.0.0.0/0", 6: "::/0" };

/** Whether `n` forwards packets of `family`. */
export function forwards(n: NetnsNode, family: Family): boolean {
  if (n.router) return true;
  const key = family === 4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
  return n.sysctls.some((s) => s.key.replaceAll("/", ".") === key && s.value.trim() !== "0");
}

/**
 * The forwarding sysctls a node of `kind` implies (at `src`, its `kind:`), those its own `sysctls`
 * do not set already: a router forwards both families, a NAT gateway IPv4 (NAT is IPv4).
 */
export function forwardingSysctls(kind: "router" | "nat", sysctls: readonly Sysctl[], src: SourceLocation) {
  return ["net.ipv4.ip_forward", ...(kind === "router" ? ["net.ipv6.conf.all.forwarding"] : [])]
    .filter((key) => !sysctls.some((x) => x.key.replaceAll("/", ".") === key))
    .map((key): Sysctl => ({ key, value: "1", src }));
}

interface Net {
  subnet: string;
  /** Node name → its address on this network. */
  members: Map<string, string>;
}

/**
 * Add the computed routes to the nodes of `t` (marked `computed`); returns how many were added.
 * `routers: false` computes only the hosts' routes (the routers run a routing daemon).
 */
export function addStaticRoutes(
  t: Topology,
  segments: readonly Segment[],
  src?: SourceLocation,
  options: { routers?: boolean } = {},
): number {
  const hosts = t.nodes.filter((n): n is NetnsNode => n.kind === "netns");
  const order = new Map(hosts.map((n, i) => [n.name, i]));
  let added = 0;
  for (const family of [4, 6] as const) {
    const nets = networks(t, segments, family, order);
    const netsOf = new Map<string, number[]>();
    nets.forEach((net, i) => {
      for (const node of net.members.keys()) netsOf.set(node, [...(netsOf.get(node) ?? []), i]);
    });
    const routers = hosts.filter((n) => forwards(n, family) && netsOf.has(n.name));
    const isRouter = new Set(routers.map((r) => r.name));
    // For every router: hops to each network (through the closest router on it) and the gateway.
    const reach = new Map(routers.map((r) => [r.name, reachNets(r.name, nets, netsOf, isRouter, order)]));

    const add = (node: NetnsNode, to: string, via: string) => {
      if (node.routes.some((r) => r.family === family && r.to === to)) return;
      const route: Route = { family, to, via, computed: true, ...(src ? { src } : {}) };
      node.routes.push(route);
      added++;
    };

    for (const r of options.routers === false ? [] : routers) {
      const toNet = reach.get(r.name)!;
      const direct = new Set((netsOf.get(r.name) ?? []).map((i) => nets[i]!.subnet));
      const done = new Set<string>();
      nets.forEach((net, i) => {
        const way = toNet[i];
        if (direct.has(net.subnet) || done.has(net.subnet) || !way) return;
        done.add(net.subnet);
        add(r, net.subnet, way.gateway);
      });
    }

    // Hosts on the same networks with the same routers get the same routes: work them out once.
    const decided = new Map<string, { to: string; via: string }[]>();
    for (const h of hosts) {
      if (isRouter.has(h.name)) continue;
      if (h.routes.some((r) => r.family === family && r.to === DEFAULT[family])) continue;
      const own = netsOf.get(h.name) ?? [];
      // The routers this host can hand packets to, with its gateway address for each.
      const gateways = new Map<string, string>();
      for (const i of own)
        for (const [node, address] of nets[i]!.members)
          if (isRouter.has(node) && !gateways.has(node)) gateways.set(node, address);
      if (gateways.size === 0) continue;
      const key = `${own.join(",")}|${[...gateways].flat().join(",")}`;
      let chosen = decided.get(key);
      if (!chosen) {
        chosen = hostRoutes(own, gateways, nets, reach, order, family);
        decided.set(key, chosen);
      }
      for (const c of chosen) add(h, c.to, c.via);
    }
  }
  return added;
}

/** The networks of a family in segment order: one per (segment, subnet). */
function networks(
  t: Topology,
  segments: readonly Segment[],
  family: Family,
  order: Map<string, number>,
): Net[] {
  const ifaces = new Map<string, NetnsNode["interfaces"][number]>();
  for (const n of t.nodes)
    if (n.kind === "netns") for (const i of n.interfaces) ifaces.set(`${n.name}:${i.name}`, i);
  const out: Net[] = [];
  for (const s of segments) {
    const bySubnet = new Map<string, Net>();
    for (const e of s.ends)
      for (const a of ifaces.get(`${e.node}:${e.iface}`)?.addresses ?? []) {
        if (a.family !== family) continue;
        const subnet = subnetOf(a);
        let net = bySubnet.get(subnet);
        if (!net) {
          net = { subnet, members: new Map() };
          bySubnet.set(subnet, net);
          out.push(net);
        }
        if (!net.members.has(e.node)) net.members.set(e.node, a.address);
      }
    for (const net of bySubnet.values())
      net.members = new Map([...net.members].sort((x, y) => (order.get(x[0]) ?? 0) - (order.get(y[0]) ?? 0)));
  }
  // Loopback addresses: a network of one node each.
  for (const n of t.nodes)
    if (n.kind === "netns")
      for (const a of n.interfaces.find((i) => i.name === "lo")?.addresses ?? [])
        if (a.family === family) out.push({ subnet: subnetOf(a), members: new Map([[n.name, a.address]]) });
  return out;
}

/**
 * From router `start`: for each network (by index), the fewest routers to a router on it and the
 * gateway (first hop's address) that leads there; undefined where no router path leads.
 * Breadth-first in node order, so ties go to the router written first.
 */
function reachNets(
  start: string,
  nets: readonly Net[],
  netsOf: Map<string, number[]>,
  isRouter: ReadonlySet<string>,
  order: Map<string, number>,
): ({ hops: number; gateway: string } | undefined)[] {
  const routers = new Map<string, { hops: number; gateway: string }>([[start, { hops: 0, gateway: "" }]]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const x of frontier) {
      const here = routers.get(x)!;
      for (const i of netsOf.get(x) ?? [])
        for (const [y, address] of nets[i]!.members) {
          if (!isRouter.has(y) || routers.has(y)) continue;
          // Leaving `start`, the gateway is the neighbour's address; further on it is inherited.
          routers.set(y, { hops: here.hops + 1, gateway: x === start ? address : here.gateway });
          next.push(y);
        }
    }
    frontier = next;
  }
  return nets.map((net) => {
    let best: { hops: number; gateway: string; rank: number } | undefined;
    for (const node of net.members.keys()) {
      const p = routers.get(node);
      if (!p) continue;
      const rank = order.get(node) ?? 0;
      if (!best || p.hops < best.hops || (p.hops === best.hops && rank < best.rank)) best = { ...p, rank };
    }
    return best ? { hops: best.hops, gateway: best.gateway } : undefined;
  });
}

/**
 * A host's routes: for each remote network the gateway whose router is closest to it (ties: the
 * router written first); one default route when that is always the same gateway.
 */
function hostRoutes(
  own: readonly number[],
  gateways: Map<string, string>,
  nets: readonly Net[],
  reach: Map<string, ({ hops: number; gateway: string } | undefined)[]>,
  order: Map<string, number>,
  family: Family,
): { to: string; via: string }[] {
  const direct = new Set(own.map((i) => nets[i]!.subnet));
  const chosen = new Map<string, string>(); // remote subnet → gateway address
  nets.forEach((net, i) => {
    if (direct.has(net.subnet) || chosen.has(net.subnet)) return;
    let best: { cost: number; rank: number; gateway: string } | undefined;
    for (const [g, address] of gateways) {
      const way = reach.get(g)![i];
      if (!way) continue;
      const rank = order.get(g)!;
      if (!best || way.hops < best.cost || (way.hops === best.cost && rank < best.rank))
        best = { cost: way.hops, rank, gateway: address };
    }
    if (best) chosen.set(net.subnet, best.gateway);
  });
  const via = new Set(chosen.values());
  if (via.size === 1) return [{ to: DEFAULT[family], via: [...via][0]! }];
  return [...chosen].map(([to, gateway]) => ({ to, via: gateway }));
}
