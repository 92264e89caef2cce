/**
 * Host limits a lab would run into, found at plan time with the numbers and the fix — before
 * anything is created. Pure: the topology and the host's limits in, problems out. `errors` make
 * `up` refuse (the lab cannot come up); `warnings` are said and `up` goes on (the lab comes up, but
 * some traffic patterns will hit the limit). nslab never changes the host's sysctls itself.
 */
import { networkOf, subnetOf } from "../model/ip.js";
import { adjacency } from "../model/lookup.js";
import type { Topology } from "../model/types.js";
import type { HostLimits } from "./host.js";

/** One limit, with what it means and how to lift it. */
export interface LimitProblem {
  message: string;
  hint: string;
}

/** Kernel memory one host of a lab takes (namespace, veth pair, bridge port), measured here: ~410 kB. */
export const KB_PER_NAMESPACE = 512;

/** How many network namespaces `t` makes. */
export function namespacesOf(t: Topology): number {
  return t.nodes.filter((n) => n.kind === "netns").length;
}

/** The limits `t` would hit on a host with `limits`. */
export function checkHostLimits(
  t: Topology,
  limits: HostLimits,
): { errors: LimitProblem[]; warnings: LimitProblem[] } {
  const errors: LimitProblem[] = [];
  const warnings: LimitProblem[] = [];
  const namespaces = namespacesOf(t);

  if (limits.maxNetNamespaces !== undefined && limits.netnsNow + namespaces > limits.maxNetNamespaces)
    errors.push({
      message: `the lab needs ${namespaces} network namespaces; ${limits.netnsNow} exist and the host allows ${limits.maxNetNamespaces} (user.max_net_namespaces)`,
      hint: `raise it: sysctl -w user.max_net_namespaces=${limits.netnsNow + namespaces + 1000}`,
    });

  if (
    limits.mountMax !== undefined &&
    limits.mountsNow !== undefined &&
    limits.mountsNow + namespaces > limits.mountMax
  )
    errors.push({
      message: `each named namespace is a mount under /run/netns: the lab needs ${namespaces}, ${limits.mountsNow} exist and fs.mount-max is ${limits.mountMax}`,
      hint: `raise it: sysctl -w fs.mount-max=${limits.mountsNow + namespaces + 10000}`,
    });

  if (limits.memAvailableKb !== undefined) {
    const needKb = namespaces * KB_PER_NAMESPACE;
    if (needKb > limits.memAvailableKb * 0.8)
      errors.push({
        message: `the lab's ${namespaces} namespaces need about ${Math.round(needKb / 1024)} MiB of kernel memory (~${KB_PER_NAMESPACE} kB each); ${Math.round(limits.memAvailableKb / 1024)} MiB are available`,
        hint: "use fewer hosts, or a host with more memory",
      });
  }

  // The neighbour tables are shared by every namespace on the host. A host that talks to every
  // other host of its subnet needs an entry for each; all of them at once need one per pair.
  for (const family of [4, 6] as const) {
    const table = family === 4 ? limits.neigh4 : limits.neigh6;
    if (!table) continue;
    const largest = largestSubnet(t, family);
    if (!largest) continue;
    const sysctl = `net.ipv${family}.neigh.default.gc_thresh3`;
    const pairs = largest.hosts * (largest.hosts - 1);
    if (largest.hosts - 1 > table.gcThresh3)
      warnings.push({
        message: `${largest.hosts} hosts share ${largest.subnet}: one host reaching all the others needs ${largest.hosts - 1} neighbour entries, more than the kernel's neighbour table holds for the whole host (${sysctl} = ${table.gcThresh3}, shared by every namespace; ${table.entries} in use); traffic beyond that is dropped ("neighbour table overflow"). nslab ping paces itself to stay within it`,
        hint: `to lift it: sysctl -w ${sysctl}=${roundUp(largest.hosts * 2)} (and gc_thresh2, gc_thresh1 below it)`,
      });
    else if (pairs > table.gcThresh3)
      warnings.push({
        message: `${largest.hosts} hosts share ${largest.subnet}: every host reaching every other needs ${pairs} neighbour entries at once; the kernel's neighbour table holds ${table.gcThresh3} for the whole host (${sysctl}, shared by every namespace; ${table.entries} in use). nslab ping paces itself to stay within it; other all-to-all traffic will see "neighbour table overflow"`,
        hint: `to lift it: sysctl -w ${sysctl}=${roundUp(pairs)} (and gc_thresh2, gc_thresh1 below it)`,
      });
  }
  // A broadcast (an ARP request) is copied to every port of every bridge it crosses; each copy
  // sent into a veth waits in the receiving CPU's backlog, which holds netdev_max_backlog packets.
  if (limits.netdevMaxBacklog !== undefined) {
    const peak = broadcastPeak(t);
    if (peak > limits.netdevMaxBacklog)
      warnings.push({
        message: `a broadcast (e.g. an ARP request) in this lab can have up to ${peak} copies waiting for delivery at once, more than the kernel queues per CPU (net.core.netdev_max_backlog = ${limits.netdevMaxBacklog}): copies beyond are dropped, so address resolution between far-apart hosts fails at random. Wide trees fan out at once; a chain (linear,K,N) delivers switch by switch`,
        hint: `to lift it: sysctl -w net.core.netdev_max_backlog=${roundUp(peak * 2)}`,
      });
  }
  return { errors, warnings };
}

/**
 * The most packets one broadcast keeps queued at once, modelled as first-in-first-out delivery
 * (one CPU): a bridge that receives a frame queues a copy for each of its other links; a namespace
 * node takes it. Sent from the first namespace node. 0 for topologies with loops (spanning tree).
 */
export function broadcastPeak(t: Topology): number {
  const isBridge = new Set(t.nodes.filter((n) => n.kind !== "netns").map((n) => n.name));
  if (t.nodes.some((n) => n.kind !== "netns" && n.stp)) return 0;
  const adj = adjacency(t);
  const source = t.nodes.find((n) => n.kind === "netns");
  if (!source) return 0;
  // The queue as a list with a moving head: (node the copy arrives at, node it came from).
  const at: string[] = [];
  const from: string[] = [];
  for (const m of adj.get(source.name) ?? []) {
    at.push(m);
    from.push(source.name);
  }
  let head = 0;
  let peak = at.length;
  const limit = 10 * (t.links.length + t.nodes.length);
  while (head < at.length && at.length < limit) {
    const node = at[head]!;
    const prev = from[head]!;
    head++;
    if (isBridge.has(node)) {
      let skipped = false;
      for (const m of adj.get(node) ?? []) {
        if (m === prev && !skipped) {
          skipped = true; // not back out of the link it came in on
          continue;
        }
        at.push(m);
        from.push(node);
      }
    }
    peak = Math.max(peak, at.length - head);
  }
  return peak;
}

/** The subnet of `family` with the most hosts (distinct namespace nodes). */
function largestSubnet(t: Topology, family: 4 | 6): { subnet: string; hosts: number } | undefined {
  const groups = new Map<string, { subnet: string; nodes: Set<string> }>();
  for (const n of t.nodes)
    if (n.kind === "netns")
      for (const i of n.interfaces)
        for (const a of i.addresses) {
          if (a.family !== family) continue;
          const key = `${a.prefix}/${networkOf(a)}`;
          let g = groups.get(key);
          if (!g) {
            g = { subnet: subnetOf(a), nodes: new Set() };
            groups.set(key, g);
          }
          g.nodes.add(n.name);
        }
  let best: { subnet: string; hosts: number } | undefined;
  for (const g of groups.values())
    if (g.nodes.size > 1 && (!best || g.nodes.size > best.hosts))
      best = { subnet: g.subnet, hosts: g.nodes.size };
  return best;
}

/** A round number at least `n` (for a suggested setting). */
function roundUp(n: number): number {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return Math.ceil(n / p) * p;
}
