/**
 * Topologies in code: a small fluent builder that writes the very object a YAML file parses to,
 * and resolves it as `topologyFromObject` does — the same validation, the same errors, the same
 * resolved Topology. Each method records where it was called from, so a problem points at the line
 * of code that wrote the field (`lab.test.ts:12:4 (nodes.h1.interfaces.eth0): invalid address`).
 */
import { stringify } from "yaml";
import { NslabError, type SourceLocation } from "../errors.js";
import { sourceFromObject } from "../sources/index.js";
import type {
  BridgeNodeSpec,
  Endpoint,
  InterfaceSettings,
  LinkSettings,
  NetnsNodeSpec,
  NodeSpec,
  OvsBridgeNodeSpec,
  PortSpec,
  RouteSpec,
  TopologySpec,
} from "../sources/nslab/types.js";
import { type Callee, type CallSite, callSite } from "../util/call-site.js";
import { setOwn } from "../util/keys.js";
import { type LoadOptions, topologyFromSource } from "./load.js";
import type { Topology } from "./types.js";

/** Top-level fields of a spec other than name, nodes and links (typed from the schema). */
export type TopologyFields = Omit<Partial<TopologySpec>, "name" | "nodes" | "links">;

/** A sysctl value as the format accepts it. */
export type SysctlValue = string | number | boolean;

type Fields = Record<string, unknown>;
type Path = Array<string | number>;

/** Whether a reachability check is expected to pass or to fail. */
export type ExpectOutcome = "reachable" | "unreachable";

/**
 * Builds a topology spec step by step. Each method returns the builder; nothing is checked until
 * {@link TopologyBuilder.toTopology} (or `withLab`, or `topologyFromObject(builder.toSpec())`)
 * validates the whole spec and reports every problem at once — except misuse of the builder
 * itself (a node defined twice, a setting for a node that was never added), which throws
 * `NslabError` `E_USAGE` at once.
 *
 * @example
 * const spec = defineTopology("bridge")
 *   .node("ns1").address("ns1:veth0", "10.1.1.2/24")
 *   .node("ns2").address("ns2:veth1", "10.1.1.3/24")
 *   .bridge("br0")
 *   .link("ns1:veth0", "br0:br-veth0")
 *   .link("ns2:veth1", "br0:br-veth1");
 */
export class TopologyBuilder {
  readonly #spec: { name: string; nodes: Record<string, Fields | null>; links?: unknown[] } & Fields;
  /** Where each field was written, by its path (JSON): the caller's file, line and column. */
  readonly #sites = new Map<string, CallSite>();

  /** Start a topology named `name` (the lab name: letters, digits, `_ . -`, at most 48). */
  constructor(name: string) {
    this.#spec = { name, nodes: {} };
    this.#at(["name"], defineTopology) ?? this.#at(["name"], TopologyBuilder);
  }

  /** The lab name. */
  get name(): string {
    return this.#spec.name;
  }

  /**
   * Add a node. Without a `kind` (or with `kind: "netns"`) it is a network namespace; `spec` is
   * written exactly as under `nodes.<name>` in a file (e.g. `{ interfaces: { eth0: "10.0.0.1/24" } }`).
   */
  node(name: string, spec: NodeSpec = {}): this {
    this.#define(name, structuredClone(spec) as Fields, this.node);
    return this;
  }

  /**
   * Add a router: a namespace that forwards IPv4 and IPv6 between its interfaces (`kind: router`);
   * `spec` as under `nodes.<name>` in a file.
   */
  router(name: string, spec: Omit<NetnsNodeSpec, "kind"> = {}): this {
    this.#define(name, { kind: "router", ...structuredClone(spec) }, this.router);
    return this;
  }

  /** Add a Linux bridge (in the root namespace; nslab creates and deletes it). */
  bridge(name: string, spec: Omit<BridgeNodeSpec, "kind"> = {}): this {
    this.#define(name, { kind: "bridge", ...structuredClone(spec) }, this.bridge);
    return this;
  }

  /** Add an Open vSwitch bridge. */
  ovsBridge(name: string, spec: Omit<OvsBridgeNodeSpec, "kind"> = {}): this {
    this.#define(name, { kind: "ovs-bridge", ...structuredClone(spec) }, this.ovsBridge);
    return this;
  }

  /**
   * Link two endpoints (`node:interface`) with a veth pair. An endpoint on a bridge is the bridge's
   * port; an interface first named here is created with default settings.
   */
  link(a: Endpoint, b: Endpoint, settings: Omit<LinkSettings, "endpoints"> = {}): this {
    this.#spec.links = [...(this.#spec.links ?? []), { endpoints: [a, b], ...structuredClone(settings) }];
    this.#at(["links", this.#spec.links.length - 1], this.link);
    return this;
  }

  /**
   * Expect `to` (a node, `node:interface` or an address) to be reachable — or not — from `from`
   * (a node or `node:interface`): checked by `nslab test` and `lab.test()`. `tcp` checks a TCP
   * connection to that port instead of a ping; `family` limits the check to IPv4 or IPv6.
   */
  expect(
    from: string,
    to: string,
    outcome: ExpectOutcome,
    options: { tcp?: number; family?: 4 | 6 } = {},
  ): this {
    const list = ((this.#spec.expect as unknown[] | undefined) ?? []).slice();
    list.push({ from, to, expect: outcome, ...structuredClone(options) });
    this.#spec.expect = list;
    this.#at(["expect", list.length - 1], this.expect);
    return this;
  }

  /**
   * Set settings of an interface (`node:interface`): `addresses`, `mtu`, `mac` on a namespace node;
   * `mtu`, `mac` on a bridge port. Given fields replace earlier values.
   */
  interface(endpoint: Endpoint, settings: InterfaceSettings | PortSpec = {}): this {
    this.#patch(endpoint, (current) => ({ ...current, ...structuredClone(settings) }), this.interface);
    return this;
  }

  /** Add addresses (with prefix length, e.g. `10.0.0.1/24`, `fd00::1/64`) to an interface. */
  address(endpoint: Endpoint, ...addresses: string[]): this {
    this.#patch(
      endpoint,
      (current) => ({
        ...current,
        addresses: [...((current.addresses as string[] | undefined) ?? []), ...addresses],
      }),
      this.address,
    );
    return this;
  }

  /** Set the MTU of an interface or bridge port. */
  mtu(endpoint: Endpoint, mtu: number): this {
    this.#patch(endpoint, (current) => ({ ...current, mtu }), this.mtu);
    return this;
  }

  /** Set the MAC address of an interface or bridge port. */
  mac(endpoint: Endpoint, mac: string): this {
    this.#patch(endpoint, (current) => ({ ...current, mac }), this.mac);
    return this;
  }

  /** Add a static route to a namespace node, e.g. `{ to: "default", via: "10.0.0.1" }`. */
  route(node: string, route: RouteSpec): this {
    const n = this.#node(node);
    n.routes = [...((n.routes as unknown[] | undefined) ?? []), structuredClone(route)];
    this.#at(["nodes", node, "routes", (n.routes as unknown[]).length - 1], this.route);
    return this;
  }

  /** Set a sysctl inside a namespace node, e.g. `sysctl("r1", "net.ipv4.ip_forward", 1)`. */
  sysctl(node: string, key: string, value: SysctlValue): this {
    const n = this.#node(node);
    n.sysctls = { ...((n.sysctls as Fields | undefined) ?? {}), [key]: value };
    this.#at(["nodes", node, "sysctls", key], this.sysctl);
    return this;
  }

  /** Set other top-level fields of the spec (whatever the format has besides name, nodes, links). */
  set(fields: TopologyFields): this {
    for (const [key, value] of Object.entries(structuredClone(fields)))
      setOwn(this.#spec as unknown as Record<string, unknown>, key, value);
    for (const key of Object.keys(fields)) this.#at([key], this.set);
    return this;
  }

  /** The spec as plain data: exactly what the equivalent YAML file parses to. A copy. */
  toSpec(): TopologySpec {
    return structuredClone(this.#spec) as TopologySpec;
  }

  /**
   * Validate and resolve, as `topologyFromObject(this.toSpec(), options)` does; each problem's
   * location is the call that wrote the field (file, line, column of your code) and its field path.
   */
  toTopology(options: LoadOptions = {}): Topology {
    const file = "<builder>";
    const locate = (path: ReadonlyArray<string | number>): SourceLocation => {
      for (let n = path.length; n >= 0; n--) {
        const site = this.#sites.get(JSON.stringify(path.slice(0, n)));
        if (site) return { ...site, path };
      }
      return { file, line: 0, column: 0, path };
    };
    return topologyFromSource(sourceFromObject(this.toSpec(), file, locate), options);
  }

  /** The spec as a YAML topology file. */
  toYaml(): string {
    return stringify(this.#spec, { version: "1.2" });
  }

  /** Remember where the field at `path` was written: the caller of `method`. */
  #at(path: Path, method: Callee): CallSite | undefined {
    const site = callSite(method);
    if (site) this.#sites.set(JSON.stringify(path), site);
    return site;
  }

  #define(name: string, node: Fields, method: Callee): void {
    if (Object.hasOwn(this.#spec.nodes, name))
      throw new NslabError("E_USAGE", `node '${name}' is already defined in topology '${this.name}'`);
    // An own property whatever the name: a reserved one is refused, at this call, when built.
    setOwn(this.#spec.nodes, name, node);
    this.#at(["nodes", name], method);
  }

  #node(name: string): Fields {
    if (!Object.hasOwn(this.#spec.nodes, name))
      throw new NslabError("E_USAGE", `topology '${this.name}' has no node '${name}'`, {
        hint: `add it first (.node, .bridge or .ovsBridge); its nodes: ${Object.keys(this.#spec.nodes).join(", ") || "none yet"}`,
      });
    this.#spec.nodes[name] ??= {};
    return this.#spec.nodes[name]!;
  }

  /** Change one interface's settings, keeping the shortest form the file format allows. */
  #patch(endpoint: Endpoint, change: (current: Fields) => Fields, method: Callee): void {
    const parts = endpoint.split(":");
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new NslabError(
        "E_USAGE",
        `'${endpoint}' is not an endpoint; write node:interface, e.g. ns1:veth0`,
      );
    const [nodeName, ifName] = parts as [string, string];
    const node = this.#node(nodeName);
    const interfaces = ((node.interfaces as Fields | undefined) ?? {}) as Fields;
    const isBridge = node.kind === "bridge" || node.kind === "ovs-bridge";
    const next = change(settingsOf(interfaces[ifName]));
    node.interfaces = { ...interfaces, [ifName]: isBridge ? compactPort(next) : compactInterface(next) };
    this.#at(["nodes", nodeName, "interfaces", ifName], method);
  }
}

/** Start building a topology named `name`; see {@link TopologyBuilder}. */
export function defineTopology(name: string): TopologyBuilder {
  return new TopologyBuilder(name);
}

/** Any written form of an interface → its settings map. */
function settingsOf(value: unknown): Fields {
  if (typeof value === "string") return { addresses: [value] };
  if (Array.isArray(value)) return { addresses: [...value] };
  if (value && typeof value === "object") return { ...(value as Fields) };
  return {};
}

/** Settings → the shortest equivalent form: null, one address, a list of addresses, or the map. */
function compactInterface(settings: Fields): unknown {
  const keys = Object.keys(settings).filter((k) => settings[k] !== undefined);
  const addresses = settings.addresses;
  if (keys.length === 0) return null;
  if (keys.length === 1 && Array.isArray(addresses)) {
    if (addresses.length === 0) return null;
    return addresses.length === 1 && typeof addresses[0] === "string" ? addresses[0] : addresses;
  }
  return settings;
}

function compactPort(settings: Fields): unknown {
  return Object.keys(settings).some((k) => settings[k] !== undefined) ? settings : null;
}
