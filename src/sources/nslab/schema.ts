/**
 * The topology file's shape (the "raw" spec), as a zod schema. It checks structure and types
 * only; meaning (names, addresses, references) is checked by the model's rules, which can say
 * more precise things. The JSON Schema in schema/nslab.schema.json is generated from this.
 */
import * as z from "zod";
import { nodeEnvFields } from "./env-schema.js";
import { openflowFields } from "./openflow.js";

const Mtu = z.number().int().describe("MTU in bytes (68–65535 for IPv4; IPv6 needs at least 1280).");

const AddressList = z
  .array(z.string())
  .describe("Host addresses with prefix length, IPv4 or IPv6, e.g. [10.1.1.2/24, fd00::2/64].");

export const InterfaceObjectSchema = z
  .strictObject({
    addresses: AddressList.optional(),
    mtu: Mtu.optional(),
    mac: z.string().optional().describe("MAC address, e.g. 02:00:00:00:00:01 (unicast)."),
  })
  .describe("An interface with its settings.");

export const InterfaceSchema = z
  .union([
    z.string().describe("Shorthand: one address, e.g. 10.1.1.2/24."),
    AddressList,
    InterfaceObjectSchema,
    z.null().describe("An interface with no settings."),
  ])
  .describe("Settings of one interface of a node, keyed by its name.");

export const RouteSchema = z
  .strictObject({
    to: z.string().describe("Destination: a CIDR, or 'default' (IPv4) / 'default6' (IPv6)."),
    via: z.string().optional().describe("Gateway address."),
    dev: z.string().optional().describe("Outgoing interface of this node."),
    metric: z.number().int().min(0).max(4294967295).optional(),
  })
  .describe("A static route inside a namespace node.");

const Interfaces = z
  .record(z.string(), InterfaceSchema)
  .describe("Interfaces by name; `lo` (not a link end) takes loopback addresses: /32 and /128.");

const SysctlValue = z.union([z.string(), z.number(), z.boolean()]);

export const NodeManagementSchema = z
  .union([
    z.literal(false).describe("Not on the management network."),
    z
      .strictObject({
        ipv4: z.string().optional().describe("This node's mgmt0 address (no prefix), e.g. 198.18.200.99."),
        ipv6: z.string().optional().describe("This node's mgmt0 IPv6 address (no prefix)."),
      })
      .describe("This node's own addresses on the management network (default: the next free ones)."),
  ])
  .describe("The node on the lab's management network (its interface mgmt0).");

const namespaceFields = {
  interfaces: Interfaces.optional(),
  management: NodeManagementSchema.optional(),
  routes: z.array(RouteSchema).optional(),
  sysctls: z
    .record(z.string(), SysctlValue)
    .optional()
    .describe("Sysctls set inside the namespace, e.g. net.ipv4.ip_forward: 1."),
  ipv6: z
    .boolean()
    .optional()
    .describe(
      "false: an IPv4-only node — its interfaces get no IPv6 link-local addresses (no DAD, router solicitations or MLD reports); IPv6 addresses are refused. Default true.",
    ),
  ...nodeEnvFields,
};

export const NetnsNodeSchema = z
  .strictObject({
    kind: z.literal("netns").optional().describe("A network namespace (the default kind)."),
    ...namespaceFields,
  })
  .describe("A network namespace.");

export const FrrSchema = z
  .strictObject({
    config: z
      .string()
      .optional()
      .describe(
        "FRR's integrated configuration (an frr.conf), a file relative to the topology file; loaded with `vtysh -b`. Default: generated from `routing:` (ospf, bgp), else empty.",
      ),
    daemons: z
      .union([
        z
          .string()
          .describe("FRR's daemons file (`ospfd=yes`, `ospfd_options=...`), relative to the topology file."),
        z.array(z.string()).describe("Daemon names, e.g. [ospfd, bgpd]."),
      ])
      .optional()
      .describe("The FRR daemons to run; zebra and staticd always run (zebra first)."),
  })
  .describe("Run FRR (the host's installation) in this router, with its own /etc/frr and /var/run/frr.");

export const RouterNodeSchema = z
  .strictObject({
    kind: z
      .literal("router")
      .describe("A namespace that forwards IPv4 and IPv6 (ip_forward and IPv6 forwarding on)."),
    ...namespaceFields,
    frr: FrrSchema.optional(),
    as: z
      .number()
      .int()
      .min(1)
      .max(4294967295)
      .optional()
      .describe("BGP AS number of this router (routing: bgp); default: a private AS of its own."),
  })
  .describe("A router: a network namespace that forwards packets between its interfaces.");

export const NatNodeSchema = z
  .strictObject({
    kind: z
      .literal("nat")
      .describe(
        "A NAT gateway: a namespace whose lab-side interfaces are like any node's, joined to the host by a transit link and masqueraded out of the uplink.",
      ),
    uplink: z
      .string()
      .optional()
      .describe(
        "The host interface the lab's traffic leaves through: 'auto' (default: the device of the host's IPv4 default route) or an interface name.",
      ),
    transit: z
      .string()
      .optional()
      .describe(
        "The /30 of the link between the node and the host (default: one derived from the lab and node names in 198.19.128.0/17).",
      ),
    dns: z
      .array(z.string())
      .optional()
      .describe(
        "Name servers (IP addresses, at most 3) for the lab's nodes, reached through this gateway: every namespace node without an /etc/resolv.conf of its own gets one naming them. Default: nodes use the host's /etc/resolv.conf.",
      ),
    ...namespaceFields,
  })
  .describe("A NAT gateway from the lab to the host's networks (Mininet's NAT node).");

const PortObjectSchema = z
  .strictObject({
    mtu: Mtu.optional(),
    mac: z.string().optional(),
    vlan: z
      .number()
      .int()
      .min(1)
      .max(4094)
      .optional()
      .describe("Access VLAN of this port (ovs-bridge only): like `ovs-vsctl set port … tag=N`."),
    ofport: z
      .number()
      .int()
      .min(1)
      .max(65279)
      .optional()
      .describe(
        "OpenFlow port number (ovs-bridge only); default: the rank of the port's link among the bridge's links (1, 2, …), as Mininet numbers s1-eth1.",
      ),
  })
  .describe("A port of a bridge (the bridge-side end of a veth pair).");

const Ports = z
  .record(z.string(), z.union([PortObjectSchema, z.null()]))
  .describe("Settings of this bridge's ports, keyed by interface name.");

export const BridgeNodeSchema = z
  .strictObject({
    kind: z.literal("bridge").describe("A Linux bridge in the root namespace."),
    stp: z.boolean().optional().describe("Run the spanning tree protocol (needed for loops)."),
    mtu: Mtu.optional(),
    interfaces: Ports.optional(),
  })
  .describe("A Linux bridge.");

export const OvsBridgeNodeSchema = z
  .strictObject({
    kind: z.literal("ovs-bridge").describe("An Open vSwitch bridge."),
    datapath: z
      .enum(["auto", "netdev", "system"])
      .optional()
      .describe(
        "'system' needs the openvswitch kernel module; 'netdev' is the userspace datapath; 'auto' picks.",
      ),
    stp: z.boolean().optional(),
    interfaces: Ports.optional(),
    ...openflowFields,
  })
  .describe("An Open vSwitch bridge.");

/** Node kinds, in the order of NodeSchema's union branches. */
export const NODE_KINDS = ["netns", "router", "bridge", "ovs-bridge", "nat"] as const;

export const NodeSchema = z
  .union([NetnsNodeSchema, RouterNodeSchema, BridgeNodeSchema, OvsBridgeNodeSchema, NatNodeSchema, z.null()])
  .describe(
    "A node: a namespace (default), a router, a Linux bridge, an Open vSwitch bridge or a NAT gateway.",
  );

const Endpoint = z
  .string()
  .describe(
    "node:interface, e.g. ns1:veth0; or, for the other end of a link from a node: host:IF (a veth to the root namespace), macvlan:PARENT, phys:IF (a host interface moved in), mgmt-net:IF (a veth to the management bridge) or dummy.",
  );

/** Shaping of a link, applied to the egress of both ends (so each direction gets it). */
const shapingFields = {
  rate: z
    .union([z.string(), z.number()])
    .optional()
    .describe("Rate limit (tc tbf), tc units: 10mbit, 500kbit, 1gbit; a number is bits per second."),
  delay: z
    .union([z.string(), z.number()])
    .optional()
    .describe("Added delay (netem): 10ms, 1s, 500us; a number is milliseconds."),
  jitter: z
    .union([z.string(), z.number()])
    .optional()
    .describe("Delay variation (netem; needs delay): 2ms; a number is milliseconds."),
  loss: z
    .union([z.string(), z.number()])
    .optional()
    .describe("Random packet loss (netem): 1% or 0.5%; a number is percent."),
};

export const LinkObjectSchema = z
  .strictObject({
    endpoints: z.tuple([Endpoint, Endpoint]).describe("The two ends of the veth pair."),
    mtu: Mtu.optional().describe("MTU of both ends."),
    ...shapingFields,
  })
  .describe("A veth pair between two endpoints, optionally shaped.");

export const LinkSchema = z
  .union([z.tuple([Endpoint, Endpoint]).describe("Shorthand: [a:if, b:if]."), LinkObjectSchema])
  .describe("A point-to-point veth link.");

export const AddressingSchema = z
  .strictObject({
    ipv4: z.string().optional().describe("IPv4 pool, e.g. 10.10.0.0/16."),
    ipv6: z.string().optional().describe("IPv6 pool, e.g. fd00:10::/48."),
  })
  .describe(
    "Pools for interfaces without addresses: point-to-point links get a /30 (IPv4) and a /64 (IPv6), " +
      "bridge segments share one subnet (/24 or larger; /64).",
  );

export const HostSchema = z
  .strictObject({
    interfaces: z
      .record(z.string(), InterfaceSchema)
      .optional()
      .describe("Settings (addresses, mtu, mac) of the root-namespace ends of host:IF links, keyed by IF."),
  })
  .describe("The host (root namespace) side of host:IF links.");

export const ManagementSchema = z
  .strictObject({
    ipv4: z
      .string()
      .optional()
      .describe("IPv4 subnet, e.g. 198.18.200.0/24: the host gets the first address, nodes the next."),
    ipv6: z.string().optional().describe("IPv6 subnet, e.g. fd00:200::/64."),
    bridge: z.string().optional().describe("Kernel name of the management bridge (default: <prefix>mgmt)."),
  })
  .describe(
    "A management network: a lab-owned bridge in the root namespace with the host's address, and an interface mgmt0 in every namespace node.",
  );

const Outcome = z.enum(["reachable", "unreachable"]);

export const ExpectObjectSchema = z
  .strictObject({
    from: z.string().describe("Source node (optionally node:interface)."),
    to: z.string().describe("Target: a node (any of its addresses), node:interface, or an address."),
    expect: Outcome,
    tcp: z.number().int().min(1).max(65535).optional().describe("Check a TCP connection to this port."),
    family: z
      .union([z.literal(4), z.literal(6)])
      .optional()
      .describe("Only IPv4 or only IPv6 addresses."),
  })
  .describe("A reachability check, e.g. { from: h1, to: h2, tcp: 80, expect: reachable }.");

export const ExpectSchema = z
  .union([
    z
      .record(z.string(), Outcome)
      .describe("Shorthand: `h1 -> h3: reachable` (optionally `h1 -> h3 tcp/80: reachable`)."),
    ExpectObjectSchema,
  ])
  .describe("An expectation about the lab's reachability, checked by `nslab test`.");

export const TopologySchema = z
  .strictObject({
    name: z.string().describe("Lab name: letters, digits, '_', '.', '-'; at most 48 characters."),
    addressing: AddressingSchema.optional(),
    routing: z
      .enum(["none", "static", "ospf", "bgp"])
      .optional()
      .describe(
        "'static': compute static routes between subnets over the routers (no routing daemon); 'ospf' / 'bgp': every router runs FRR with a configuration nslab writes (OSPF area 0, or eBGP on every router-to-router link); hosts get static routes to their router.",
      ),
    nodes: z.record(z.string(), NodeSchema).describe("Nodes by name."),
    links: z.array(LinkSchema).optional(),
    host: HostSchema.optional(),
    management: ManagementSchema.optional(),
    expect: z.array(ExpectSchema).optional().describe("Reachability checks run by `nslab test`."),
    arp: z
      .enum(["dynamic", "static"])
      .optional()
      .describe(
        "'static': every namespace gets permanent ARP entries for the IPv4 addresses on its segments (Mininet's --arp); interfaces without a MAC get one. Default dynamic.",
      ),
  })
  .describe("An nslab topology.");

/** The file as written, after the schema accepted it. */
export type RawTopology = z.infer<typeof TopologySchema>;
export type RawNode = z.infer<typeof NodeSchema>;
export type RawInterface = z.infer<typeof InterfaceSchema>;
export type RawLink = z.infer<typeof LinkSchema>;
export type RawRoute = z.infer<typeof RouteSchema>;
export type RawExpect = z.infer<typeof ExpectSchema>;
export type RawFrr = z.infer<typeof FrrSchema>;

/** The JSON Schema for editors and other tools (draft 2020-12). */
export function topologyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TopologySchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    $id: "https://github.com/nslab/nslab/schema/nslab.schema.json",
    title: "nslab topology",
    ...schema,
  };
}
