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
