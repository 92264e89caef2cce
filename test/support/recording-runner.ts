/** A Runner that records every command instead of running it (for "nothing was run" assertions). */
import type { ChildProcess } from "node:child_process";
import type { Runner, RunOptions, RunResult } from "../../src/drivers/runner/index.js";

export class RecordingRunner implements Runner {
  readonly calls: { argv: readonly string[]; input?: string }[] = [];

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv, ...(options.input !== undefined ? { input: options.input } : {}) });
    return { argv, exitCode: 0, stdout: "", stderr: "", durationMs: 0 };
  }

  start(argv: readonly string[]): ChildProcess {
    this.calls.push({ argv });
    throw new Error(`RecordingRunner does not start processes (${argv.join(" ")})`);
  }
}
