/**
 * Applies a list of operations through channels: consecutive operations that go to the same
 * channel travel together (one `ip -batch`, one agent round, one OVSDB transaction). Reports an
 * outcome for every operation, so a failed `up` knows exactly what to undo.
 */
import { formatLocation, NslabError } from "../../errors.js";
import { commandArgv, opCommands } from "../../plan/commands.js";
import type { Op } from "../../plan/ops.js";
import { formatArgv } from "../../util/quote.js";
import type { Channel, FailureMode, OpOutcome, ProgressFn } from "./types.js";

/** Picks the channel for an operation. */
export type Router = (op: Op) => Channel;

export interface ApplyOptions {
  mode: FailureMode;
  /** Test hook: operation number `faultAt` (1-based) fails as if the kernel refused it. */
  faultAt?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Largest number of operations sent in one request (keeps abort and progress responsive). */
  chunk?: number;
  /**
   * Test hook: before operation `pauseAt` (1-based), print a line on stderr and wait until the
   * signal aborts (or 60 s pass), so tests can interrupt or kill `up` at an exact point.
   */
  pauseAt?: number;
  /**
   * Building (`stop` mode): runs of an independent channel (see `Channel.independent`) go on while
   * the next runs of the other channels are applied, each channel's runs still in order. The
   * first failure in either stops the rest; nothing is left running when this returns.
   */
  overlap?: boolean;
}

/** Kernel answers that mean "try again shortly" rather than "no". */
const TRANSIENT = /Device or resource busy|EBUSY|Resource temporarily unavailable|EAGAIN/;
/** How often a transiently failing operation is retried, and the first back-off. */
const RETRIES = 3;
const BACKOFF_MS = 50;

/** Outcome of applying a plan. */
export interface ApplyReport {
  outcomes: OpOutcome[];
  /** The first failure, if any, as an error ready to show. */
  error?: ApplyError;
  interrupted: boolean;
}

/** An operation of a plan failed. Says which, the command, where it came from, and the kernel's words. */
export class ApplyError extends NslabError {
  override name = "ApplyError";
  /**
   * @param index which operation failed (0-based)
   * @param total how many operations the plan had
   * @param op the failed operation (its `src` is the topology element it came from)
   * @param command the operation as a shell command, to reproduce it by hand
   * @param kernelMessage what the kernel (or OVSDB) said
   */
  constructor(
    readonly index: number,
    readonly total: number,
    readonly op: Op,
    readonly command: string,
    readonly kernelMessage: string,
  ) {
    const from = op.src ? `\n  from ${formatLocation(op.src)}` : "";
    super(
      "E_APPLY",
      `operation ${index + 1} of ${total} failed: ${command}${from}\n  error: ${kernelMessage}`,
      {
        ...(op.src ? { location: op.src } : {}),
      },
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pause(index: number, signal: AbortSignal | undefined): Promise<void> {
  process.stderr.write(`nslab-test: paused before operation ${index + 1}\n`);
  const deadline = Date.now() + 60_000;
  while (!signal?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Apply one run of operations through `channel`; a refusal that means "busy, try again" is retried
 * (a few times, backing off) before it counts — from the refused operation on when building, only
 * the refused ones when tearing down.
 */
async function applyRun(channel: Channel, run: readonly Op[], options: ApplyOptions): Promise<OpOutcome[]> {
  const isTransient = (r: OpOutcome) => r.status === "failed" && TRANSIENT.test(r.message);
  const results = await channel.apply(run, options.mode, options.signal);
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    if (options.mode === "stop") {
      const t = results.findIndex(isTransient);
      if (t < 0) break;
      await sleep(BACKOFF_MS << attempt);
      const redo = await channel.apply(run.slice(t), "stop", options.signal);
      redo.forEach((r, k) => {
        results[t + k] = r;
      });
    } else {
      const again = results.flatMap((r, i) => (isTransient(r) ? [i] : []));
      if (again.length === 0) break;
      await sleep(BACKOFF_MS << attempt);
      const redo = await channel.apply(
        again.map((i) => run[i]!),
        "continue",
        options.signal,
      );
      again.forEach((i, k) => {
        results[i] = redo[k]!;
      });
    }
  }
  return results;
}

/** Apply `ops` in order through the channels `route` picks. */
export async function applyOps(
  ops: readonly Op[],
  route: Router,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
  const limit = options.faultAt !== undefined ? Math.min(options.faultAt - 1, ops.length) : ops.length;
  const chunk = options.chunk ?? 2000;
  const stopMode = options.mode === "stop";
  let firstFailure: number | undefined;
  let interrupted = false;
  let done = 0;
  /** The independent channel's runs, one after another, beside the rest (options.overlap). */
  let aside: Promise<void> | undefined;

  const record = (at: number, results: readonly OpOutcome[], phase: string) => {
    results.forEach((r, i) => {
      outcomes[at + i] = r;
      if (
        (r.status === "failed" || r.status === "partial") &&
        (firstFailure === undefined || at + i < firstFailure)
      )
        firstFailure = at + i;
    });
    done += results.length;
    options.onProgress?.({ done, total: ops.length, phase });
  };

  const pauseIndex = options.pauseAt !== undefined ? options.pauseAt - 1 : -1;
  let start = 0;
  try {
    while (start < limit) {
      if (start === pauseIndex && !options.signal?.aborted) await pause(pauseIndex, options.signal);
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (firstFailure !== undefined && stopMode) break;
      const channel = route(ops[start]!);
      let end = start + 1;
      while (end < limit && end - start < chunk && end !== pauseIndex && route(ops[end]!) === channel) end++;
      const at = start;
      const run = ops.slice(start, end);
      start = end;
      if (options.overlap && stopMode && channel.independent) {
        const go = async () => {
          if (options.signal?.aborted) interrupted = true;
          if (firstFailure !== undefined || interrupted) return;
          record(at, await applyRun(channel, run, options), channel.name);
        };
        // Started now (its request goes out before the next run's), after its channel's earlier runs.
        aside = aside ? aside.then(go) : go();
        continue;
      }
      record(at, await applyRun(channel, run, options), channel.name);
    }
  } finally {
    // Nothing goes on after this returns (or throws): the report says what was done.
    if (aside) await aside.catch(() => undefined);
  }
  // A failure of the independent channel itself (not of an operation): as if it were not aside.
  if (aside) await aside;

  if (firstFailure === undefined && !interrupted && options.faultAt !== undefined && limit < ops.length) {
    firstFailure = limit;
    outcomes[limit] = {
      status: "failed",
      message: "injected fault (test hook)",
      command: formatArgv(commandArgv(opCommands(ops[limit]!)[0]!)),
    };
  }
  const report: ApplyReport = { outcomes, interrupted };
  if (firstFailure !== undefined) {
    const o = outcomes[firstFailure] as Extract<OpOutcome, { message: string }>;
    report.error = new ApplyError(firstFailure, ops.length, ops[firstFailure]!, o.command, o.message);
  }
  return report;
}
