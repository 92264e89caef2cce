/**
 * What the CLI entry (main.ts, the composition root) hands every command: made there once, from the
 * environment. Types only: commands never read the environment themselves.
 */
import type { Faults } from "../engine/options.js";
import type { CommandWords } from "./summaries.js";

export interface CliContext {
  /** Failures to inject (tests of rollback and recovery only), from `NSLAB_TEST_FAULTS`. */
  faults: Faults;
  /** Where `nslab shell` keeps its history: `NSLAB_HISTORY`, else ~/.nslab_history. */
  historyFile: string;
  /** Every command's words for shell completion, written down by the bundler (else read from the program). */
  commandWords?: CommandWords[];
}
