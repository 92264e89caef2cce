/**
 * The topology file's shape (the "raw" spec), as a zod schema. It checks structure and types
 * only; meaning (names, addresses, references) is checked by the model's rules, which can say
 * more precise things. The JSON Schema in schema/nslab.schema.json is generated from this.
 */
import { z } from "zod";

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

const Interfaces = z.record(z.string(), InterfaceSchema).describe("Interfaces by name.");

const SysctlValue = z.union([z.string(), z.number(), z.boolean()]);

export const NetnsNodeSchema = z
  .strictObject({
    kind: z.literal("netns").optional().describe("A network namespace (the default kind)."),
    interfaces: Interfaces.optional(),
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
  })
  .describe("A network namespace.");

const PortObjectSchema = z
  .strictObject({
    mtu: Mtu.optional(),
    mac: z.string().optional(),
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
  })
  .describe("An Open vSwitch bridge.");

export const NODE_KINDS = ["netns", "bridge", "ovs-bridge"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const NodeSchema = z
  .union([NetnsNodeSchema, BridgeNodeSchema, OvsBridgeNodeSchema, z.null()])
  .describe("A node: a namespace (default), a Linux bridge or an Open vSwitch bridge.");

const Endpoint = z.string().describe("node:interface, e.g. ns1:veth0.");

export const LinkObjectSchema = z
  .strictObject({
    endpoints: z.tuple([Endpoint, Endpoint]).describe("The two ends of the veth pair."),
    mtu: Mtu.optional().describe("MTU of both ends."),
  })
  .describe("A veth pair between two endpoints.");

export const LinkSchema = z
  .union([z.tuple([Endpoint, Endpoint]).describe("Shorthand: [a:if, b:if]."), LinkObjectSchema])
  .describe("A point-to-point veth link.");

export const TopologySchema = z
  .strictObject({
    name: z.string().describe("Lab name: letters, digits, '_', '.', '-'; at most 48 characters."),
    nodes: z.record(z.string(), NodeSchema).describe("Nodes by name."),
    links: z.array(LinkSchema).optional(),
  })
  .describe("An nslab topology.");

/** The file as written, after the schema accepted it. */
export type RawTopology = z.infer<typeof TopologySchema>;
export type RawNode = z.infer<typeof NodeSchema>;
export type RawInterface = z.infer<typeof InterfaceSchema>;
export type RawLink = z.infer<typeof LinkSchema>;
export type RawRoute = z.infer<typeof RouteSchema>;

/** The JSON Schema for editors and other tools (draft 2020-12). */
export function topologyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TopologySchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    $id: "https://github.com/nslab/nslab/schema/nslab.schema.json",
    title: "nslab topology",
    ...schema,
  };
}
