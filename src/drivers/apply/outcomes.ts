/** Turning per-command results into per-operation outcomes. */
import type { OpOutcome } from "./types.js";

/** What happened to each command of one operation. */
export type CommandStatus = { status: "ok" } | { status: "failed"; message: string } | { status: "not-run" };

/**
 * One operation's outcome from its commands' results: all ok → ok; nothing ran → skipped;
 * first command failed → failed (nothing changed); a later one failed or did not run → partial.
 */
export function outcomeOf(results: readonly CommandStatus[], commandText: (i: number) => string): OpOutcome {
  const failedAt = results.findIndex((r) => r.status === "failed");
  if (failedAt >= 0) {
    const r = results[failedAt] as { message: string };
    const ranBefore = results.slice(0, failedAt).some((x) => x.status === "ok");
    return { status: ranBefore ? "partial" : "failed", message: r.message, command: commandText(failedAt) };
  }
  if (results.every((r) => r.status === "ok")) return { status: "ok" };
  if (results.every((r) => r.status === "not-run")) return { status: "skipped" };
  const stopped = results.findIndex((r) => r.status === "not-run");
  return { status: "partial", message: "interrupted before it completed", command: commandText(stopped) };
}
