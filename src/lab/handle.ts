/**
 * The Lab handle: a running lab as an object — every operation of {@link RunningLab} (observe, exec,
 * ping, test, iperf, capture, link faults and shaping, down) — plus the topology it was brought up
 * with and the lookups test authors need (a node's namespace, its addresses, the kernel name of an
 * interface). `await using lab = await Lab.up(…)` takes the lab down at the end of the scope.
 */
import { type UpOptions, type UpResult, up } from "../engine/up.js";
import { NslabError } from "../errors.js";
import type { TopologyBuilder } from "../model/builder.js";
import type { Cidr } from "../model/ip.js";
import type { ResolveOptions } from "../model/resolve.js";
import type { Interface, Node, Topology } from "../model/types.js";
import type { TopologySpec } from "../sources/nslab/types.js";
import { listSome } from "../util/listing.js";
import { recordOf } from "./record.js";
import { type LabOptions, RunningLab } from "./running.js";

export type { LabOptions } from "./running.js";

/**
 * What {@link Lab.up} brings up: a resolved `Topology` (from `loadTopology`, `parseTopology`, …), a
 * builder (`defineTopology(…)`), a spec object (what a YAML file parses to) or a topology file's path.
 */
export type UpSource = Topology | TopologyBuilder | TopologySpec | string;

/** Options of {@link Lab.up}: those of `up`, and for a builder, spec or path, the name and prefix to give it. */
export interface LabUpOptions extends UpOptions, ResolveOptions {}

/**
 * A running lab. Get one with {@link Lab.up} (bring a topology up), {@link Lab.open} (a lab that
 * is already up, e.g. from `nslab up`), or `withLab` from `nslab/testing`.
 *
 * Names given to its methods are the topology's names (`h1`, `h1:eth0`, `br0`); the handle maps
 * them to the kernel's (a prefixed namespace or interface name) where needed. Each operation is
 * one of {@link RunningLab}'s, the same the CLI runs.
 */
export class Lab extends RunningLab {
  /** The resolved topology the lab was brought up with. */
  readonly topology: Topology;
  /** What `up` did, when this handle brought the lab up; undefined for {@link Lab.open}. */
  readonly upResult: UpResult | undefined;

  private constructor(topology: Topology, upResult: UpResult | undefined, options: LabOptions) {
    super(topology.name, options);
    this.topology = topology;
    this.upResult = upResult;
  }

  /**
   * Bring a lab up (as `up` does) and return its handle: from a resolved Topology, a builder, a
   * spec object or the path of a topology file (the last three named and prefixed by `options.name`
   * and `options.prefix`, when given). `options.signal` also aborts the handle's later operations
   * (exec, ping, test, iperf, capture — never its `down`).
   */
  static async up(source: UpSource, options: LabUpOptions = {}): Promise<Lab> {
    const { name, prefix, ...upOptions } = options;
    const topology = await resolveSource(source, {
      ...(name !== undefined ? { name } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const result = await up(topology, upOptions);
    return new Lab(topology, result, pick(options));
  }

  /**
   * `await using lab = await Lab.up(…)`: the lab is taken down when the scope ends (as
   * {@link RunningLab.down} does; a handle from {@link Lab.open} takes its lab down too).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }

  /** A handle for lab `name`, which is up already (E_NOT_FOUND when it has no record). */
  static open(name: string, options: LabOptions = {}): Lab {
    return new Lab(recordOf(name).topology, undefined, options);
  }

  /** The prefix of the lab's namespace and root-namespace interface names ("" when none). */
  get prefix(): string {
    return this.topology.prefix;
  }

  /** The node named `name` (E_NOT_FOUND naming the lab's nodes). */
  node(name: string): Node {
    const n = this.topology.nodes.find((x) => x.name === name);
    if (!n)
      throw new NslabError("E_NOT_FOUND", `lab '${this.name}' has no node '${name}'`, {
        hint: `its nodes: ${listSome(this.topology.nodes.map((x) => x.name))}`,
      });
    return n;
  }

  /** The kernel namespace name of namespace node `node` (`ip netns exec <it> …`). */
  netns(node: string): string {
    const n = this.node(node);
    if (n.kind !== "netns")
      throw new NslabError("E_USAGE", `node '${node}' is a ${n.kind} in the root namespace, not a namespace`);
    return n.netns;
  }

  /**
   * The kernel interface name of `target`: `node:interface` (inside a namespace this is the name as
   * written; in the root namespace it carries the lab's prefix), or a bridge node's name.
   */
  ifname(target: string): string {
    if (!target.includes(":")) {
      const n = this.node(target);
      if (n.kind === "netns")
        throw new NslabError(
          "E_USAGE",
          `node '${target}' is a namespace; name one of its interfaces (node:if)`,
        );
      return n.ifname;
    }
    return this.#interface(target).ifname;
  }

  /**
   * The addresses of `target` — a node (all its interfaces) or `node:interface` — as written in the
   * topology, optionally of one IP family.
   */
  addresses(target: string, options: { family?: 4 | 6 } = {}): Cidr[] {
    const interfaces = target.includes(":") ? [this.#interface(target)] : this.node(target).interfaces;
    return interfaces
      .flatMap((i) => i.addresses)
      .filter((a) => options.family === undefined || a.family === options.family);
  }

  /**
   * One address of `target` (a node or `node:interface`), without prefix length: the first IPv4
   * address, else the first IPv6 one (or the first of `options.family`). E_NOT_FOUND when it has none.
   */
  address(target: string, options: { family?: 4 | 6 } = {}): string {
    const all = this.addresses(target, options);
    const found = options.family === undefined ? (all.find((a) => a.family === 4) ?? all[0]) : all[0];
    if (!found)
      throw new NslabError(
        "E_NOT_FOUND",
        `${target} of lab '${this.name}' has no${options.family ? ` IPv${options.family}` : ""} address`,
      );
    return found.address;
  }

  #interface(endpoint: string): Interface {
    const [nodeName, ifName, ...rest] = endpoint.split(":");
    if (!nodeName || !ifName || rest.length > 0)
      throw new NslabError("E_USAGE", `'${endpoint}' is not an endpoint; write node:interface, e.g. h1:eth0`);
    const n = this.node(nodeName);
    const i = n.interfaces.find((x) => x.name === ifName);
    if (!i)
      throw new NslabError(
        "E_NOT_FOUND",
        `node '${nodeName}' of lab '${this.name}' has no interface '${ifName}'`,
        {
          hint: `its interfaces: ${listSome(n.interfaces.map((x) => x.name)) || "none"}`,
        },
      );
    return i;
  }
}

/** The resolved topology of whatever {@link Lab.up} was given (the model is loaded only for that). */
async function resolveSource(
  source: UpSource,
  options: ResolveOptions & { log?: UpOptions["log"] },
): Promise<Topology> {
  if (typeof source === "string") return (await import("../model/load.js")).loadTopology(source, options);
  if (source === null || typeof source !== "object")
    throw new NslabError(
      "E_USAGE",
      "Lab.up needs a topology: a Topology, a builder, a spec object or a file path",
    );
  if ("toTopology" in source && typeof source.toTopology === "function") return source.toTopology(options);
  if (Array.isArray((source as { nodes?: unknown }).nodes)) {
    if (options.name !== undefined || options.prefix !== undefined)
      throw new NslabError("E_USAGE", "a resolved Topology keeps the name and prefix it was resolved with", {
        hint: "pass them when loading it (loadTopology(file, { name, prefix })), or give Lab.up the file, builder or spec",
      });
    return source as Topology;
  }
  return (await import("../model/load.js")).topologyFromObject(source, options);
}

function pick(options: UpOptions): LabOptions {
  return {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
