/**
 * The graph of a lab: nodes by kind (namespace, router, Linux bridge, OVS bridge) and one edge per
 * veth pair, labelled with each end's interface name, addresses, access VLAN and MTU, and the
 * link's own MTU and shaping. Pure: built from a resolved Topology; the text renderers (Mermaid,
 * DOT) and the web view draw from this.
 */
import { describeShaping } from "../model/shaping.js";
import type { Node, Shaping, Topology } from "../model/types.js";

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
  /** MTU set on this interface (absent: the link's, else the kernel's default). */
  mtu?: number;
  /** Access VLAN of a bridge port. */
  vlan?: number;
}

/** One node. */
export interface GraphNode {
  /** Node name in the topology (unique in the lab). */
  id: string;
  kind: GraphNodeKind;
  /** Namespace name (namespaces, routers) or interface name (bridges) in the kernel. */
  kernelName: string;
  interfaces: GraphInterface[];
  /** MTU of a Linux bridge's own device, when set. */
  mtu?: number;
}

/** One end of an edge. */
export interface GraphEnd {
  node: string;
  iface: string;
  ifname: string;
  addresses: string[];
  /** MTU set on this end's interface (it wins over the link's). */
  mtu?: number;
  /** Access VLAN of this end (a bridge port). */
  vlan?: number;
}

/** One veth pair. */
export interface GraphEdge {
  /** `a-node:a-iface--b-node:b-iface`, unique in the lab. */
  id: string;
  a: GraphEnd;
  b: GraphEnd;
  /** MTU written on the link (both ends, unless an end sets its own). */
  mtu?: number;
  /** Shaping on the egress of both ends. */
  shaping?: Shaping;
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
        ...(i.mtu !== undefined ? { mtu: i.mtu } : {}),
        ...(i.vlan !== undefined ? { vlan: i.vlan } : {}),
      })),
      ...(n.kind === "bridge" && n.mtu !== undefined ? { mtu: n.mtu } : {}),
    };
  });
  const byName = new Map(nodes.map((n) => [n.id, n]));
  const end = (node: string, iface: string): GraphEnd => {
    const i = byName.get(node)?.interfaces.find((x) => x.name === iface);
    return {
      node,
      iface,
      ifname: i?.ifname ?? iface,
      addresses: i?.addresses ?? [],
      ...(i?.mtu !== undefined ? { mtu: i.mtu } : {}),
      ...(i?.vlan !== undefined ? { vlan: i.vlan } : {}),
    };
  };
  const edges = t.links.map(
    (l): GraphEdge => ({
      id: `${l.a.node}:${l.a.iface}--${l.b.node}:${l.b.iface}`,
      a: end(l.a.node, l.a.iface),
      b: end(l.b.node, l.b.iface),
      ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
      ...(l.shaping && Object.keys(l.shaping).length > 0 ? { shaping: l.shaping } : {}),
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

/** What an end carries besides its name and addresses: `vlan 10`, `mtu 1400`. */
export function endNotes(e: GraphEnd): string[] {
  return [
    ...(e.vlan !== undefined ? [`vlan ${e.vlan}`] : []),
    ...(e.mtu !== undefined ? [`mtu ${e.mtu}`] : []),
  ];
}

/** An end's label: kernel interface name, its addresses, its VLAN and MTU. */
export function endLabel(e: GraphEnd): string {
  return [e.ifname, ...e.addresses, ...endNotes(e)].join(" ");
}

/** What a link carries itself, one item a line: `rate 20mbit, delay 20ms ± 5ms, loss 1%`, `mtu 9000`. */
export function linkNotes(e: GraphEdge): string[] {
  return [
    ...(e.shaping ? [describeShaping(e.shaping)] : []),
    ...(e.mtu !== undefined ? [`mtu ${e.mtu}`] : []),
  ];
}

/** `1 link`, `2 links`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
