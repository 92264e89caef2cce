/**
 * The logger every part of nslab reports through. The CLI prints everything it is told; the
 * library, when a call gives no `log`, uses the default: each warning once on stderr (what the
 * kernel's limits or a topology will do to the lab), nothing else. `setDefaultLogger(silentLogger)`
 * silences a whole program; `{ log: silentLogger }` one call.
 */

/** Receives what an operation has to say along the way. */
export type Logger = (level: "info" | "warn", message: string) => void;

/** A logger that drops everything. */
export const silentLogger: Logger = () => {};

const said = new Set<string>();

/** Warnings on stderr, each once per process; progress (`info`) dropped. */
export const stderrWarnings: Logger = (level, message) => {
  if (level !== "warn" || said.has(message)) return;
  said.add(message);
  process.stderr.write(`nslab: warning: ${message}\n`);
};

let fallback: Logger = stderrWarnings;

/** The logger of calls that give none (by default {@link stderrWarnings}). */
export function defaultLogger(): Logger {
  return fallback;
}

/** Replace the logger of calls that give none, for the whole process (e.g. {@link silentLogger}). */
export function setDefaultLogger(log: Logger): void {
  fallback = log;
}
