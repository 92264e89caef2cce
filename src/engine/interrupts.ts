/** SIGINT/SIGTERM during a change: stop at the next safe point and undo, instead of dying halfway. */
import type { Logger } from "./options.js";

/** Changes under way in this process; one pair of process listeners serves them all. */
const active = new Set<(sig: NodeJS.Signals) => void>();
const dispatch = (sig: NodeJS.Signals) => {
  for (const onSignal of [...active]) onSignal(sig);
};

/**
 * Run `fn` with an AbortSignal that fires on SIGINT or SIGTERM (or when `outer` aborts). A second
 * signal only reminds the user that the rollback is under way. Any number of labs can change at
 * once in one process (e.g. tests side by side): they share one listener per signal.
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
  if (outer?.aborted) abort.abort();
  else outer?.addEventListener("abort", onOuter, { once: true });
  if (active.size === 0) {
    process.on("SIGINT", dispatch);
    process.on("SIGTERM", dispatch);
  }
  active.add(onSignal);
  try {
    return await fn(abort.signal);
  } finally {
    active.delete(onSignal);
    if (active.size === 0) {
      process.off("SIGINT", dispatch);
      process.off("SIGTERM", dispatch);
    }
    outer?.removeEventListener("abort", onOuter);
  }
}
