/**
 * Running many `ip` commands as one process: `ip -batch -`, with every failure mapped back to the
 * line (and so the operation) that caused it.
 */
import { inNode } from "../in-node.js";
import type { Runner } from "../runner/index.js";

/** A batch line's failure as reported by ip: the 0-based line index and its message. */
export interface BatchFailure {
  line: number;
  message: string;
}

/** Result of one batch run. */
export interface BatchResult {
  failures: BatchFailure[];
  /** With `force` off, ip stopped after the first failure: lines after it did not run. */
  stoppedAt?: number;
}

/**
 * Run `lines` (ip commands without the leading `ip`) in one `ip [-force] -batch -` process.
 * With `ns`, the batch runs inside that namespace node (see in-node.ts).
 */
export async function runIpBatch(
  runner: Runner,
  lines: readonly string[],
  options: { force: boolean; ns?: string | null; tool?: "ip" | "tc" },
): Promise<BatchResult> {
  if (lines.length === 0) return { failures: [] };
  // `tc -batch` takes the same options and reports failures the same way as `ip -batch`.
  const tool = options.tool ?? "ip";
  const batch = [tool, ...(options.force ? ["-force"] : []), "-batch", "-"];
  const argv = options.ns ? inNode(options.ns, batch) : batch;
  const res = await runner.run(argv, {
    input: `${lines.join("\n")}\n`,
    allowFailure: true,
    timeoutMs: 60_000 + lines.length * 30,
  });
  if (res.exitCode === 0) return { failures: [] };
  const failures = parseBatchErrors(res.stderr);
  if (failures.length === 0) {
    // Nothing ran (e.g. nsenter could not enter the namespace): every line failed.
    const message = res.stderr.trim() || `ip exited with code ${res.exitCode}`;
    return { failures: lines.map((_, line) => ({ line, message })), stoppedAt: 0 };
  }
  return options.force ? { failures } : { failures, stoppedAt: failures[0]!.line };
}

/** Parse ip's batch stderr: messages followed by `Command failed -:N` (N is 1-based). */
export function parseBatchErrors(stderr: string): BatchFailure[] {
  const failures: BatchFailure[] = [];
  let pending: string[] = [];
  for (const raw of stderr.split("\n")) {
    const m = raw.match(/^Command failed -:(\d+)\s*$/);
    if (m) {
      failures.push({ line: Number(m[1]) - 1, message: pending.join("\n").trim() || "failed" });
      pending = [];
    } else if (raw.trim()) pending.push(raw.trim());
  }
  return failures;
}
