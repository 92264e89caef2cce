/**
 * The one way nslab runs external programs: argv arrays (never a shell), absolute binaries,
 * a scrubbed environment, a timeout, pipes always drained, one log line per command, and a
 * CommandError with argv, exit code, stderr and duration when it fails.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { NslabError } from "../../errors.js";
import { formatArgv } from "../../util/quote.js";
import { requireBinary } from "./binaries.js";
import { CommandError } from "./errors.js";
import { fastSpawn } from "./fast-spawn.js";

/** Options for one command run to completion. */
export interface RunOptions {
  /** Written to the command's stdin, then stdin is closed. */
  input?: string;
  /** Kill the command (SIGKILL) after this long. Default 60 s. */
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the exit code is non-zero. */
  allowFailure?: boolean;
  /** Extra environment variables, on top of the scrubbed base. */
  env?: Readonly<Record<string, string>>;
  /** The directory it runs in (default: nslab's own). */
  cwd?: string;
  /**
   * Kill the command (SIGKILL) when this aborts: the run fails with a CommandError (or with
   * E_INTERRUPTED, without starting it, when it was aborted already).
   */
  signal?: AbortSignal;
}

/** What a finished command left behind. */
export interface RunResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options for a long-running process whose stdio the caller drives. */
export interface StartOptions {
  env?: Readonly<Record<string, string>>;
  /**
   * `pipe` (default) hands the caller stdin/stdout/stderr; `inherit` shares the terminal; `output`
   * shares stdout and stderr, with no stdin (what a script read on our stdin runs with); `{ out }`:
   * a daemon — stdin /dev/null, stdout and stderr to file descriptor `out`, a session of its own.
   */
  stdio?: "pipe" | "inherit" | "output" | { out: number };
}

/** Runs external programs. The lab API takes one, so tests can record calls instead of running them. */
export interface Runner {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  start(argv: readonly string[], options?: StartOptions): ChildProcess;
}

/** One log record per command, for `--verbose`. */
export interface CommandLogEntry {
  argv: readonly string[];
  exitCode: number | null;
  durationMs: number;
  inputLines: number;
  /** When it started: `performance.now()`, milliseconds since this process began. */
  startedMs: number;
}

type CommandLog = (entry: CommandLogEntry) => void;
let commandLog: CommandLog | undefined;

/** Install (or remove, with undefined) the sink that sees every command nslab runs. */
export function setCommandLog(log: CommandLog | undefined): void {
  commandLog = log;
}

/**
 * Log a request to a long-lived helper (the native agent, OVSDB) through the same sink, so
 * `--verbose` shows every round trip with its duration, not only process spawns. The entry is made
 * only when a sink is installed (a big request's summary is not free).
 */
export function logCommand(entry: () => CommandLogEntry): void {
  if (commandLog) commandLog(entry());
}

/** The environment every child gets: nothing inherited but a fixed PATH and the C locale. */
export function scrubbedEnv(extra?: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", LANG: "C", ...extra };
}

/** Resolve argv[0] to an absolute path (throws E_ENV naming the package when missing). */
export function resolveArgv(argv: readonly string[]): string[] {
  const [cmd, ...rest] = argv;
  if (!cmd) throw new TypeError("empty argv");
  return [requireBinary(cmd), ...rest];
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The runner that really runs things. */
export const systemRunner: Runner = {
  run(argv, options = {}) {
    const full = resolveArgv(argv);
    const started = performance.now();
    const { signal } = options;
    if (signal?.aborted)
      return Promise.reject(
        new NslabError("E_INTERRUPTED", `aborted before it started: ${formatArgv(full)}`, {
          cause: signal.reason,
        }),
      );
    return new Promise<RunResult>((resolve, reject) => {
      // Own process group: a Ctrl-C at the terminal reaches nslab (which rolls back), not the
      // commands it is in the middle of.
      // posix_spawn when the package's addon is there (see fast-spawn.ts), else Node's fork.
      const env = scrubbedEnv(options.env);
      const child =
        fastSpawn(full[0]!, full.slice(1), env, options.cwd) ??
        spawn(full[0]!, full.slice(1), {
          env,
          ...(options.cwd ? { cwd: options.cwd } : {}),
          stdio: ["pipe", "pipe", "pipe"],
          detached: true,
        });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let spawnError: Error | undefined;
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", (e) => {
        spawnError = e;
      });
      // A command that exits early closes its stdin; writing on is harmless, not fatal.
      child.stdin.on("error", () => {});
      child.stdin.end(options.input ?? "");
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const onAbort = () => child.kill("SIGKILL");
      signal?.addEventListener("abort", onAbort, { once: true });
      child.on("close", (code, killedBy) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const durationMs = performance.now() - started;
        const stdout = Buffer.concat(out).toString("utf8");
        const stderr = Buffer.concat(err).toString("utf8");
        commandLog?.({
          argv: full,
          exitCode: code,
          durationMs,
          inputLines: countLines(options.input),
          startedMs: started,
        });
        if (code === 0 || (options.allowFailure && code !== null && !spawnError)) {
          resolve({ argv: full, exitCode: code ?? 0, stdout, stderr, durationMs });
          return;
        }
        reject(
          new CommandError(
            { argv: full, exitCode: code, signal: killedBy, stdout, stderr, durationMs, timedOut },
            { cause: spawnError ?? (signal?.aborted ? signal.reason : undefined) },
          ),
        );
      });
    });
  },

  start(argv, options = {}) {
    const full = resolveArgv(argv);
    commandLog?.({ argv: full, exitCode: null, durationMs: 0, inputLines: 0, startedMs: performance.now() });
    const inherit = options.stdio === "inherit" || options.stdio === "output";
    const daemon = typeof options.stdio === "object" ? options.stdio : undefined;
    const env = scrubbedEnv(options.env);
    const piped = !inherit && !daemon ? fastSpawn(full[0]!, full.slice(1), env) : undefined;
    if (piped) return piped;
    return spawn(full[0]!, full.slice(1), {
      env,
      stdio:
        options.stdio === "output"
          ? ["ignore", "inherit", "inherit"]
          : inherit
            ? "inherit"
            : daemon
              ? ["ignore", daemon.out, daemon.out]
              : ["pipe", "pipe", "pipe"],
      // Helpers driven through pipes get their own process group (see run()); interactive
      // commands share the terminal's, so Ctrl-C reaches them.
      detached: !inherit,
    });
  },
};

function countLines(input: string | undefined): number {
  if (!input) return 0;
  let n = 0;
  for (let i = 0; i < input.length; i++) if (input.charCodeAt(i) === 10) n++;
  return n;
}
