/**
 * The public names of the topology format's types ("specs": the shape of a file as written). They
 * are inferred from the schema, so a field added to the schema is typed here without more work.
 */
import type { z } from "zod";
import type { RawFile, RawReady, RawService } from "./env-schema.js";
import type {
  InterfaceObjectSchema,
  LinkObjectSchema,
  RawInterface,
  RawLink,
  RawNode,
  RawRoute,
  RawTopology,
} from "./schema.js";

/** A topology as written: the object a YAML file parses to, or one built in code. */
export type TopologySpec = RawTopology;

/** Any node as written: a namespace (the default, `kind` may be left out), a bridge, an OVS bridge. */
export type NodeSpec = NonNullable<RawNode>;

/** The node kinds a spec can name. */
export type NodeSpecKind = NonNullable<NodeSpec["kind"]>;

/** A network namespace node as written. */
export type NetnsNodeSpec = Extract<NodeSpec, { kind?: "netns" }>;

/** A NAT gateway node as written. */
export type NatNodeSpec = Extract<NodeSpec, { kind: "nat" }>;

/** A Linux bridge node as written. */
export type BridgeNodeSpec = Extract<NodeSpec, { kind: "bridge" }>;

/** An Open vSwitch bridge node as written. */
export type OvsBridgeNodeSpec = Extract<NodeSpec, { kind: "ovs-bridge" }>;

/**
 * An interface of a namespace node as written: one address (`"10.0.0.1/24"`), a list of them, a map
 * of settings, or `null` (no settings).
 */
export type InterfaceSpec = RawInterface;

/** The settings form of an interface of a namespace node. */
export type InterfaceSettings = z.infer<typeof InterfaceObjectSchema>;

/** Settings of a bridge port (the bridge-side end of a veth pair), as written. */
export type PortSpec = NonNullable<NonNullable<BridgeNodeSpec["interfaces"]>[string]>;

/** A link as written: `[a, b]` or `{ endpoints: [a, b], … }`. */
export type LinkSpec = RawLink;

/** The object form of a link. */
export type LinkSettings = z.infer<typeof LinkObjectSchema>;

/** A static route as written. */
export type RouteSpec = RawRoute;

/** A link endpoint: `node:interface`. */
export type Endpoint = `${string}:${string}`;

/** What a namespace node sees at one path (`files:`): a file of the lab, inline content, or a directory. */
export type FileSpec = RawFile;

/** A program run in a namespace node (`services:`). */
export type ServiceSpec = RawService;

/** When a service counts as ready. */
export type ReadySpec = RawReady;
