/**
 * The resolved topology: what the lab is, with every default applied, every name checked and
 * every reference resolved. Planning and everything after it work on this, never on the raw spec.
 */
import type { SourceLocation } from "../errors.js";
import type { NodeFile, Service } from "./env-types.js";
import type { Cidr } from "./ip.js";

export type { FileOrigin, FileOwner, NodeFile, Readiness, RestartPolicy, Service } from "./env-types.js";

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
  /** Automatic addressing: the pools and what was allocated from them (when the file asks for it). */
  addressing?: AddressingInfo;
  /**
   * `static`: routes between subnets were computed over the routers (they are in the nodes' routes).
   * `ospf`/`bgp`: every router runs FRR with a configuration nslab writes (see NetnsNode.frr); hosts
   * got static routes to their routers.
   */
  routing?: "static" | "ospf" | "bgp";
  /** Reachability checks (`expect:`), run by `nslab test`. */
  expect?: Expectation[];
  /** `static`: every host has permanent ARP entries for its segments' neighbours (`arp: static`, Mininet's `--arp`). */
  arp?: "static";
  /**
   * Links to what is outside the lab's namespaces (`host:`, `macvlan:`, `phys:`, `mgmt-net:`,
   * `dummy` endpoints); the node end of each is an interface of its node, as for a veth link.
   */
  attachments?: Attachment[];
  /** The management network (`management:`): a lab-owned bridge in the root namespace. */
  management?: Management;
}

/** Any node. */
export type Node = NetnsNode | BridgeNode | OvsBridgeNode;

interface NodeBase {
  /** Node name as written in the topology. */
  name: string;
  src?: SourceLocation;
}

/** A network namespace (a host, or with `router` a namespace that forwards). */
export interface NetnsNode extends NodeBase {
  kind: "netns";
  /** Written as `kind: router`: forwards IPv4 and IPv6 (its sysctls say so). */
  router?: true;
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
  /** FRR runs in this router (`frr:`, or every router with `routing: ospf|bgp`). */
  frr?: FrrRouter;
  /** Files and directories only this node sees (`files:`; features like FRR add theirs here too). */
  files?: NodeFile[];
  /** Programs nslab runs in the node, supervised, from `up` to `down` (`services:`). */
  services?: Service[];
  /** false: the node sees the host's /run; by default it has its own (absent means true). */
  privateRun?: false;
  /** true: the node has its own /tmp (absent means the host's). */
  privateTmp?: true;
  /** Permanent neighbour (ARP) entries, computed for `arp: static`. */
  neighbors?: Neighbor[];
  /** Written as `kind: nat`: a gateway from the lab to the host's networks (see nat.ts). */
  nat?: NatGateway;
}

/** A permanent ARP entry of a namespace: `address` is at `mac`, through interface `dev`. */
export interface Neighbor {
  dev: string;
  address: string;
  mac: string;
}

/** How FRR runs in a router. */
export interface FrrRouter {
  /** The daemons: named in the topology, or FRR's daemons file (read at `up`). */
  daemons: { kind: "list"; names: string[] } | { kind: "file"; path: string };
  /** The user's integrated configuration (an frr.conf, absolute path), loaded with `vtysh -b`. */
  config?: string;
  /** nslab writes the configuration (when the router has no `config` of its own). */
  generated?: "ospf" | "bgp";
  /** OSPF/BGP router ID: its first IPv4 loopback address, else its first IPv4 address. */
  routerId: string;
  /** BGP AS number (`routing: bgp`). */
  as?: number;
  src?: SourceLocation;
  /** Where `config` and `daemons` were written (for errors about those files). */
  at?: { config?: SourceLocation; daemons?: SourceLocation };
}

/**
 * A NAT gateway: its lab side is the node's interfaces; a transit veth joins it to the root
 * namespace, where the lab's own nftables table masquerades it out of the uplink.
 */
export interface NatGateway {
  /** `auto` (the device of the host's IPv4 default route, found when the lab is planned) or a device name. */
  uplink: string;
  /** The transit link's /30 (root end: its first address, node end: its second). */
  transit: string;
  /** Root-namespace name of the transit link's root end. */
  rootIfname: string;
  /**
   * `dns:` — the name servers of the lab's nodes (through this gateway): every namespace node
   * without an /etc/resolv.conf of its own gets one naming them. Absent: nodes see the host's.
   */
  dns?: string[];
  /** Where `uplink`, `transit` and `dns` were written (for errors about the host). */
  at?: { uplink?: SourceLocation; transit?: SourceLocation; dns?: SourceLocation };
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
  /** Bridge-side veth ends (root namespace, added as OVS ports; each with its OpenFlow port number). */
  interfaces: Interface[];
  /**
   * OpenFlow: controllers, fail mode, versions, datapath ID and flows. Absent for a bridge with
   * none of them (a plain learning switch), and in records written before it existed.
   */
  openflow?: OpenFlowSettings;
}

/** An OpenFlow version OVS speaks, as OVSDB names it. */
export type OpenFlowVersion =
  | "OpenFlow10"
  | "OpenFlow11"
  | "OpenFlow12"
  | "OpenFlow13"
  | "OpenFlow14"
  | "OpenFlow15";

/** How an OVS bridge is driven by OpenFlow. */
export interface OpenFlowSettings {
  /**
   * Controller targets (`tcp:IP:PORT`, `ssl:IP:PORT`, `unix:PATH`); `default` is the controller nslab
   * runs for its labs (Debian's ovs-testcontroller, Mininet's `--controller default`).
   */
  controllers: string[];
  /** What the bridge does without a controller: `secure` forwards only by its flows. */
  failMode: "standalone" | "secure";
  /** Versions the bridge speaks; empty: OVS's default (1.0 to 1.5). */
  protocols: OpenFlowVersion[];
  /** Datapath ID, 16 hex digits (from the file, or derived from the name as Mininet does). */
  dpid?: string;
  /** Flows installed when the bridge is created (and kept as written on an in-place change). */
  flows: Flow[];
}

/** One flow in ovs-ofctl syntax, with where it was written (a YAML line, or a line of a flows file). */
export interface Flow {
  text: string;
  src?: SourceLocation;
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
  /** Access VLAN of a bridge port (OVS `tag`). */
  vlan?: number;
  /** OpenFlow port number of an OVS bridge port (`ofport_request`): its link's rank on the bridge, or as written. */
  ofport?: number;
  /** The namespace's own loopback `lo` (addresses only: it exists with the namespace, always up). */
  loopback?: true;
  /** The node's `mgmt0` on the management network: not part of the lab's own networks. */
  management?: true;
  src?: SourceLocation;
  /** Where individual settings were written (for precise error locations). */
  at?: {
    mtu?: SourceLocation;
    mac?: SourceLocation;
    vlan?: SourceLocation;
    ofport?: SourceLocation;
    addresses?: SourceLocation[];
  };
}

/** A static route of a namespace node. */
export interface Route {
  family: 4 | 6;
  /** Destination prefix; `0.0.0.0/0` or `::/0` for a default route. */
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  /** Computed by `routing: static` rather than written in the file. */
  computed?: true;
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
  /** Traffic shaping on the egress of both ends. */
  shaping?: Shaping;
  src?: SourceLocation;
}

/** Traffic shaping of one direction of a link (tc tbf for a rate alone, netem otherwise). */
export interface Shaping {
  /** Rate limit in bits per second. */
  rateBps?: number;
  /** Added delay in microseconds. */
  delayUs?: number;
  /** Delay variation in microseconds (with a delay). */
  jitterUs?: number;
  /** Random loss in percent (0–100). */
  lossPct?: number;
}

/** What automatic addressing did. */
export interface AddressingInfo {
  /** The pools, as CIDRs. */
  pools: { ipv4?: string; ipv6?: string };
  /** Every address allocated automatically, `node:iface` → CIDR, in allocation order. */
  assigned: { endpoint: string; cidr: string }[];
  /** The subnets chosen for segments (from the pools or from a manual address already on them). */
  segments: { label: string; subnet: string; members: string[]; fromPool: boolean }[];
}

/** Where an expectation's traffic goes. */
export type ExpectTarget =
  /** Any address of the node (passes as reachable when one answers). */
  | { kind: "node"; node: string }
  /** Any address of one interface of a node. */
  | { kind: "iface"; node: string; iface: string }
  /** One address. */
  | { kind: "address"; address: string; family: 4 | 6 };

/** A reachability check from the `expect:` section. */
export interface Expectation {
  /** The check as written, for reports: `h1 -> h3: reachable`. */
  text: string;
  from: string;
  /** Send from this interface of `from` (`ping -I`). */
  fromIface?: string;
  to: ExpectTarget;
  probe: { kind: "icmp" } | { kind: "tcp"; port: number };
  family?: 4 | 6;
  expect: "reachable" | "unreachable";
  src?: SourceLocation;
}

/** An endpoint kind outside the lab's namespaces, as written before the colon (or alone). */
export type AttachmentKind = Attachment["kind"];

interface AttachmentBase {
  /** The node end: an interface of a namespace node (in its `interfaces`, like a veth end). */
  node: EndpointRef;
  /** MTU written on the link (the node end, and the host end of `host`/`mgmt-net` links). */
  mtu?: number;
  src?: SourceLocation;
}

/** `host:IF`: a veth pair whose other end is in the root namespace (owned, removed at `down`). */
export interface HostAttachment extends AttachmentBase {
  kind: "host";
  /** The root-namespace end: `name` as written, `ifname` prefixed, its addresses from `host:`. */
  host: Interface;
}

/** `macvlan:PARENT`: a macvlan child (bridge mode) of a host interface, inside the node. */
export interface MacvlanAttachment extends AttachmentBase {
  kind: "macvlan";
  /** The host interface it hangs off (never moved or changed). */
  parent: string;
  mode: "bridge";
}

/** `dummy`: a dummy interface inside the node (needs the kernel's dummy driver). */
export interface DummyAttachment extends AttachmentBase {
  kind: "dummy";
}

/** `phys:IF`: a host interface moved into the node for the lab's life, given back at `down`. */
export interface PhysAttachment extends AttachmentBase {
  kind: "phys";
  /** Its name in the root namespace (inside the node it takes the node end's name). */
  device: string;
}

/** `mgmt-net:IF`: a veth pair from the node to the management bridge (containerlab's mgmt-net link). */
export interface MgmtNetAttachment extends AttachmentBase {
  kind: "mgmt-net";
  /** The root-namespace end, a port of the management bridge (`ifname` prefixed). */
  host: Interface;
}

/** A link to something outside the lab's namespaces. */
export type Attachment =
  | HostAttachment
  | MacvlanAttachment
  | DummyAttachment
  | PhysAttachment
  | MgmtNetAttachment;

/** One node on the management network. */
export interface ManagementPort {
  node: string;
  /** The node's interface (`mgmt0`). */
  iface: string;
  /** The root-namespace end of its veth pair, a port of the management bridge. */
  port: string;
}

/** The management network: a bridge in the root namespace with the host's address on it. */
export interface Management {
  /** Kernel name of the bridge. */
  bridge: string;
  /** The subnets, as written (normalised to their network address). */
  subnets: { ipv4?: string; ipv6?: string };
  /** The host's addresses on the bridge (the first address of each subnet). */
  hostAddresses: Cidr[];
  /** The nodes on it, in node order (their `mgmt0` carries the addresses). */
  ports: ManagementPort[];
  src?: SourceLocation;
}
