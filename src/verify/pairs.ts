/**
 * Which pings prove a lab works: from every namespace node to every address of another node that
 * shares a subnet with it (the source uses its own address on that subnet). Pure.
 */

import type { Cidr } from "../model/ip.js";
import { sameSubnet } from "../model/ip.js";
import type { Topology } from "../model/types.js";

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
  family: 4 | 6;
}

/** Every (source node, destination address) pair on a shared subnet, sources in node order. */
export function subnetPairs(t: Topology): PingPair[] {
  const hosts: { node: string; netns: string; iface: string; addr: Cidr }[] = [];
  for (const n of t.nodes)
    if (n.kind === "netns")
      for (const i of n.interfaces)
        for (const a of i.addresses) hosts.push({ node: n.name, netns: n.netns, iface: i.name, addr: a });
  const pairs: PingPair[] = [];
  for (const src of hosts)
    for (const dst of hosts) {
      if (src.node === dst.node || !sameSubnet(src.addr, dst.addr)) continue;
      pairs.push({
        from: src.node,
        netns: src.netns,
        source: src.addr.address,
        to: `${dst.node}:${dst.iface}`,
        target: dst.addr.address,
        family: src.addr.family,
      });
    }
  return pairs;
}
