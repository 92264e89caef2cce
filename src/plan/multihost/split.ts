/**
 * A multi-machine lab cut into one ordinary lab per machine: each machine's part holds its nodes
 * whole (with everything written on them, so whatever a node carries travels with it to its
 * machine), the links between them, and its ends of the tunnels to other machines. Automatic
 * addresses and computed routes were worked out over the whole lab before the cut, so every part
 * agrees with the others. A part is what `nslab remote` brings up on its machine. Pure.
 */
import type { Host, Topology, TunnelEnd } from "../../model/types.js";
import type { Tunnel } from "./tunnels.js";

/** The machines that get at least one node, in the order of `hosts:`. */
export function usedHosts(t: Topology): Host[] {
  const used = new Set(t.nodes.map((n) => n.host));
  return (t.hosts ?? []).filter((h) => used.has(h.name));
}

/** The part of `t` on machine `host`. */
export function partFor(
  t: Topology,
  host: string,
  tunnels: readonly Tunnel[],
  mtus: ReadonlyMap<string, number>,
): Topology {
  const hosts = new Map((t.hosts ?? []).map((h) => [h.name, h]));
  const nodes = structuredClone(t.nodes.filter((n) => n.host === host));
  for (const n of nodes)
    for (const i of n.interfaces) {
      const mtu = mtus.get(`${n.name}:${i.name}`);
      if (mtu !== undefined && i.mtu === undefined) i.mtu = mtu;
    }
  const mine = new Set(nodes.map((n) => n.name));
  const crossing = new Set(tunnels.map((x) => x.link));
  const links = structuredClone(
    t.links.filter((l, i) => !crossing.has(i) && mine.has(l.a.node) && mine.has(l.b.node)),
  );
  const ends: TunnelEnd[] = [];
  for (const tun of tunnels) {
    const [self, other] = tun.a.host === host ? [tun.a, tun.b] : tun.b.host === host ? [tun.b, tun.a] : [];
    if (!self || !other) continue;
    const link = t.links[tun.link]!;
    ends.push({
      end: self.end,
      peer: other.end,
      peerHost: other.host,
      vni: tun.vni,
      local: hosts.get(self.host)!.underlay,
      remote: hosts.get(other.host)!.underlay,
      port: tun.port,
      ...(self.dev !== undefined ? { dev: self.dev } : {}),
      mtu: link.mtu !== undefined && link.mtu < tun.mtu ? link.mtu : tun.mtu,
      ...(link.shaping ? { shaping: structuredClone(link.shaping) } : {}),
      ...(link.src ? { src: link.src } : {}),
    });
  }
  const part: Topology = {
    name: t.name,
    ...(t.file !== undefined ? { file: t.file } : {}),
    prefix: t.prefix,
    nodes,
    links,
    ...(t.addressing ? { addressing: structuredClone(t.addressing) } : {}),
    ...(t.routing ? { routing: t.routing } : {}),
    part: { host, hosts: (t.hosts ?? []).map((h) => ({ name: h.name, ssh: h.ssh })) },
    tunnels: ends,
  };
  return part;
}
