/** What the CLI entry (the composition root) hands every command: made once, from the environment. */
import { FAULTS_ENV, type Faults, parseFaults } from "../engine/options.js";

export interface CliContext {
  /** Failures to inject (tests of rollback and recovery only), from `NSLAB_TEST_FAULTS`. */
  faults: Faults;
}

/** The context, read from the environment once, when the CLI starts. */
export function cliContext(env: NodeJS.ProcessEnv): CliContext {
  return { faults: parseFaults(env[FAULTS_ENV]) };
}
