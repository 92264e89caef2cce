/**
 * `routing: bgp`: the BGP configuration nslab writes for a router. Each router is an AS of its own
 * (or its `as:`); every router-to-router link (a veth, or a LAN with other routers) gets a session
 * per address family both ends have there, and every router announces its connected networks.
 * `no bgp ebgp-requires-policy` (without it FRR ≥ 7.4 accepts and sends nothing over eBGP) and
 * short timers (keepalive 3 s, connect retry 1 s, no advertisement delay) so labs converge in
 * seconds. Directly linked routers that share an AS speak iBGP, with next-hop-self. Pure.
 */
import type { NetnsNode } from "../../model/types.js";
import type { ConfigBlock, ConfigLine } from "./config.js";
import { type Port, sharedSubnetAddress } from "./ports.js";

/** One BGP session of a router. */
export interface BgpNeighbor {
  family: 4 | 6;
  /** The peer's address (on the shared subnet). */
  address: string;
  as: number;
  /** The peer router's name. */
  node: string;
}

/** The sessions router `r` opens: one per peer router, link and family with addresses on both ends. */
export function bgpNeighbors(ports: readonly Port[]): BgpNeighbor[] {
  const out: BgpNeighbor[] = [];
  for (const port of ports)
    for (const peer of port.peers) {
      if (peer.node.frr?.generated !== "bgp" || peer.node.frr.as === undefined) continue;
      for (const family of [4, 6] as const) {
        const shared = sharedSubnetAddress(port.iface, peer.iface, family);
        if (shared) out.push({ family, address: shared.theirs, as: peer.node.frr.as, node: peer.node.name });
      }
    }
  return out;
}

/** The `router bgp` block of router `r`. */
export function bgpBlocks(r: NetnsNode, ports: readonly Port[]): ConfigBlock[] {
  const frr = r.frr!;
  const neighbors = bgpNeighbors(ports);
  const line = (text: string): ConfigLine => ({ daemon: "bgpd", text });
  const lines: ConfigLine[] = [
    line(` bgp router-id ${frr.routerId}`),
    line(" bgp log-neighbor-changes"),
    line(" no bgp ebgp-requires-policy"),
    line(" no bgp default ipv4-unicast"),
    line(" no bgp network import-check"),
    line(" timers bgp 3 9"),
  ];
  for (const n of neighbors) {
    lines.push(line(` neighbor ${n.address} remote-as ${n.as}`));
    lines.push(line(` neighbor ${n.address} description ${n.node}`));
    lines.push(line(` neighbor ${n.address} timers connect 1`));
    lines.push(line(` neighbor ${n.address} advertisement-interval 0`));
  }
  const has = (family: 4 | 6) => r.interfaces.some((i) => i.addresses.some((a) => a.family === family));
  for (const family of [4, 6] as const) {
    if (!has(family)) continue;
    lines.push(line(` address-family ipv${family} unicast`), line("  redistribute connected"));
    for (const n of neighbors) {
      if (n.family !== family) continue;
      lines.push(line(`  neighbor ${n.address} activate`));
      if (n.as === frr.as) lines.push(line(`  neighbor ${n.address} next-hop-self`));
    }
    lines.push(line(" exit-address-family"));
  }
  return [{ head: `router bgp ${frr.as}`, daemon: "bgpd", lines }];
}
