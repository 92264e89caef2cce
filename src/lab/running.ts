/**
 * A running lab: the one object that serves every operation on a lab that is up — observe it,
 * run commands in its nodes, ping, test, measure, capture, fault and shape its links, take it down.
 * It knows the lab by name and reads the lab's record for each operation (another process may
 * change the lab between two calls); drivers come from the engine, one per operation or one a
 * session keeps open. The public `Lab` handle and the by-name functions (`ping(lab)`, …) are this.
 * New operations on running labs (logs, flows, a shell) are methods here. The operations that
 * need a driver load their module when they first run, so a command starts without the code of the
 * others (`nslab status` loads no test or shaping code); exec and capture, which start a process in a
 * node that the caller's signal may kill, are loaded with the handle and start it as the call is made.
 */
import { type Runner, systemRunner, withSignal } from "../drivers/runner/index.js";
import type { DownResult } from "../engine/down.js";
import type { DriverSession, DriverUse } from "../engine/driver.js";
import type { CommonOptions } from "../engine/options.js";
import type { GraphModel } from "../graph/model.js";
import type { Shaping } from "../model/types.js";
import { isMultiLab } from "../state/multi.js";
import { abortable, anySignal } from "../util/abort.js";
import type { PingOptions, PingResult } from "../verify/ping-result.js";
import { type CaptureOptions, type CaptureResult, captureOn } from "./capture.js";
import type { ResolvedEndpoint } from "./endpoints.js";
import { type AttachedOptions, type ExecOptions, type ExecResult, execAttached, execIn } from "./exec.js";
import type { BridgeFlows } from "./flows.js";
import { labGraph } from "./graph.js";
import type { IperfOptions, IperfResult } from "./iperf.js";
import type { ShapingResult } from "./link.js";
import type { LabPingOptions, PingReport } from "./ping.js";
import type { ServiceReport } from "./services.js";
import type { LabReport } from "./status.js";
import type { TestOptions, TestReport } from "./test.js";

/** Options a running lab passes on to every operation it runs. */
export interface LabOptions extends Pick<CommonOptions, "runner" | "backend" | "log" | "signal"> {
  /** Use this session's driver (kept open across calls) instead of one per operation. */
  session?: DriverSession;
}

/** The signal an operation may take (each operation of a lab that waits honours it). */
export interface SignalOption {
  /** Stops the operation: it rejects at once with `E_INTERRUPTED`, and what it started is ended. */
  signal?: AbortSignal;
}

export class RunningLab {
  /** The lab name (unique on the host). */
  readonly name: string;
  /** Runner, backend and logger every operation gets (a call's own options win). */
  protected readonly options: Pick<CommonOptions, "runner" | "backend" | "log">;
  /** Aborts the lab's running operations — exec, ping, test, iperf, capture… (never its `down`). */
  protected readonly signal: AbortSignal | undefined;
  readonly #session: DriverSession | undefined;
  #down: Promise<DownResult> | undefined;

  constructor(name: string, options: LabOptions = {}) {
    this.name = name;
    const { signal, session, ...rest } = options;
    this.options = rest;
    this.signal = signal;
    this.#session = session;
  }

  /** A driver for one operation: the session's, or a fresh one closed afterwards. */
  protected use(options: { runner?: Runner; backend?: CommonOptions["backend"] } = {}): DriverUse {
    if (this.#session) return this.#session.use;
    const o = { ...this.options, ...options };
    const choice = {
      ...(o.runner ? { runner: o.runner } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
    };
    return async (fn) => (await import("../engine/driver.js")).withDriver(choice, fn);
  }

  /**
   * What an operation runs with: its signal (the call's and the handle's), and a runner that stops
   * its commands when that signal aborts.
   */
  #stoppable(options: { runner?: Runner; signal?: AbortSignal }): { signal?: AbortSignal; runner?: Runner } {
    const signal = anySignal(this.signal, options.signal);
    if (!signal) return {};
    return { signal, runner: withSignal(options.runner ?? this.options.runner ?? systemRunner, signal) };
  }

  /** The lab as the kernel sees it now (E_NOT_FOUND when it has no record). */
  async status(options: SignalOption = {}): Promise<LabReport> {
    const s = this.#stoppable(options);
    // A lab this machine spread over several: each machine observes its part.
    const work = isMultiLab(this.name)
      ? import("./remote/status.js").then(({ statusMulti }) =>
          statusMulti(this.name, { ...this.options, ...s }),
        )
      : import("./status.js").then(({ observeLab }) =>
          this.use(s)((driver) => observeLab(this.name, driver)),
        );
    return abortable(work, s.signal, `status of lab '${this.name}'`);
  }

  /** Run `argv` (no shell) in namespace node `node` and capture its output; see {@link execIn}. */
  exec(node: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const signal = anySignal(this.signal, options.signal);
    const o = { ...this.options, ...options, ...(signal ? { signal } : {}) };
    if (isMultiLab(this.name))
      return import("./remote/exec.js").then(({ execMulti }) => execMulti(this.name, node, argv, o));
    return execIn(this.name, node, argv, o);
  }

  /** Run `argv` in `node` attached to this terminal; resolves with its exit code. */
  execInteractive(node: string, argv: readonly string[], options: AttachedOptions = {}): Promise<number> {
    const signal = anySignal(this.signal, options.signal);
    const o = { ...options, ...(signal ? { signal } : {}) };
    if (isMultiLab(this.name))
      return import("./remote/exec.js").then(({ execAttachedMulti }) =>
        execAttachedMulti(this.name, node, argv, this.options.runner, {
          ...o,
          ...(this.options.log ? { log: this.options.log } : {}),
        }),
      );
    return execAttached(this.name, node, argv, this.options.runner, o);
  }

  /** The lab's services and their state (running, exited with a code, restarts, since when). */
  async services(): Promise<ServiceReport[]> {
    const { labServiceReports } = await import("./services.js");
    return labServiceReports(this.name);
  }

  /**
   * The logs of `node`'s services (or of `service`); with `follow`, also what they write next, to
   * `write`, until `signal` aborts or the lab goes down.
   */
  async logs(
    node: string,
    service?: string,
    options: { follow?: boolean; write?: (text: string) => void; signal?: AbortSignal } = {},
  ): Promise<string> {
    const { followServiceLogs, serviceLogs } = await import("./services.js");
    if (!options.follow) return serviceLogs(this.name, node, service);
    await followServiceLogs(this.name, node, service, options.write ?? (() => {}), options.signal);
    return "";
  }

  /** Ping every pair of addresses sharing a subnet (or a sample in big labs), from inside the nodes. */
  async ping(options: LabPingOptions = {}): Promise<PingReport> {
    const s = this.#stoppable(options);
    const o = { ...options, ...s };
    // A lab this machine spread over several: each pair is pinged on its source's machine.
    const work = isMultiLab(this.name)
      ? import("./remote/ping.js").then(({ pingMulti }) => pingMulti(this.name, { ...this.options, ...o }))
      : import("./ping.js").then(({ pingLab }) => pingLab(this.name, this.use(o), { ...this.options, ...o }));
    return abortable(work, s.signal, `ping of lab '${this.name}'`);
  }

  /**
   * One ping from node `from` to `to`: a node (an address of it on a subnet the two share, else
   * its first address) or an address. A lost ping is a result (`ok: false`), not an error.
   */
  async pingFrom(
    from: string,
    to: string,
    options: CommonOptions & Omit<PingOptions, "parallel" | "onResult"> = {},
  ): Promise<PingResult> {
    const s = this.#stoppable(options);
    const o = { ...options, ...s };
    const work = isMultiLab(this.name)
      ? import("./remote/node-ops.js").then(({ pingFromMulti }) =>
          pingFromMulti(this.name, from, to, { ...this.options, ...o }),
        )
      : import("./ping.js").then(({ pingFromNode }) =>
          pingFromNode(this.name, this.use(o), from, to, { ...this.options, ...o }),
        );
    return abortable(work, s.signal, `ping from ${from} to ${to} in lab '${this.name}'`);
  }

  /** Check the lab's expectations and its subnet ping matrix; one result per check. */
  async test(options: TestOptions = {}): Promise<TestReport> {
    const s = this.#stoppable(options);
    const work = isMultiLab(this.name)
      ? import("./remote/test.js").then(({ testMulti }) =>
          testMulti(this.name, { ...this.options, ...options, ...s }),
        )
      : import("./test.js").then(({ testRunning }) =>
          testRunning(this.name, { ...this.options, ...options, ...s }),
        );
    return abortable(work, s.signal, `test of lab '${this.name}'`);
  }

  /** Throughput from node `from` to node `to` with iperf3 (server in `to`). */
  async iperf(from: string, to: string, options: IperfOptions = {}): Promise<IperfResult> {
    const s = this.#stoppable(options);
    const o = { ...this.options, ...options, ...s };
    const work = isMultiLab(this.name)
      ? import("./remote/iperf.js").then(({ iperfMulti }) => iperfMulti(this.name, from, to, o))
      : import("./iperf.js").then(({ measureThroughput }) => measureThroughput(this.name, from, to, o));
    return abortable(work, s.signal, `iperf from ${from} to ${to} in lab '${this.name}'`);
  }

  /** tcpdump on one end of a link (`node:interface`), inside its namespace. */
  capture(endpoint: string, options: CaptureOptions = {}): Promise<CaptureResult> {
    const signal = anySignal(this.signal, options.signal);
    return captureOn(this.name, endpoint, { ...this.options, ...options, ...(signal ? { signal } : {}) });
  }

  /** Take one end of a link (`node:interface`) administratively down, or back up. */
  async link(endpoint: string, state: "up" | "down", options: SignalOption = {}): Promise<ResolvedEndpoint> {
    const s = this.#stoppable(options);
    const work = isMultiLab(this.name)
      ? import("./remote/node-ops.js").then(({ linkMulti }) =>
          linkMulti(this.name, endpoint, state, { ...this.options, ...s }),
        )
      : import("./link.js").then(({ setEndState }) => setEndState(this.name, this.use(s), endpoint, state));
    return abortable(work, s.signal, `setting ${endpoint} of lab '${this.name}' ${state}`);
  }

  /**
   * Shape the egress of one end of a link (with `both`, of both ends), or with `null` remove the
   * shaping; nothing is recreated. Delay, jitter and loss need netem.
   */
  async shape(
    endpoint: string,
    shaping: Shaping | null,
    options: { both?: boolean; runner?: Runner; backend?: CommonOptions["backend"] } & SignalOption = {},
  ): Promise<ShapingResult> {
    const s = this.#stoppable(options);
    const runner = s.runner ?? options.runner ?? this.options.runner;
    const work = import("./link.js").then(({ shapeLink }) =>
      shapeLink(this.name, this.use({ ...options, ...s }), endpoint, shaping, {
        ...(options.both ? { both: true } : {}),
        ...(runner ? { runner } : {}),
      }),
    );
    return abortable(work, s.signal, `shaping ${endpoint} of lab '${this.name}'`);
  }

  /**
   * The flow tables of the lab's Open vSwitch bridges (or of the one named `bridge`, by its node or
   * OVS name) as OVS has them now, with counters, and each bridge's controllers.
   */
  async flows(bridge?: string): Promise<BridgeFlows[]> {
    const { labFlows } = await import("./flows.js");
    return labFlows(this.name, this.use(), bridge);
  }

  /** The lab's graph (from its record), with its kernel names. */
  graph(): GraphModel {
    return labGraph(this.name);
  }

  /**
   * Take the lab down (see the engine's `down`). Idempotent: calls while one is under way share it,
   * and after a success further calls return the same result. A failed attempt may be retried.
   * Only the call's own `signal` stops it (the handle's never does): an interrupted `down` leaves
   * the lab marked dirty, for a later `down` to finish.
   */
  down(options: SignalOption = {}): Promise<DownResult> {
    if (!this.#down) {
      const o = { ...this.options, ...(options.signal ? { signal: options.signal } : {}) };
      const attempt = import("../engine/down.js").then(({ down }) => down(this.name, o));
      this.#down = attempt;
      attempt.catch(() => {
        if (this.#down === attempt) this.#down = undefined;
      });
    }
    return this.#down;
  }
}
