/**
 * The Lab handle: a running lab as an object — every operation of {@link RunningLab} (observe, exec,
 * ping, test, iperf, capture, link faults and shaping, down) — plus the topology it was brought up
 * with and the lookups test authors need (a node's namespace, its addresses, the kernel name of an
 * interface).
 */
import { type UpOptions, type UpResult, up } from "../engine/up.js";
import { NslabError } from "../errors.js";
import type { Cidr } from "../model/ip.js";
import type { Interface, Node, Topology } from "../model/types.js";
import { recordOf } from "./record.js";
import { type LabOptions, RunningLab } from "./running.js";

export type { LabOptions } from "./running.js";

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
   * Bring `topology` up (as `up` does) and return its handle. `options.signal` also aborts
   * the handle's later `exec` calls (never its `down`).
   */
  static async up(topology: Topology, options: UpOptions = {}): Promise<Lab> {
    const result = await up(topology, options);
    return new Lab(topology, result, pick(options));
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
        hint: `its nodes: ${this.topology.nodes.map((x) => x.name).join(", ")}`,
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
          hint: `its interfaces: ${n.interfaces.map((x) => x.name).join(", ") || "none"}`,
        },
      );
    return i;
  }
}

function pick(options: UpOptions): LabOptions {
  return {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
