/** How the CLI talks: messages on stderr, results on stdout, errors with their hint, exit codes. */
import { formatProblem, NslabError, TopologyError } from "../errors.js";
import type { Logger } from "../util/logger.js";
import { err as pc } from "./colour.js";

/** Exit codes: 0 ok, 1 failed, 2 invalid input or usage, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;

let quiet = false;
export function setQuiet(q: boolean): void {
  quiet = q;
}
export function isQuiet(): boolean {
  return quiet;
}

/** The logger lab operations report through. */
export const cliLog: Logger = (level, message) => {
  if (level === "info" && quiet) return;
  process.stderr.write(`${level === "warn" ? pc.yellow("warning: ") : ""}${message}\n`);
};

/** A warning on stderr (shown even with --quiet). */
export function warn(message: string): void {
  process.stderr.write(`${pc.yellow("warning:")} ${message}\n`);
}

/** An informational line on stderr (suppressed by --quiet). */
export function info(message: string): void {
  if (!quiet) process.stderr.write(`${message}\n`);
}

/** Print an error the way users can act on it; return the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof TopologyError) {
    for (const p of e.problems) process.stderr.write(`${pc.red("error:")} ${formatProblem(p)}\n`);
    process.stderr.write(
      `${e.problems.length} problem${e.problems.length === 1 ? "" : "s"} found; nothing was changed\n`,
    );
    return EXIT.invalid;
  }
  if (e instanceof NslabError) {
    process.stderr.write(`${pc.red("error:")} ${e.message}\n`);
    if (e.hint) process.stderr.write(`${pc.dim("hint:")} ${e.hint}\n`);
    if (e.code === "E_FILE" || e.code === "E_USAGE") return EXIT.invalid;
    if (e.code === "E_INTERRUPTED") return EXIT.interrupted;
    return EXIT.failed;
  }
  const err = e as Error;
  process.stderr.write(`${pc.red("internal error:")} ${err?.stack ?? String(e)}\n`);
  return EXIT.failed;
}
