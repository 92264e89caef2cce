/** Small lookups over a Topology, shared by planning, verification and the CLI. */
import type { Interface, NetnsNode, Node, Topology } from "./types.js";

export function findNode(t: Topology, name: string): Node | undefined {
  return t.nodes.find((n) => n.name === name);
}

export function findInterface(t: Topology, node: string, iface: string): Interface | undefined {
  return findNode(t, node)?.interfaces.find((i) => i.name === iface);
}

export function netnsNodes(t: Topology): NetnsNode[] {
  return t.nodes.filter((n): n is NetnsNode => n.kind === "netns");
}

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
