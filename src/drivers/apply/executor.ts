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

/** Apply `ops` in order through the channels `route` picks. */
export async function applyOps(
  ops: readonly Op[],
  route: Router,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
  const limit = options.faultAt !== undefined ? Math.min(options.faultAt - 1, ops.length) : ops.length;
  const chunk = options.chunk ?? 2000;
  let firstFailure: number | undefined;
  let interrupted = false;
  let done = 0;

  const pauseIndex = options.pauseAt !== undefined ? options.pauseAt - 1 : -1;
  let retries = 0;
  let start = 0;
  while (start < limit) {
    if (start === pauseIndex && !options.signal?.aborted) await pause(pauseIndex, options.signal);
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const channel = route(ops[start]!);
    let end = start + 1;
    while (end < limit && end - start < chunk && end !== pauseIndex && route(ops[end]!) === channel) end++;
    const results = await channel.apply(ops.slice(start, end), options.mode, options.signal);
    // A refusal that means "busy, try again" is retried (a few times, backing off) before it counts.
    const isTransient = (r: OpOutcome) => r.status === "failed" && TRANSIENT.test(r.message);
    if (options.mode === "stop") {
      const t = results.findIndex(isTransient);
      if (t >= 0 && retries < RETRIES) {
        await sleep(BACKOFF_MS << retries++);
        results.slice(0, t).forEach((r, i) => {
          outcomes[start + i] = r;
        });
        done += t;
        start += t; // the ops after it were skipped: resume from the refused one
        continue;
      }
    } else {
      for (let attempt = 0; attempt < RETRIES && results.some(isTransient); attempt++) {
        await sleep(BACKOFF_MS << attempt);
        const again = results.flatMap((r, i) => (isTransient(r) ? [i] : []));
        const redo = await channel.apply(
          again.map((i) => ops[start + i]!),
          "continue",
          options.signal,
        );
        again.forEach((i, k) => {
          results[i] = redo[k]!;
        });
      }
    }
    retries = 0;
    results.forEach((r, i) => {
      outcomes[start + i] = r;
      if ((r.status === "failed" || r.status === "partial") && firstFailure === undefined)
        firstFailure = start + i;
    });
    done += end - start;
    options.onProgress?.({ done, total: ops.length, phase: channel.name });
    if (firstFailure !== undefined && options.mode === "stop") break;
    start = end;
  }

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
