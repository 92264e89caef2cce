/**
 * The Lab handle: a running lab as an object — run commands in its nodes, ping, observe it, fault a
 * link, take it down — plus the lookups test authors need (a node's namespace, its addresses, the
 * kernel name of an interface). Every method calls the same library function the CLI uses.
 */
import { NslabError } from "../errors.js";
import type { Cidr } from "../model/ip.js";
import type { Interface, Node, Topology } from "../model/types.js";
import { readLab } from "../state/store.js";
import type { PingOptions, PingResult } from "../verify/ping.js";
import { type DownResult, down } from "./down.js";
import { type ExecOptions, type ExecResult, exec } from "./exec.js";
import { type ResolvedEndpoint, setLinkState } from "./link.js";
import type { CommonOptions } from "./options.js";
import { type PingReport, ping, pingFrom } from "./ping.js";
import { type LabReport, status } from "./status.js";
import { type UpOptions, type UpResult, up } from "./up.js";

/** Options a Lab handle passes on to every operation it runs. */
export type LabOptions = Pick<CommonOptions, "runner" | "backend" | "log" | "signal">;

/**
 * A running lab. Get one with {@link Lab.up} (bring a topology up), {@link Lab.open} (a lab that
 * is already up, e.g. from `nslab up`), or `withLab` from `nslab/testing`.
 *
 * Names given to its methods are the topology's names (`h1`, `h1:eth0`, `br0`); the handle maps
 * them to the kernel's (a prefixed namespace or interface name) where needed. Each method is a thin
 * call of a library function with the lab's name; operations the library gains later (checking
 * expectations, throughput, captures) belong here the same way.
 */
export class Lab {
  /** The lab name (unique on the host). */
  readonly name: string;
  /** The resolved topology the lab was brought up with. */
  readonly topology: Topology;
  /** What `up` did, when this handle brought the lab up; undefined for {@link Lab.open}. */
  readonly upResult: UpResult | undefined;
  readonly #options: Omit<LabOptions, "signal">;
  readonly #signal: AbortSignal | undefined;
  #down: Promise<DownResult> | undefined;

  private constructor(topology: Topology, upResult: UpResult | undefined, options: LabOptions) {
    this.name = topology.name;
    this.topology = topology;
    this.upResult = upResult;
    const { signal, ...rest } = options;
    this.#options = rest;
    this.#signal = signal;
  }

  /**
   * Bring `topology` up (as {@link up} does) and return its handle. `options.signal` also aborts
   * the handle's later `exec` calls (never its `down`).
   */
  static async up(topology: Topology, options: UpOptions = {}): Promise<Lab> {
    const result = await up(topology, options);
    return new Lab(topology, result, pick(options));
  }

  /** A handle for lab `name`, which is up already (E_NOT_FOUND when it has no record). */
  static open(name: string, options: LabOptions = {}): Lab {
    const state = readLab(name);
    if (!state)
      throw new NslabError("E_NOT_FOUND", `no lab named '${name}' is up`, {
        hint: "list labs with: nslab status",
      });
    return new Lab(state.topology, undefined, options);
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

  /** Run `argv` (no shell) in namespace node `node` and capture its output; see {@link exec}. */
  exec(node: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const signal = anySignal(this.#signal, options.signal);
    return exec(this.name, node, argv, { ...this.#options, ...options, ...(signal ? { signal } : {}) });
  }

  /** Ping every pair of addresses sharing a subnet, from inside the namespaces; see {@link ping}. */
  ping(options: PingOptions = {}): Promise<PingReport> {
    return ping(this.name, { ...this.#options, ...options });
  }

  /**
   * One ping from node `from` to `to`: a node (an address of it on a subnet the two share, else
   * its first address) or an address. A lost ping is a result (`ok: false`), not an error; see
   * {@link pingFrom}.
   */
  pingFrom(
    from: string,
    to: string,
    options: Omit<PingOptions, "parallel" | "onResult"> = {},
  ): Promise<PingResult> {
    return pingFrom(this.name, from, to, { ...this.#options, ...options });
  }

  /** The lab as the kernel sees it now; see {@link status}. */
  status(): Promise<LabReport> {
    return status(this.name, this.#options);
  }

  /** Take one end of a link (`node:interface`) administratively down, or back up. */
  link(endpoint: string, state: "up" | "down"): Promise<ResolvedEndpoint> {
    return setLinkState(this.name, endpoint, state, this.#options);
  }

  /**
   * Take the lab down (see {@link down}). Idempotent: calls while one is under way share it, and
   * after a success further calls return the same result. A failed attempt may be retried.
   */
  down(): Promise<DownResult> {
    if (!this.#down) {
      const attempt = down(this.name, this.#options);
      this.#down = attempt;
      attempt.catch(() => {
        if (this.#down === attempt) this.#down = undefined;
      });
    }
    return this.#down;
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

/** A signal that aborts when either does (or undefined when there is none). */
function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}
