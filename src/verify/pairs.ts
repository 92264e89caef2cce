/**
 * Which pings prove a lab works: from every namespace node to every address of another node that
 * shares a subnet with it on the same layer-2 segment (two VLANs may reuse a subnet; they are meant
 * not to reach each other). The source uses its own address on that subnet. For labs too big for
 * every pair: a sample that always includes the pair farthest apart in the topology. Pure.
 */

import type { Cidr } from "../model/ip.js";
import { networkOf } from "../model/ip.js";
import { adjacency } from "../model/lookup.js";
import { l2Segments, segmentIndex } from "../model/segments.js";
import type { Topology } from "../model/types.js";
import { mulberry32 } from "../util/hash.js";

/** One ping to make. */
export interface PingPair {
  /** Source node and the namespace it is. */
  from: string;
  netns: string;
  /** Source address (on the shared subnet); without it the kernel picks one (routed pings). */
  source?: string;
  /** Destination node:interface and address. */
  to: string;
  target: string;
  /** The destination's namespace (whose neighbour table learns the source), when it is a node. */
  toNetns?: string;
  family: 4 | 6;
}

/** An address of a namespace node, as a ping end. */
interface HostAddr {
  node: string;
  netns: string;
  iface: string;
  addr: Cidr;
}

/** Addresses of namespace nodes, grouped by subnet (family, prefix, network) and layer-2 segment. */
function subnets(t: Topology): HostAddr[][] {
  const segmentOf = segmentIndex(l2Segments(t));
  const groups = new Map<string, HostAddr[]>();
  for (const n of t.nodes)
    if (n.kind === "netns")
      for (const i of n.interfaces)
        for (const a of i.addresses) {
          const key = `${a.family}/${a.prefix}/${networkOf(a)}/${segmentOf.get(`${n.name}:${i.name}`)}`;
          const list = groups.get(key);
          const h = { node: n.name, netns: n.netns, iface: i.name, addr: a };
          if (list) list.push(h);
          else groups.set(key, [h]);
        }
  return [...groups.values()];
}

function pair(src: HostAddr, dst: HostAddr): PingPair {
  return {
    from: src.node,
    netns: src.netns,
    source: src.addr.address,
    to: `${dst.node}:${dst.iface}`,
    target: dst.addr.address,
    toNetns: dst.netns,
    family: src.addr.family,
  };
}

/** How many pairs {@link subnetPairs} would list (without listing them). */
export function countSubnetPairs(t: Topology): number {
  let count = 0;
  for (const g of subnets(t)) {
    const perNode = new Map<string, number>();
    for (const h of g) perNode.set(h.node, (perNode.get(h.node) ?? 0) + 1);
    count += g.length * g.length;
    for (const k of perNode.values()) count -= k * k;
  }
  return count;
}

/** Every (source node, destination address) pair on a shared subnet, sources in node order. */
export function subnetPairs(t: Topology): PingPair[] {
  const order = new Map(t.nodes.map((n, i) => [n.name, i]));
  const pairs: { rank: number; p: PingPair }[] = [];
  for (const g of subnets(t))
    for (const src of g)
      for (const dst of g)
        if (src.node !== dst.node) pairs.push({ rank: order.get(src.node)!, p: pair(src, dst) });
  // Stable: within a source, destinations keep topology order.
  return pairs.sort((a, b) => a.rank - b.rank).map((x) => x.p);
}

/**
 * `count` distinct subnet pairs drawn uniformly (the same ones for the same topology), without
 * listing every pair: a 10,000-host lab on one subnet has 10⁸ of them.
 */
export function samplePairs(t: Topology, count: number, seed = 0x6e736c): PingPair[] {
  const groups = subnets(t).filter((g) => new Set(g.map((h) => h.node)).size > 1);
  const weights = groups.map((g) => g.length * (g.length - 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: PingPair[] = [];
  if (total === 0) return out;
  const want = Math.min(count, countSubnetPairs(t));
  const seen = new Set<string>();
  const rnd = mulberry32(seed);
  for (let tries = 0; out.length < want && tries < want * 20; tries++) {
    let r = rnd() * total;
    let gi = 0;
    while (r >= weights[gi]! && gi < groups.length - 1) r -= weights[gi++]!;
    const g = groups[gi]!;
    const src = g[Math.floor(rnd() * g.length)]!;
    const dst = g[Math.floor(rnd() * g.length)]!;
    if (src.node === dst.node) continue;
    const key = `${src.netns}/${src.addr.address}/${dst.addr.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(pair(src, dst));
  }
  return out;
}

/**
 * The pair of namespace nodes farthest apart in the topology's link graph (hops through bridges
 * and namespaces; found by a double breadth-first sweep, exact on trees), as pings both ways
 * between addresses they share a subnet on. Empty when no such pair shares a subnet.
 */
export function farthestPairs(t: Topology): PingPair[] {
  const adj = adjacency(t);
  const hosts = new Set(t.nodes.filter((n) => n.kind === "netns").map((n) => n.name));
  const farthestFrom = (start: string): string => {
    const dist = new Map([[start, 0]]);
    const queue = [start];
    let best = start;
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      const d = dist.get(n)!;
      if (hosts.has(n) && d > (dist.get(best) ?? 0)) best = n;
      for (const m of adj.get(n) ?? [])
        if (!dist.has(m)) {
          dist.set(m, d + 1);
          queue.push(m);
        }
    }
    return best;
  };
  const first = t.nodes.find((n) => n.kind === "netns");
  if (!first) return [];
  const a = farthestFrom(farthestFrom(first.name));
  const b = farthestFrom(a);
  if (a === b) return [];
  for (const g of subnets(t)) {
    const x = g.find((h) => h.node === a);
    const y = g.find((h) => h.node === b);
    if (x && y) return [pair(x, y), pair(y, x)];
  }
  return [];
}
