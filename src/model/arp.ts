/**
 * Static ARP (`arp: static`, Mininet's `--arp`): every namespace gets a permanent neighbour entry
 * for each IPv4 address of the other namespaces on its layer-2 segments that it could ARP for (an
 * address in a subnet of its own interface there), so no host ever broadcasts an ARP request.
 * Entries need the MACs at plan time: an interface on such a segment without a written MAC gets a
 * locally administered one derived from its name. Pure.
 */
import type { Problem, SourceLocation } from "../errors.js";
import { contains } from "./ip.js";
import type { Segment } from "./segments.js";
import type { Interface, NetnsNode, Topology } from "./types.js";

/** More permanent entries than this (all segments together) are refused: kernel memory, and time. */
export const MAX_STATIC_ARP_ENTRIES = 250_000;

/** Fill `neighbors` of every namespace node of `t` (and MACs where needed); problems are returned. */
export function addStaticArp(t: Topology, segments: readonly Segment[], src: SourceLocation): Problem[] {
  t.arp = "static";
  const nodes = new Map<string, NetnsNode>();
  for (const n of t.nodes) if (n.kind === "netns") nodes.set(n.name, n);
  const ifaceOf = (node: string, iface: string) => nodes.get(node)?.interfaces.find((i) => i.name === iface);
  let total = 0;
  for (const s of segments) {
    const v4 = s.ends.filter((e) => ifaceOf(e.node, e.iface)?.addresses.some((a) => a.family === 4)).length;
    total += v4 * (v4 - 1);
  }
  if (total > MAX_STATIC_ARP_ENTRIES)
    return [
      {
        message: `arp: static would make ${total} permanent ARP entries (each host of a segment gets one for every other); nslab makes at most ${MAX_STATIC_ARP_ENTRIES}`,
        location: src,
        hint: "leave ARP dynamic for a lab this large",
      },
    ];
  assignMacs(t, segments, ifaceOf);
  for (const s of segments)
    for (const self of s.ends) {
      const node = nodes.get(self.node);
      const mine = ifaceOf(self.node, self.iface);
      if (!node || !mine) continue;
      const own = mine.addresses.filter((a) => a.family === 4);
      for (const other of s.ends) {
        if (other.node === self.node && other.iface === self.iface) continue;
        const theirs = ifaceOf(other.node, other.iface);
        if (!theirs?.mac) continue;
        for (const a of theirs.addresses)
          if (a.family === 4 && own.some((o) => contains(o, a))) {
            node.neighbors ??= [];
            node.neighbors.push({ dev: mine.ifname, address: a.address, mac: theirs.mac });
          }
      }
    }
  return [];
}

/** A MAC for every interface on a segment that has none, unique within the lab. */
function assignMacs(
  t: Topology,
  segments: readonly Segment[],
  ifaceOf: (node: string, iface: string) => Interface | undefined,
): void {
  const used = new Set<string>();
  for (const n of t.nodes) for (const i of n.interfaces) if (i.mac) used.add(i.mac);
  for (const s of segments)
    for (const e of s.ends) {
      const i = ifaceOf(e.node, e.iface);
      if (!i || i.mac) continue;
      let salt = 0;
      let mac = macFor(`${e.node}:${e.iface}`, salt);
      while (used.has(mac)) mac = macFor(`${e.node}:${e.iface}`, ++salt);
      used.add(mac);
      i.mac = mac;
    }
}

/** `02:` (locally administered, unicast) and 40 bits of FNV-1a of the name. */
function macFor(name: string, salt: number): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of `${salt}\u0000${name}`) {
    h ^= BigInt(ch.codePointAt(0)!);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  const bytes = [0x02, ...Array.from({ length: 5 }, (_, k) => Number((h >> BigInt(8 * k)) & 0xffn))];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
