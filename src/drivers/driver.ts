/**
 * The driver: how operations reach the kernel and OVS on this host. It owns the long-lived helpers
 * (the native agent, the OVSDB connection), picks a channel for each operation, applies lists of
 * operations (with the faults injected for tests, if any), and reads namespaces back for
 * observation. Only the engine constructs one (engine/driver.ts). Close it when done.
 */
import { availableParallelism, constants } from "node:os";
import { NslabError } from "../errors.js";
import type { DumpLink, NsDump } from "../plan/observed.js";
import type { Op } from "../plan/ops.js";
import { agentCarries, agentChannel } from "./apply/agent-channel.js";
import { deviceChannel } from "./apply/device-channel.js";
import type { ApplyOptions, ApplyReport, Router } from "./apply/executor.js";
import { firewallCarries, firewallChannel } from "./apply/firewall-channel.js";
import { iprouteChannel } from "./apply/iproute-channel.js";
import { nodefsChannel } from "./apply/nodefs-channel.js";
import { ofctlChannel } from "./apply/ofctl-channel.js";
import { ovsdbChannel, vsctlChannel } from "./apply/ovs-channel.js";
import type { Channel } from "./apply/types.js";
import type { Faults } from "./faults.js";
import {
  type AgentCommand,
  type AgentReply,
  type CompactDump,
  findAgentBinary,
  flushNeighboursOf,
  fromCompactDump,
  NsAgent,
  toCompactDump,
} from "./nsagent/index.js";
import { dumpWith } from "./observe/agent-dumps.js";
import { iprouteDump } from "./observe/iproute-dump.js";
import { agentRootLinks, DUMP_INTERRUPTED } from "./observe/root-links.js";
import { OvsdbClient, ovsDbSocket, ovsRuntimePaths } from "./ovs/index.js";
import { type Runner, systemRunner } from "./runner/index.js";

const DUMP_ATTEMPTS = 4;
/** Namespaces read at once beyond which the reading is split between agents (at most READERS). */
const [SPLIT_OVER, READERS] = [2_000, 2];
/** Operations on node environments beyond which an overlapping apply gives them an agent of their own. */
const ENV_ASIDE_OVER = 64;

/** Which way namespace work is done: the native agent, or iproute2 processes. */
export type Backend = "agent" | "iproute2";

export interface DriverOptions {
  runner?: Runner;
  /** `auto` (default): the agent when it is built, iproute2 otherwise. */
  backend?: Backend | "auto";
  /** OVS changes via OVSDB transactions (default) or one chained `ovs-vsctl` call. */
  ovs?: "ovsdb" | "vsctl";
  /** Failures to inject (tests of rollback and recovery); none by default. */
  faults?: Faults;
}

export class Driver {
  readonly runner: Runner;
  readonly backend: Backend;
  /** Failures to inject, consulted where each can strike (see drivers/faults.ts). */
  readonly faults: Faults;
  readonly #ovsMode: "ovsdb" | "vsctl";
  #agent: Promise<NsAgent> | undefined;
  #envAgent: Promise<NsAgent> | undefined;
  /** Node environments are being made beside the rest (an overlapping apply): their own agent. */
  #envAside = false;
  /** Agents that read a big lab's namespaces side by side, the driver's own being left free. */
  readonly #readers: Promise<NsAgent>[] = [];
  #ovs: Promise<OvsdbClient> | undefined;
  readonly #ip: Channel;
  readonly #agentCh: Channel;
  readonly #ovsCh: Channel;
  readonly #envCh: Channel;
  readonly #ofctl: Channel;
  readonly #fwCh: Channel;
  readonly #devices: Channel;

  constructor(options: DriverOptions = {}) {
    this.runner = options.runner ?? systemRunner;
    const wanted = options.backend ?? "auto";
    if (wanted !== "auto" && wanted !== "agent" && wanted !== "iproute2")
      throw new NslabError("E_USAGE", `unknown backend '${wanted}'; use agent or iproute2`);
    this.backend = wanted === "auto" ? (findAgentBinary() ? "agent" : "iproute2") : wanted;
    this.faults = options.faults ?? {};
    this.#ovsMode = options.ovs ?? "ovsdb";
    this.#ip = iprouteChannel(this.runner);
    this.#agentCh = agentChannel(() => this.agent());
    this.#envCh = nodefsChannel(() => this.envAgent());
    this.#fwCh = firewallChannel(this.runner);
    this.#devices = deviceChannel(this.runner);
    this.#ovsCh =
      this.#ovsMode === "ovsdb"
        ? ovsdbChannel(() => this.ovsdb())
        : vsctlChannel(this.runner, ovsDbSocket(ovsRuntimePaths()));
    this.#ofctl = ofctlChannel(this.runner, () => ovsRuntimePaths().runDir);
  }

  /** The channel for each operation. */
  readonly route: Router = (op: Op) => {
    if (op.op === "ovs.flow.add" || op.op === "ovs.flow.del") return this.#ofctl;
    if (op.op.startsWith("ovs.")) return this.#ovsCh;
    if (/^(labfs|nodefs|mntns|etcnetns)\./.test(op.op)) return this.#envCh;
    if (firewallCarries(op)) return this.#fwCh;
    if (op.op === "phys.move" || op.op === "phys.return") return this.#devices;
    if (this.backend === "agent" && agentCarries(op)) return this.#agentCh;
    return this.#ip;
  };

  /**
   * Apply `ops` in order through their channels (see `applyOps`). `injectFaults`: this is the
   * plan an `up` applies, where the driver's `failOp`/`pauseOp` faults strike.
   */
  async apply(
    ops: readonly Op[],
    options: Omit<ApplyOptions, "faultAt" | "pauseAt"> & { injectFaults?: boolean },
  ): Promise<ApplyReport> {
    const { injectFaults, ...rest } = options;
    // Node environments made beside the rest, by an agent of their own, when they are many (that
    // agent's start, ~6 ms of this thread, is more than a small lab's environments take).
    if (options.overlap && ops.filter((o) => this.route(o) === this.#envCh).length > ENV_ASIDE_OVER)
      this.#envAside = true;
    const { failOp, pauseOp } = injectFaults ? this.faults : {};
    // Loaded when something is applied: observing (status, web) never needs it.
    const { applyOps } = await import("./apply/executor.js");
    return applyOps(ops, this.route, {
      ...rest,
      ...(failOp !== undefined ? { faultAt: failOp } : {}),
      ...(pauseOp !== undefined ? { pauseAt: pauseOp } : {}),
    });
  }

  /**
   * Start the agent now, without waiting for it: its start overlaps what the command does before
   * it first needs it (a failure to start surfaces there).
   */
  prestart(): void {
    if (this.backend === "agent") this.agent().catch(() => undefined);
  }

  /** The running agent (started on first use). */
  agent(): Promise<NsAgent> {
    if (this.backend !== "agent")
      return Promise.reject(new NslabError("E_ENV", "the native agent is not in use"));
    this.#agent ??= NsAgent.start({ runner: this.runner });
    return this.#agent;
  }

  /**
   * An agent for nodes' own mount namespaces and file systems: the driver's agent, or (with the
   * iproute2 backend) one of its own — these have no iproute2 equivalent.
   */
  envAgent(): Promise<NsAgent> {
    if (this.backend === "agent" && !this.#envAside) return this.agent();
    this.#envAgent ??= NsAgent.start({ runner: this.runner });
    return this.#envAgent;
  }

  #reader(k: number): Promise<NsAgent> {
    this.#readers[k] ??= NsAgent.start({ runner: this.runner });
    return this.#readers[k];
  }

  /** The OVSDB connection (opened on first use; OVS must be running). */
  async ovsdb(): Promise<OvsdbClient> {
    // A connection closed under us (another nslab process stopped the daemons it had started, or
    // they restarted) is not reused: connect again, which fails at once when OVS is gone.
    const cached = this.#ovs && (await this.#ovs.catch(() => undefined));
    if (cached?.rpc.closed) this.#ovs = undefined;
    this.#ovs ??= OvsdbClient.connect(ovsDbSocket(ovsRuntimePaths()));
    const p = this.#ovs;
    p.catch(() => {
      if (this.#ovs === p) this.#ovs = undefined;
    });
    return p;
  }

  /**
   * Links, addresses and routes of a namespace (`null` = root). A dump the kernel marks as
   * interrupted by a concurrent change (NLM_F_DUMP_INTR: others' labs change the root namespace
   * all the time) is read again after a short pause; when the agent keeps being interrupted,
   * iproute2 reads it (it keeps what it got, as `ip` does).
   */
  async dump(ns: string | null): Promise<NsDump> {
    if (this.backend !== "agent") return iprouteDump(this.runner, ns);
    for (let attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
      try {
        return await (await this.agent()).dump(ns);
      } catch (e) {
        if (!DUMP_INTERRUPTED.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
      }
    }
    return iprouteDump(this.runner, ns);
  }

  /**
   * The root namespace as a lab's status needs it: the links named in `names` and its addresses
   * (see observe/root-links.ts); without the agent, the full dump.
   */
  async rootLinks(names: Iterable<string>): Promise<NsDump> {
    if (this.backend !== "agent") return this.dump(null);
    return (await agentRootLinks(await this.agent(), [...new Set(names)])) ?? this.dump(null);
  }

  /**
   * The root-namespace links named in `names` that exist (by name), each read on its own: no full
   * link dump, whose cost grows with every veth end on the host (other labs' included). Through
   * iproute2, the full dump filtered.
   */
  async rootLinksNamed(names: Iterable<string>): Promise<Map<string, DumpLink>> {
    const wanted = [...new Set(names)];
    const out = new Map<string, DumpLink>();
    if (wanted.length === 0) return out;
    if (this.backend !== "agent") {
      const want = new Set(wanted);
      for (const l of (await this.dump(null)).links) if (want.has(l.name)) out.set(l.name, l);
      return out;
    }
    const replies = await this.#inRoot(wanted.map((dev) => ({ op: "getlink", dev }) as const));
    wanted.forEach((name, i) => {
      const r = replies[i];
      if (r?.status === "ok") out.set(name, r.data as DumpLink);
      else if (r?.status === "err" && r.errno !== constants.errno.ENODEV)
        throw new NslabError("E_COMMAND", `nsagent: reading link ${name}: ${r.message}`);
    });
    return out;
  }

  /** The names of the root namespace's links in group `group` (the agent: a dump without counters). */
  async rootLinksInGroup(group: number): Promise<string[]> {
    if (this.backend !== "agent")
      return (await this.dump(null)).links.filter((l) => l.group === group).map((l) => l.name);
    let r: AgentReply | undefined;
    // A dump the kernel marks interrupted by a concurrent change (another lab coming up): again.
    for (let attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
      [r] = await this.#inRoot([{ op: "grouplinks", group }]);
      if (r?.status === "ok") return r.data as string[];
      if (!(r?.status === "err" && DUMP_INTERRUPTED.test(r.message))) break;
      await new Promise((res) => setTimeout(res, 10 * 2 ** attempt));
    }
    throw new NslabError(
      "E_COMMAND",
      `nsagent: reading link group ${group}: ${r?.status === "err" ? r.message : "no answer"}`,
    );
  }

  /** The agent's replies to `cmds`, run in the root namespace (E_COMMAND when it cannot go there). */
  async #inRoot(cmds: AgentCommand[]): Promise<AgentReply[]> {
    const [root, ...replies] = await (await this.agent()).exec([{ op: "root" }, ...cmds]);
    if (root?.status === "err")
      throw new NslabError("E_COMMAND", `nsagent: entering the root namespace: ${root.message}`);
    return replies;
  }

  /**
   * Dumps of many namespaces; a namespace that cannot be read maps to its error. Through the agent,
   * more than {@link SPLIT_OVER} namespaces are read by two agents of their own side by side (the
   * reading is kernel time in the agent: a second one uses a second core), the driver's agent left
   * free for what is read meanwhile (`status` reads the root namespace there: a tenth of a second
   * to half a second with 10,000 bridge ports, which made the half read behind it the last done).
   */
  async dumpMany(namespaces: readonly string[]): Promise<Map<string, NsDump | Error>> {
    const out = new Map<string, NsDump | Error>();
    if (this.backend === "agent") {
      for (const [ns, d] of await this.dumpManyCompact(namespaces))
        out.set(ns, d instanceof Error ? d : fromCompactDump(d));
      return out;
    }
    let next = 0;
    const worker = async () => {
      while (next < namespaces.length) {
        const ns = namespaces[next++]!;
        try {
          out.set(ns, await iprouteDump(this.runner, ns));
        } catch (e) {
          out.set(ns, e as Error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, namespaces.length) }, worker));
    return out;
  }

  /**
   * {@link dumpMany} in the compact form the agent answers in (`[links, addrs, routes]` of arrays,
   * see `CompactDump`): for a reader of thousands of namespaces that makes its own objects from
   * them (status), without a second set made on the way. `onDump` is given each one read as it
   * comes, while the agents read the rest (not necessarily every one: the map returned has them all).
   */
  async dumpManyCompact(
    namespaces: readonly string[],
    onDump?: (ns: string, dump: CompactDump) => void,
  ): Promise<Map<string, CompactDump | Error>> {
    const out = new Map<string, CompactDump | Error>();
    if (this.backend !== "agent") {
      for (const [ns, d] of await this.dumpMany(namespaces))
        out.set(ns, d instanceof Error ? d : toCompactDump(d));
      return out;
    }
    const parts = readersFor(namespaces.length);
    const size = Math.ceil(namespaces.length / parts);
    const chunks = Array.from({ length: parts }, (_, k) => namespaces.slice(k * size, (k + 1) * size));
    const read = await Promise.all(
      chunks.map(async (chunk, k) =>
        dumpWith(await (parts === 1 ? this.agent() : this.#reader(k)), chunk, onDump),
      ),
    );
    for (const part of read) for (const [ns, d] of part) out.set(ns, d);
    for (const [ns, d] of out)
      if (d instanceof Error && DUMP_INTERRUPTED.test(d.message))
        out.set(
          ns,
          await this.dump(ns).then(
            (x) => toCompactDump(x),
            (e: Error) => e,
          ),
        );
    return out;
  }

  /**
   * Start the agents {@link dumpMany} of `count` namespaces uses (and the driver's own), so that
   * its requests are written at once when it is called: a caller with other work to do meanwhile
   * (parsing a lab's record) calls this first.
   */
  async ready(count: number): Promise<void> {
    if (this.backend !== "agent") return;
    const parts = readersFor(count);
    await Promise.all([
      this.agent(),
      ...Array.from({ length: parts > 1 ? parts : 0 }, (_, k) => this.#reader(k)),
    ]);
  }

  /**
   * The alias of `lo` in each namespace (where nslab puts its ownership marker), or the error that
   * kept it from being read: one request per namespace through the agent, not a whole dump.
   */
  async loopbackAliases(namespaces: readonly string[]): Promise<Map<string, string | null | Error>> {
    const out = new Map<string, string | null | Error>();
    if (this.backend === "agent") {
      const cmds = namespaces.flatMap((ns) => [
        { op: "ns", ns } as const,
        { op: "getlink", dev: "lo" } as const,
      ]);
      const replies = await (await this.agent()).exec(cmds);
      namespaces.forEach((ns, i) => {
        const enter = replies[2 * i]!;
        const lo = replies[2 * i + 1]!;
        if (enter.status === "err") out.set(ns, new Error(enter.message));
        else if (lo.status === "ok") out.set(ns, (lo.data as DumpLink).alias ?? null);
        else out.set(ns, new Error(lo.status === "err" ? lo.message : "not read"));
      });
      return out;
    }
    for (const [ns, d] of await this.dumpMany(namespaces))
      out.set(ns, d instanceof Error ? d : (d.links.find((l) => l.name === "lo")?.alias ?? null));
    return out;
  }

  /**
   * Forget what each of `namespaces` learned of its neighbours' MAC addresses (entries the kernel
   * resolved; static ones stay): after an interface was made anew with a new address, a node would
   * otherwise go on sending to the old one for as long as its entry stays valid (~30 s).
   */
  async flushNeighbours(namespaces: readonly string[]): Promise<void> {
    if (namespaces.length === 0) return;
    if (this.backend === "agent") {
      await flushNeighboursOf(await this.agent(), namespaces);
      return;
    }
    for (const ns of namespaces)
      await this.runner.run(["ip", "-n", ns, "neigh", "flush", "all"], { allowFailure: true });
  }

  async close(): Promise<void> {
    const agents = [this.#agent, this.#envAgent, ...this.#readers.splice(0)];
    const ovs = this.#ovs;
    this.#agent = this.#envAgent = this.#ovs = undefined;
    await Promise.allSettled([...agents.map((a) => a?.then((x) => x.close())), ovs?.then((c) => c.close())]);
  }
}

/** How many agents read `count` namespaces (more than {@link SPLIT_OVER}: one per core, at most {@link READERS}). */
function readersFor(count: number): number {
  return Math.min(READERS, count > SPLIT_OVER ? availableParallelism() : 1);
}
