/**
 * Layer-2 segments: which namespace interfaces hear each other's broadcasts. A veth pair between
 * two namespaces is a segment of its own; bridges joined by links (bridge-to-bridge veth pairs)
 * form one segment per VLAN. Addressing gives each segment one subnet, routing uses segments as
 * its networks, and the ping matrix only pairs addresses on the same segment. Pure.
 */
import type { SourceLocation } from "../errors.js";
import type { EndpointRef, Interface, Node, Topology } from "./types.js";

/** One broadcast domain. */
export interface Segment {
  /** Position in the order segments first appear in `links` (stable for the same file). */
  index: number;
  /** `p2p`: a veth pair straight between two namespaces; `lan`: through bridges. */
  kind: "p2p" | "lan";
  /** Namespace interfaces on the segment, in link order. */
  ends: EndpointRef[];
  /** For messages: `h1:eth0–h2:eth0`, `br0`, `sw vlan 10`. */
  label: string;
  /** The first link of the segment. */
  src?: SourceLocation;
}

/** The segments of `t`, in the order their first link appears. Bridges with no namespace are left out. */
export function l2Segments(t: Topology): Segment[] {
  const nodes = new Map(t.nodes.map((n) => [n.name, n]));
  const vlans = new Set<number>([0]);
  for (const n of t.nodes) for (const i of n.interfaces) if (i.vlan !== undefined) vlans.add(i.vlan);
  const uf = new UnionFind();
  const epKey = (r: EndpointRef) => `ep\u0000${r.node}\u0000${r.iface}`;
  const brKey = (bridge: string, vlan: number) => `br\u0000${bridge}\u0000${vlan}`;
  const firstLink = new Map<string, number>();
  const iface = (r: EndpointRef): Interface | undefined =>
    nodes.get(r.node)?.interfaces.find((i) => i.name === r.iface);
  const isNs = (n: Node | undefined) => n?.kind === "netns";

  t.links.forEach((link, li) => {
    const na = nodes.get(link.a.node);
    const nb = nodes.get(link.b.node);
    if (!na || !nb) return;
    const ends: [EndpointRef, Node][] = [
      [link.a, na],
      [link.b, nb],
    ];
    for (const [r, n] of ends) if (isNs(n) && !firstLink.has(epKey(r))) firstLink.set(epKey(r), li);
    if (isNs(na) && isNs(nb)) {
      uf.union(epKey(link.a), epKey(link.b));
      return;
    }
    if (isNs(na) || isNs(nb)) {
      const [ep, bridge] = isNs(na) ? [link.a, link.b] : [link.b, link.a];
      uf.union(epKey(ep), brKey(bridge.node, iface(bridge)?.vlan ?? 0));
      return;
    }
    // Bridge to bridge: untagged ends carry every VLAN; a tagged end maps its VLAN to the other side.
    const ta = iface(link.a)?.vlan;
    const tb = iface(link.b)?.vlan;
    if (ta === undefined && tb === undefined)
      for (const v of vlans) uf.union(brKey(link.a.node, v), brKey(link.b.node, v));
    else uf.union(brKey(link.a.node, ta ?? 0), brKey(link.b.node, tb ?? 0));
  });

  // Group namespace ends by their root; order groups by their first link.
  const groups = new Map<string, { ends: EndpointRef[]; first: number }>();
  const ordered = [...firstLink.entries()].sort((x, y) => x[1] - y[1]);
  const refs = new Map<string, EndpointRef>();
  for (const link of t.links) for (const r of [link.a, link.b]) refs.set(epKey(r), r);
  for (const [key, li] of ordered) {
    const root = uf.find(key);
    const g = groups.get(root) ?? { ends: [], first: li };
    g.ends.push(refs.get(key)!);
    groups.set(root, g);
  }
  const bridgesOf = new Map<string, Set<string>>();
  for (const key of uf.keys()) {
    if (!key.startsWith("br\u0000")) continue;
    const [, bridge, vlan] = key.split("\u0000") as [string, string, string];
    const root = uf.find(key);
    const set = bridgesOf.get(root) ?? new Set<string>();
    set.add(vlan === "0" ? bridge : `${bridge} vlan ${vlan}`);
    bridgesOf.set(root, set);
  }
  return [...groups.entries()]
    .sort((x, y) => x[1].first - y[1].first)
    .map(([root, g], index) => {
      const bridges = bridgesOf.get(root);
      const kind = bridges && bridges.size > 0 ? "lan" : "p2p";
      const label =
        kind === "lan" ? [...bridges!].join("+") : g.ends.map((e) => `${e.node}:${e.iface}`).join("–");
      const src = t.links[g.first]?.src;
      return { index, kind, ends: g.ends, label, ...(src ? { src } : {}) };
    });
}

/** `node:iface` → index of its segment. */
export function segmentIndex(segments: readonly Segment[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of segments) for (const e of s.ends) out.set(`${e.node}:${e.iface}`, s.index);
  return out;
}

class UnionFind {
  readonly #parent = new Map<string, string>();

  find(x: string): string {
    let p = this.#parent.get(x);
    if (p === undefined) {
      this.#parent.set(x, x);
      return x;
    }
    let root = x;
    while (p !== root) {
      root = p;
      p = this.#parent.get(root)!;
    }
    // Path compression.
    let cur = x;
    while (cur !== root) {
      const next = this.#parent.get(cur)!;
      this.#parent.set(cur, root);
      cur = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }

  keys(): IterableIterator<string> {
    return this.#parent.keys();
  }
}
