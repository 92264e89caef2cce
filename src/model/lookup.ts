/** Lookups over a Topology shared by planning and verification: who neighbours whom. */
import type { Topology } from "./types.js";

/** Each node's neighbours over the lab's links (both directions; a node with no link is absent). */
export function adjacency(t: Topology): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  const edge = (a: string, b: string) => {
    const l = adj.get(a);
    if (l) l.push(b);
    else adj.set(a, [b]);
  };
  for (const l of t.links) {
    edge(l.a.node, l.b.node);
    edge(l.b.node, l.a.node);
  }
  return adj;
}
