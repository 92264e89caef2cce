/**
 * One machine's side of a multi-machine `up`, driven by the controller in steps: `up` plans this
 * machine's part and checks every name it needs (nothing changed yet) and answers "planned"; `apply`
 * creates it and answers "applied"; `commit` records it as up. `abort` — or the controller going
 * away, kill -9 included (its session's input ends) — at any point before the commit undoes
 * whatever this machine did, with the ordinary rollback of `up`.
 */

import type { Faults } from "../../engine/options.js";
import { type UpResult, up } from "../../engine/up.js";
import { NslabError } from "../../errors.js";
import type { Topology } from "../../model/types.js";
import type { Logger } from "../../util/logger.js";

/** A promise with its settle functions, whose rejection nobody is obliged to await. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** What the step answers carry. */
export interface PlannedAnswer {
  operations: number;
}
export interface AppliedAnswer {
  operations: number;
  durationMs: number;
}

export class PartUp {
  readonly #go = deferred<void>();
  readonly #commit = deferred<void>();
  readonly #planned = deferred<PlannedAnswer>();
  readonly #applied = deferred<AppliedAnswer>();
  readonly #done: Promise<UpResult>;
  #aborted: NslabError | undefined;
  readonly #started = performance.now();

  constructor(part: Topology, options: { signal: AbortSignal; log: Logger; faults?: Faults }) {
    const stop = (e: NslabError) => {
      this.#aborted ??= e;
      this.#go.reject(e);
      this.#commit.reject(e);
    };
    // Aborted by the controller's word, or by its going away: either stops an apply under way at its
    // next batch (then the ordinary rollback runs) and fails the waits for its next word.
    const stopper = new AbortController();
    const stopAll = (e: NslabError) => {
      stop(e);
      stopper.abort(e);
    };
    const gone = () =>
      stopAll(new NslabError("E_INTERRUPTED", "the controlling nslab went away before it committed the lab"));
    if (options.signal.aborted) gone();
    else options.signal.addEventListener("abort", gone, { once: true });
    this.#done = up(part, {
      exclusive: true,
      log: options.log,
      signal: AbortSignal.any([options.signal, stopper.signal]),
      ...(options.faults ? { faults: options.faults } : {}),
      onPlanned: async (plan) => {
        this.#planned.resolve({ operations: plan.operations });
        await this.#go.promise;
      },
      beforeCommit: async (signal) => {
        this.#applied.resolve({ operations: 0, durationMs: performance.now() - this.#started });
        const interrupted = new Promise<never>((_, reject) => {
          if (signal.aborted) reject(new NslabError("E_INTERRUPTED", "interrupted before the commit"));
          signal.addEventListener(
            "abort",
            () => reject(new NslabError("E_INTERRUPTED", "interrupted before the commit")),
            { once: true },
          );
        });
        interrupted.catch(() => {});
        await Promise.race([this.#commit.promise, interrupted]);
      },
    });
    this.#done.then(
      () => {},
      (e) => {
        this.#planned.reject(e);
        this.#applied.reject(e);
      },
    );
    this.#abort = stopAll;
  }

  readonly #abort: (e: NslabError) => void;

  /** Resolves once the part is planned and its names are free (nothing changed yet). */
  planned(): Promise<PlannedAnswer> {
    return this.#planned.promise;
  }

  /** Go ahead: resolves once everything of the part exists (rejects when applying failed; undone). */
  async apply(): Promise<AppliedAnswer> {
    this.#go.resolve();
    const a = await this.#applied.promise;
    const planned = await this.#planned.promise;
    return { ...a, operations: planned.operations };
  }

  /** Record the part as up. */
  async commit(): Promise<{ durationMs: number }> {
    this.#commit.resolve();
    await this.#done;
    return { durationMs: performance.now() - this.#started };
  }

  /** Undo the part (before its commit); resolves once it is gone. */
  async abort(): Promise<{ rolledBack: true }> {
    this.#abort(new NslabError("E_INTERRUPTED", "the controller aborted: another machine failed"));
    try {
      await this.#done;
    } catch (e) {
      // The rollback this abort caused is a success; a failed rollback (E_ROLLBACK) is not.
      if (e instanceof NslabError && e.code === "E_ROLLBACK") throw e;
      return { rolledBack: true };
    }
    throw new NslabError("E_STATE", "the part was committed already; take it down instead");
  }

  /** Settles when the `up` has ended either way. */
  finished(): Promise<unknown> {
    return this.#done.catch(() => undefined);
  }

  get aborted(): boolean {
    return this.#aborted !== undefined;
  }
}
