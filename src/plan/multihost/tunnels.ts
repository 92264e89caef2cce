/**
 * The links of a multi-machine lab that cross from one machine to another, planned: each becomes
 * a VXLAN tunnel with a VNI (the link's own `vni:`, else one derived from the lab name, skipping
 * every VNI in use on either machine for that UDP port and every one the lab took already) and an
 * inner MTU (the lower underlay MTU of its two ends minus VXLAN's 50 bytes, 70 over IPv6). That MTU
 * goes to every interface of the layer-2 segment the tunnel extends, so no frame is too big for it;
 * an MTU written in the file that cannot fit is reported. Pure.
 */
import type { SourceLocation } from "../../errors.js";
import { innerMtu, VXLAN_PORT } from "../../model/hosts.js";
import type { EndpointRef, Host, Topology } from "../../model/types.js";
import { fnv1a32 } from "../../util/hash.js";
import { ASSUMED_UNDERLAY_MTU, type MachineFacts } from "./facts.js";

/** One end of a tunnel. */
export interface TunnelSide {
  host: string;
  end: EndpointRef;
  /** The underlay device toward the other machine (probed). */
  dev?: string;
  /** The underlay MTU toward the other machine (written, probed, or assumed). */
  underlayMtu: number;
}

/** A link between two machines. */
export interface Tunnel {
  /** Its index in `links`. */
  link: number;
  a: TunnelSide;
  b: TunnelSide;
  vni: number;
  port: number;
  family: 4 | 6;
  /** The largest frame payload that crosses it: min(underlay MTUs) minus the VXLAN headers. */
  mtu: number;
  src?: SourceLocation;
}

/** The tunnels of a lab, and what planning them found. */
export interface TunnelPlan {
  tunnels: Tunnel[];
  /** `node:iface` → the MTU it gets because its segment crosses a tunnel (not written in the file). */
  mtus: Map<string, number>;
  /** Reasons the lab cannot be brought up as it is. */
  errors: string[];
  /** Things worth saying (an MTU that cannot fit, an assumed underlay MTU). */
  warnings: string[];
}

/** VNIs live in 1 … 2^24-1. */
const VNI_MAX = 0xff_ffff;

/** Where a lab's VNIs start: derived from its name, so two labs rarely start at the same place. */
export function vniBase(lab: string): number {
  const h = fnv1a32(lab);
  return (((h ^ (h >>> 24)) & VNI_MAX) % (VNI_MAX - 4096)) + 1;
}

/** Plan the tunnels of `t` (every node placed) from what the machines told (`facts`, by host name). */
export function planTunnels(t: Topology, facts: ReadonlyMap<string, MachineFacts>): TunnelPlan {
  const errors: string[] = [];
  const warnings: string[] = [];
  const hosts = new Map((t.hosts ?? []).map((h) => [h.name, h]));
  const hostOf = new Map(t.nodes.map((n) => [n.name, n.host]));
  const port = t.vxlanPort ?? VXLAN_PORT;
  const used = new Map<string, Set<number>>();
  for (const [name, f] of facts)
    used.set(name, new Set(f.vnis.filter((v) => v.port === port).map((v) => v.vni)));
  const taken = new Set<number>();
  const assumed = new Set<string>();

  const side = (host: Host, peer: Host, end: EndpointRef): TunnelSide => {
    const path = facts.get(host.name)?.paths[peer.underlay];
    if (path && "error" in path)
      errors.push(
        `host ${host.name} has no path to host ${peer.name}'s underlay address ${peer.underlay}: ${path.error}`,
      );
    const probed = path && !("error" in path) ? path : undefined;
    let underlayMtu = host.mtu ?? probed?.mtu;
    if (underlayMtu === undefined) {
      underlayMtu = ASSUMED_UNDERLAY_MTU;
      assumed.add(host.name);
    }
    return { host: host.name, end, ...(probed ? { dev: probed.dev } : {}), underlayMtu };
  };

  const tunnels: Tunnel[] = [];
  let next = vniBase(t.name);
  t.links.forEach((link, index) => {
    const ha = hosts.get(hostOf.get(link.a.node) ?? "");
    const hb = hosts.get(hostOf.get(link.b.node) ?? "");
    if (!ha || !hb || ha.name === hb.name) return;
    const where = `link ${link.a.node}:${link.a.iface} – ${link.b.node}:${link.b.iface}`;
    if (ha.family !== hb.family) {
      errors.push(
        `${where} joins host ${ha.name} (IPv${ha.family} underlay) and host ${hb.name} (IPv${hb.family}): a tunnel needs both ends in one family`,
      );
      return;
    }
    const inUse = (v: number) => taken.has(v) || !!used.get(ha.name)?.has(v) || !!used.get(hb.name)?.has(v);
    let vni = link.vni;
    if (vni !== undefined) {
      if (inUse(vni) && !taken.has(vni))
        errors.push(
          `${where}: VNI ${vni} is in use on ${used.get(ha.name)?.has(vni) ? `host ${ha.name}` : `host ${hb.name}`} (UDP port ${port})`,
        );
    } else {
      while (inUse(next)) next = (next % VNI_MAX) + 1;
      vni = next;
      next = (next % VNI_MAX) + 1;
    }
    taken.add(vni);
    const a = side(ha, hb, link.a);
    const b = side(hb, ha, link.b);
    tunnels.push({
      link: index,
      a,
      b,
      vni,
      port,
      family: ha.family,
      mtu: innerMtu(Math.min(a.underlayMtu, b.underlayMtu), ha.family),
      ...(link.src ? { src: link.src } : {}),
    });
  });
  for (const h of assumed)
    warnings.push(
      `host ${h}: the underlay MTU was not probed; assuming ${ASSUMED_UNDERLAY_MTU} (write 'mtu:' under hosts.${h} if it is smaller)`,
    );
  const mtus = segmentMtus(t, tunnels, warnings);
  return { tunnels, mtus, errors, warnings };
}

/**
 * The MTU each interface gets from the tunnels its broadcast domain crosses: every interface of a
 * domain (the ends of its links, and every port of its switches) gets the lowest inner MTU of the
 * domain's tunnels, unless the file sets one — then a warning when it cannot fit.
 */
function segmentMtus(t: Topology, tunnels: readonly Tunnel[], warnings: string[]): Map<string, number> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (x: string, y: string) => {
    const rx = find(x);
    const ry = find(y);
    if (rx !== ry) parent.set(ry, rx);
  };
  const key = (r: EndpointRef) => `${r.node}:${r.iface}`;
  const written = new Map<string, number>();
  for (const n of t.nodes) {
    const sw = n.kind !== "netns";
    for (const i of n.interfaces) {
      if (sw) union(`switch ${n.name}`, `${n.name}:${i.name}`);
      if (i.mtu !== undefined) written.set(`${n.name}:${i.name}`, i.mtu);
    }
  }
  for (const l of t.links) {
    union(key(l.a), key(l.b));
    if (l.mtu !== undefined) for (const r of [l.a, l.b]) if (!written.has(key(r))) written.set(key(r), l.mtu);
  }
  const domainMtu = new Map<string, { mtu: number; via: Tunnel }>();
  for (const tun of tunnels) {
    const root = find(key(tun.a.end));
    const cur = domainMtu.get(root);
    if (!cur || tun.mtu < cur.mtu) domainMtu.set(root, { mtu: tun.mtu, via: tun });
  }
  const out = new Map<string, number>();
  for (const n of t.nodes)
    for (const i of n.interfaces) {
      const k = `${n.name}:${i.name}`;
      const d = domainMtu.get(find(k));
      if (!d) continue;
      const mine = written.get(k);
      if (mine === undefined) out.set(k, d.mtu);
      else if (mine > d.mtu)
        warnings.push(
          `${k} has MTU ${mine}, which cannot fit through the tunnel ${key(d.via.a.end)} – ${key(d.via.b.end)} (inner MTU ${d.mtu}): frames bigger than ${d.mtu} bytes would be dropped silently`,
        );
    }
  for (const n of t.nodes)
    if (n.kind === "bridge" && n.mtu !== undefined) {
      const d = domainMtu.get(find(`switch ${n.name}`));
      if (d && n.mtu > d.mtu)
        warnings.push(
          `bridge ${n.name} has MTU ${n.mtu}, which cannot fit through the tunnel ${key(d.via.a.end)} – ${key(d.via.b.end)} (inner MTU ${d.mtu})`,
        );
    }
  return out;
}
