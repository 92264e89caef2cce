/** A Runner that records every command instead of running it (for "nothing was run" assertions). */
import type { ChildProcess } from "node:child_process";
import type { Runner, RunOptions, RunResult } from "../../src/drivers/runner/index.js";

/** What a run of `argv` returns: exit 0, or exit 1 with `stderr` when given. */
export function runResult(argv: readonly string[], stderr?: string, durationMs = 0): RunResult {
  return { argv, exitCode: stderr === undefined ? 0 : 1, stdout: "", stderr: stderr ?? "", durationMs };
}

export class RecordingRunner implements Runner {
  readonly calls: { argv: readonly string[]; input?: string }[] = [];

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv, ...(options.input !== undefined ? { input: options.input } : {}) });
    return runResult(argv);
  }

  start(argv: readonly string[]): ChildProcess {
    this.calls.push({ argv });
    throw new Error(`RecordingRunner does not start processes (${argv.join(" ")})`);
  }
}
