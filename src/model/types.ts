/**
 * The resolved topology: what the lab is, with every default applied, every name checked and
 * every reference resolved. Planning and everything after it work on this, never on the raw spec.
 */
import type { SourceLocation } from "../errors.js";
import type { Cidr } from "./ip.js";

/** A validated, normalised lab. Plain data: it is saved in the lab's state as JSON. */
export interface Topology {
  /** Lab name (unique on the host). */
  name: string;
  /** Absolute path of the topology file, when it came from one. */
  file?: string;
  /** Prefix applied to namespace and root-namespace interface names (empty for seed labs). */
  prefix: string;
  nodes: Node[];
  links: Link[];
}

/** Any node. */
export type Node = NetnsNode | BridgeNode | OvsBridgeNode;

interface NodeBase {
  /** Node name as written in the topology. */
  name: string;
  src?: SourceLocation;
}

/** A network namespace. */
export interface NetnsNode extends NodeBase {
  kind: "netns";
  /** The kernel's name for the namespace (/run/netns/<netns>). */
  netns: string;
  interfaces: Interface[];
  routes: Route[];
  sysctls: Sysctl[];
  /**
   * false: no IPv6 link-local autoconfiguration on its interfaces (`addrgenmode none`); absent in
   * records written before this field existed, which means true.
   */
  ipv6?: boolean;
}

/** A Linux bridge in the root namespace. */
export interface BridgeNode extends NodeBase {
  kind: "bridge";
  /** Kernel interface name of the bridge. */
  ifname: string;
  stp: boolean;
  mtu?: number;
  /** Bridge-side veth ends (in the root namespace, enslaved to this bridge). */
  interfaces: Interface[];
}

/** An Open vSwitch bridge. */
export interface OvsBridgeNode extends NodeBase {
  kind: "ovs-bridge";
  /** Bridge name in OVSDB and of its internal interface. */
  ifname: string;
  datapath: "auto" | "netdev" | "system";
  stp: boolean;
  /** Bridge-side veth ends (root namespace, added as OVS ports). */
  interfaces: Interface[];
}

/** An interface of a node: a veth end. */
export interface Interface {
  /** Interface name as written in the topology (inside a namespace this is also the kernel name). */
  name: string;
  /** Kernel name: equals `name` inside namespaces; prefixed in the root namespace. */
  ifname: string;
  addresses: Cidr[];
  mtu?: number;
  mac?: string;
  src?: SourceLocation;
}

/** A static route of a namespace node. */
export interface Route {
  family: 4 | 6;
  /** Destination prefix; `0.0.0.0/0` or `::/0` for a default route. */
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  src?: SourceLocation;
}

/** A sysctl set inside a namespace. */
export interface Sysctl {
  key: string;
  value: string;
  src?: SourceLocation;
}

/** `node:interface` */
export interface EndpointRef {
  node: string;
  iface: string;
}

/** A veth pair between two endpoints. */
export interface Link {
  kind: "veth";
  a: EndpointRef;
  b: EndpointRef;
  mtu?: number;
  src?: SourceLocation;
}

/** Whether a node lives in the root namespace (bridges) rather than in its own namespace. */
export function isRootNode(n: Node): n is BridgeNode | OvsBridgeNode {
  return n.kind !== "netns";
}
