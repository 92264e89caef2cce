/** The error a failed external command raises: everything needed to reproduce and understand it. */
import { NslabError } from "../../errors.js";
import { formatArgv } from "../../util/quote.js";

/** Everything known about a failed command. */
export interface CommandFailure {
  /** The command as run (argv[0] resolved to an absolute path). */
  argv: readonly string[];
  /** Its exit code; null when it was killed or never started. */
  exitCode: number | null;
  /** The signal that killed it, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** It was killed for running longer than its timeout. */
  timedOut: boolean;
}

/** An external command exited non-zero, was killed, timed out, or could not be started. */
export class CommandError extends NslabError implements CommandFailure {
  override name = "CommandError";
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;

  constructor(f: CommandFailure, options: { cause?: unknown; hint?: string } = {}) {
    const how = f.timedOut
      ? `timed out after ${Math.round(f.durationMs)} ms`
      : f.signal
        ? `was killed by ${f.signal}`
        : f.exitCode === null
          ? "could not be started"
          : `exited with code ${f.exitCode}`;
    const detail = f.stderr.trim() || (options.cause instanceof Error ? options.cause.message : "");
    super("E_COMMAND", `command ${how}: ${formatArgv(f.argv)}${detail ? `\n${detail}` : ""}`, options);
    this.argv = f.argv;
    this.exitCode = f.exitCode;
    this.signal = f.signal;
    this.stdout = f.stdout;
    this.stderr = f.stderr;
    this.durationMs = f.durationMs;
    this.timedOut = f.timedOut;
  }

  /** The command as a shell line, for "run this yourself" messages. */
  get command(): string {
    return formatArgv(this.argv);
  }
}
