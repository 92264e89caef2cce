/**
 * The graph of a lab: nodes by kind (namespace, router, Linux bridge, OVS bridge) and one edge per
 * veth pair, labelled with each end's interface name and addresses. Pure: built from a resolved
 * Topology; the text renderers (Mermaid, DOT) and the web view draw from this.
 */
import type { Node, Topology } from "../model/types.js";

/** How a node is drawn. A `router` is a namespace that forwards packets. */
export type GraphNodeKind = "netns" | "router" | "bridge" | "ovs-bridge";

/** One interface of a node, as drawn. */
export interface GraphInterface {
  /** Name in the topology (`veth0`, `br-veth0`). */
  name: string;
  /** Kernel name (prefixed in the root namespace). */
  ifname: string;
  /** `10.1.1.2/24` … */
  addresses: string[];
}

/** One node. */
export interface GraphNode {
  /** Node name in the topology (unique in the lab). */
  id: string;
  kind: GraphNodeKind;
  /** Namespace name (namespaces, routers) or interface name (bridges) in the kernel. */
  kernelName: string;
  interfaces: GraphInterface[];
}

/** One end of an edge. */
export interface GraphEnd {
  node: string;
  iface: string;
  ifname: string;
  addresses: string[];
}

/** One veth pair. */
export interface GraphEdge {
  /** `a-node:a-iface--b-node:b-iface`, unique in the lab. */
  id: string;
  a: GraphEnd;
  b: GraphEnd;
}

/** A lab as a graph. */
export interface GraphModel {
  lab: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Sysctls that make a namespace forward packets (keys as written, `.` or `/` separated). */
const FORWARDING_SYSCTLS = new Set([
  "net.ipv4.ip_forward",
  "net.ipv4.conf.all.forwarding",
  "net.ipv6.conf.all.forwarding",
]);

/** The drawn kind of a node: a namespace that forwards (or a future `kind: router`) is a router. */
export function graphKind(n: Node): GraphNodeKind {
  const kind = n.kind as string;
  if (kind === "router") return "router";
  if (n.kind === "bridge" || n.kind === "ovs-bridge") return n.kind;
  if (n.kind === "netns" && n.sysctls.some((s) => isForwarding(s.key, s.value))) return "router";
  // Node kinds added later are drawn by where they live: in a namespace or in the root namespace.
  return "netns" in n ? "netns" : "bridge";
}

function isForwarding(key: string, value: string): boolean {
  const k = key.replaceAll("/", ".");
  const v = value.trim().toLowerCase();
  return FORWARDING_SYSCTLS.has(k) && v !== "0" && v !== "false" && v !== "";
}

/** Build the graph of a topology. */
export function graphModel(t: Topology): GraphModel {
  const nodes = t.nodes.map((n): GraphNode => {
    const withNames = n as Node & { netns?: string; ifname?: string };
    return {
      id: n.name,
      kind: graphKind(n),
      kernelName: withNames.netns ?? withNames.ifname ?? n.name,
      interfaces: n.interfaces.map((i) => ({
        name: i.name,
        ifname: i.ifname,
        addresses: i.addresses.map((a) => `${a.address}/${a.prefix}`),
      })),
    };
  });
  const byName = new Map(nodes.map((n) => [n.id, n]));
  const end = (node: string, iface: string): GraphEnd => {
    const i = byName.get(node)?.interfaces.find((x) => x.name === iface);
    return { node, iface, ifname: i?.ifname ?? iface, addresses: i?.addresses ?? [] };
  };
  const edges = t.links.map(
    (l): GraphEdge => ({
      id: `${l.a.node}:${l.a.iface}--${l.b.node}:${l.b.iface}`,
      a: end(l.a.node, l.a.iface),
      b: end(l.b.node, l.b.iface),
    }),
  );
  return { lab: t.name, nodes, edges };
}

/** What a node kind is called in legends and labels. */
export const KIND_LABEL: Record<GraphNodeKind, string> = {
  netns: "namespace",
  router: "router",
  bridge: "Linux bridge",
  "ovs-bridge": "OVS bridge",
};

/** An end's label: kernel interface name and its addresses. */
export function endLabel(e: GraphEnd): string {
  return [e.ifname, ...e.addresses].join(" ");
}

function isBridge(kind: GraphNodeKind | undefined): boolean {
  return kind === "bridge" || kind === "ovs-bridge";
}

/**
 * Edges in drawing order, tail first: the namespaces on a bridge go alternately before and after
 * it, so a left-to-right layout reads ns1 — br0 — ns2 (the walkthrough's figure) rather than
 * putting every namespace on one side.
 */
export function drawnEdges(g: GraphModel): { edge: GraphEdge; tail: GraphEnd; head: GraphEnd }[] {
  const kinds = new Map(g.nodes.map((n) => [n.id, n.kind]));
  const seen = new Map<string, number>();
  return g.edges.map((edge) => {
    let [tail, head] = [edge.a, edge.b];
    if (isBridge(kinds.get(tail.node)) && !isBridge(kinds.get(head.node))) [tail, head] = [head, tail];
    if (isBridge(kinds.get(head.node)) && !isBridge(kinds.get(tail.node))) {
      const k = seen.get(head.node) ?? 0;
      seen.set(head.node, k + 1);
      if (k % 2 === 1) [tail, head] = [head, tail];
    }
    return { edge, tail, head };
  });
}
