/** Options shared by the engine's operations (and the handle's), and those of `up`. */
import type { ProgressFn } from "../drivers/apply/types.js";
import type { Backend } from "../drivers/driver.js";
import type { Faults } from "../drivers/faults.js";
import type { Runner } from "../drivers/runner/index.js";
import { defaultLogger, type Logger, silentLogger } from "../util/logger.js";
import type { HostProbe } from "./preflight.js";

export type { Logger } from "../util/logger.js";

/** A logger that drops everything. */
export const silent: Logger = silentLogger;

/** The logger of an operation: the one it was given, else the library's default (warnings on stderr, once). */
export function logOf(options: { log?: Logger }): Logger {
  return options.log ?? defaultLogger();
}

/** Options every lab operation takes. */
export interface CommonOptions {
  /** Runs external programs (tests pass a recording runner). */
  runner?: Runner;
  /** `agent` (native, fast) or `iproute2`; default: the agent when built (or `NSLAB_BACKEND`). */
  backend?: Backend | "auto";
  /**
   * Receives progress messages and warnings. Default: each warning once on stderr, progress
   * dropped (`setDefaultLogger(silentLogger)` silences a program, `log: silentLogger` a call).
   */
  log?: Logger;
  /**
   * Aborts the operation: `up` stops and undoes what it did; `down` stops (the lab is left dirty,
   * for the next `down`); exec, ping, test, iperf, capture, status, link and shaping reject at
   * once with `E_INTERRUPTED` and end the commands they started.
   */
  signal?: AbortSignal;
  /** Called as batches of operations complete (`up`). */
  onProgress?: ProgressFn;
}

/** Options of `up`. */
export interface UpOptions extends CommonOptions {
  /**
   * Only create: fail with E_CONFLICT when a lab of this name exists already, instead of leaving
   * it as it is or changing it in place to match `topology`. (`withLab` sets this.)
   */
  exclusive?: boolean;
  /**
   * Failures to inject, to exercise rollback and recovery (the CLI reads them from
   * `NSLAB_TEST_FAULTS`; see drivers/faults.ts).
   * @internal
   */
  faults?: Faults;
  /**
   * Labs whose routers run FRR: return once routing has converged (default true); false returns as
   * soon as the daemons are started.
   */
  wait?: boolean;
  /** How long to wait for routing to converge (default 120 s); E_VERIFY naming what is lacking after it. */
  waitTimeoutMs?: number;
  /**
   * What the environment checks see (tests simulate hosts that lack things).
   * @internal
   */
  host?: HostProbe;
  /**
   * A new lab only: called once the plan is checked and every name it needs is free, before
   * anything is created; a throw ends `up` having changed nothing. (A machine's part of a
   * multi-machine lab says "planned" here and waits for the controller's go.)
   * @internal
   */
  onPlanned?: (plan: { operations: number }) => Promise<void>;
  /**
   * A new lab only: called once everything is applied, before the lab is recorded as up; a throw
   * undoes the lab. (A machine's part waits here for the controller's commit.) `signal` aborts on
   * SIGINT/SIGTERM.
   * @internal
   */
  beforeCommit?: (signal: AbortSignal) => Promise<void>;
}

export type { ProgressFn } from "../drivers/apply/types.js";
export { FAULTS_ENV, type Faults, parseFaults } from "../drivers/faults.js";
