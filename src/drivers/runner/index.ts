/** The command runner: the only module that spawns processes. */

export { formatArgv, shellQuote } from "../../util/quote.js";
export { clearBinaryCache, findBinary, PACKAGE_OF, requireBinary, SYSTEM_DIRS } from "./binaries.js";
export { CommandError, type CommandFailure } from "./errors.js";
export {
  type CommandLogEntry,
  logCommand,
  type Runner,
  type RunOptions,
  type RunResult,
  resolveArgv,
  type StartOptions,
  scrubbedEnv,
  setCommandLog,
  systemRunner,
} from "./runner.js";
export { withSignal } from "./signal.js";
