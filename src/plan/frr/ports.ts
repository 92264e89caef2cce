/**
 * What a router's interfaces face, for the configurations nslab writes: a point-to-point veth to
 * another FRR router, a LAN (a bridge segment) with other FRR routers on it, a host-facing segment
 * (no other FRR router: passive), or its loopback. Pure.
 */
import type { Family } from "../../model/ip.js";
import { subnetOf } from "../../model/ip.js";
import { l2Segments } from "../../model/segments.js";
import type { Interface, NetnsNode, Topology } from "../../model/types.js";

/** An FRR router on the far side of an interface, with its interface there. */
export interface Peer {
  node: NetnsNode;
  iface: Interface;
}

/** One interface of a router, and what it faces. */
export interface Port {
  iface: Interface;
  /** `p2p`: a veth pair to another router; `lan`: a segment with other routers; `stub`: no other router; `loopback`: lo. */
  faces: "p2p" | "lan" | "stub" | "loopback";
  /** The other FRR routers on its segment, in node order. */
  peers: Peer[];
}

/** The FRR routers of `t`, in node order. */
export function frrRouters(t: Topology): NetnsNode[] {
  return t.nodes.filter((n): n is NetnsNode => n.kind === "netns" && n.frr !== undefined);
}

/** Every FRR router's ports (its interfaces, lo first when it has addresses), keyed by router name. */
export function routerPorts(t: Topology): Map<string, Port[]> {
  const routers = frrRouters(t);
  const isRouter = new Map(routers.map((r) => [r.name, r]));
  const segments = l2Segments(t);
  const segmentOf = new Map<string, (typeof segments)[number]>();
  for (const s of segments) for (const e of s.ends) segmentOf.set(`${e.node}:${e.iface}`, s);
  const out = new Map<string, Port[]>();
  for (const r of routers) {
    const ports: Port[] = [];
    const lo = r.interfaces.find((i) => i.name === "lo");
    if (lo && lo.addresses.length > 0) ports.push({ iface: lo, faces: "loopback", peers: [] });
    for (const iface of r.interfaces) {
      if (iface.name === "lo") continue;
      const seg = segmentOf.get(`${r.name}:${iface.name}`);
      const peers: Peer[] = [];
      for (const e of seg?.ends ?? []) {
        if (e.node === r.name) continue;
        const node = isRouter.get(e.node);
        const far = node?.interfaces.find((i) => i.name === e.iface);
        if (node && far) peers.push({ node, iface: far });
      }
      const faces = peers.length === 0 ? "stub" : seg?.kind === "p2p" ? "p2p" : "lan";
      ports.push({ iface, faces, peers });
    }
    out.set(r.name, ports);
  }
  return out;
}

/** The subnets of one family on a router's interfaces (lo's addresses included), in order. */
export function routerSubnets(r: NetnsNode, family: Family): string[] {
  const out: string[] = [];
  for (const i of r.interfaces)
    for (const a of i.addresses) if (a.family === family && !out.includes(subnetOf(a))) out.push(subnetOf(a));
  return out;
}

/** The router's address on `iface` that shares a subnet with `other` (IPv4 or IPv6), if any. */
export function sharedSubnetAddress(
  mine: Interface,
  other: Interface,
  family: Family,
): { mine: string; theirs: string } | undefined {
  for (const a of mine.addresses) {
    if (a.family !== family) continue;
    const b = other.addresses.find((x) => x.family === family && subnetOf(x) === subnetOf(a));
    if (b) return { mine: a.address, theirs: b.address };
  }
  return undefined;
}
