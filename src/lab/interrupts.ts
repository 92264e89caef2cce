/** SIGINT/SIGTERM during a change: stop at the next safe point and undo, instead of dying halfway. */
import type { Logger } from "./options.js";

/**
 * Run `fn` with an AbortSignal that fires on SIGINT or SIGTERM (or when `outer` aborts). A second
 * signal only reminds the user that the rollback is under way.
 */
export async function withInterrupts<T>(
  log: Logger,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      log("warn", `${sig} again: still rolling back, please wait`);
      return;
    }
    log("warn", `${sig}: stopping and undoing what this run created`);
    abort.abort();
  };
  const onOuter = () => abort.abort();
  outer?.addEventListener("abort", onOuter, { once: true });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(abort.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    outer?.removeEventListener("abort", onOuter);
  }
}
