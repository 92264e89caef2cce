/**
 * `exec`: run a command inside a node of a running lab. The node's namespace is looked up in the
 * lab's record, never taken from the command line; the command is an argv (no shell) and enters the
 * node the way a person's command does (drivers/in-node.ts, `session`).
 */
import type { ChildProcess } from "node:child_process";
import { inNode } from "../drivers/in-node.js";
import { CommandError, type Runner, systemRunner } from "../drivers/runner/index.js";
import type { CommonOptions } from "../engine/options.js";
import { NslabError } from "../errors.js";
import { nodeMountFile } from "../plan/node-env.js";
import type { LabState } from "../state/store.js";
import { listSome } from "../util/listing.js";
import { checkedName, lookupRecordOf } from "./record.js";

/** The argv that runs `argv` in `node` of `lab`, the way a person's command enters it. */
export function nodeArgv(lab: string, node: string, argv: readonly string[]): string[] {
  const { ns, mnt } = nodeNamespaces(lab, node);
  return inNode(ns, argv, "session", mnt);
}

/** The namespaces of `node` in lab `lab`: its network namespace, its kept mount namespace if any. */
export function nodeNamespaces(lab: string, node: string): { ns: string; mnt?: string } {
  const state = lookupRecordOf(lab);
  const ns = checkedName(lab, nodeNamespace(state, lab, node), "netns");
  const labfs = state.owned.find((o) => o.kind === "labfs")?.name;
  return labfs ? { ns, mnt: nodeMountFile(labfs, checkedName(lab, node, "node")) } : { ns };
}

/** The namespace of `node` in lab `lab` (E_NOT_FOUND with what exists, otherwise). */
function nodeNamespace(state: Readonly<LabState>, lab: string, node: string): string {
  const n = state.topology.nodes.find((x) => x.name === node);
  if (!n) {
    const names = state.topology.nodes.filter((x) => x.kind === "netns").map((x) => x.name);
    throw new NslabError("E_NOT_FOUND", `lab '${lab}' has no node '${node}'`, {
      hint: `its namespace nodes: ${listSome(names)}`,
    });
  }
  if (n.kind !== "netns")
    throw new NslabError(
      "E_USAGE",
      `node '${node}' is a ${n.kind} in the root namespace; exec runs commands in namespace nodes`,
    );
  return n.netns;
}

/** What a captured command produced. */
export interface ExecResult {
  /** The command's exit code (a command killed by a signal, a timeout or an abort throws instead). */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link exec}. */
export interface ExecOptions extends CommonOptions {
  /** Kill the command (SIGKILL) after this long; default 60 s. */
  timeoutMs?: number;
  /** Written to the command's stdin. */
  input?: string;
  /**
   * Environment variables for the command. Commands run with a scrubbed environment (a fixed
   * system PATH and the C locale); these are added to it.
   */
  env?: Readonly<Record<string, string>>;
  /** Throw a `CommandError` (with argv, exit code and output) when the command exits non-zero. */
  check?: boolean;
}

/**
 * Run `argv` in namespace node `node` of lab `lab` and capture its output. Like
 * `ip netns exec <namespace> argv…`: no shell is involved, and argv[0] is looked up in the system
 * PATH (give an absolute path otherwise, e.g. `process.execPath`). A non-zero exit is a result,
 * not an error, unless `check` is set; `signal` kills the command.
 */
export async function execIn(
  lab: string,
  node: string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  if (argv.length === 0) throw new NslabError("E_USAGE", "no command given");
  const { ns, mnt } = nodeNamespaces(lab, node);
  const res = await (options.runner ?? systemRunner).run(inNode(ns, argv, "session", mnt), {
    allowFailure: true,
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.check && res.exitCode !== 0)
    throw new CommandError(
      { ...res, argv, signal: null, timedOut: false },
      { hint: `it ran in node '${node}' of lab '${lab}' (namespace ${ns})` },
    );
  return { exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr };
}

/** Options of {@link execAttached}. */
export interface AttachedOptions {
  /** The command's stdin: this process's (default) or none (`ignore`: a script read on stdin stays ours). */
  stdin?: "inherit" | "ignore";
  /** Ends the command (SIGTERM) when it aborts. */
  signal?: AbortSignal;
  /** Added to the command's scrubbed environment (ssh's key agent, for a node on another machine). */
  env?: Readonly<Record<string, string>>;
}

/**
 * Run `argv` in `node` of `lab` attached to this terminal (its output straight to ours); resolves
 * with its exit code (128 + the signal's number when a signal ended it). The terminal's Ctrl-C
 * reaches the command; nslab waits for it to end.
 */
export function execAttached(
  lab: string,
  node: string,
  argv: readonly string[],
  runner: Runner = systemRunner,
  options: AttachedOptions = {},
): Promise<number> {
  if (argv.length === 0) throw new NslabError("E_USAGE", "no command given");
  return attached(nodeArgv(lab, node, argv), runner, options);
}

/**
 * Run `argv` on the host (the root namespace), attached to this terminal as {@link execAttached}
 * runs one in a node: the shell's `sh CMD`.
 */
export function execOnHost(
  argv: readonly string[],
  runner: Runner = systemRunner,
  options: AttachedOptions = {},
): Promise<number> {
  if (argv.length === 0) throw new NslabError("E_USAGE", "no command given");
  return attached(argv, runner, options);
}

/** Run `argv` (already complete) attached to this terminal; resolves with its exit code. */
export function attached(argv: readonly string[], runner: Runner, options: AttachedOptions): Promise<number> {
  const child: ChildProcess = runner.start(argv, {
    stdio: options.stdin === "ignore" ? "output" : "inherit",
    ...(options.env ? { env: options.env } : {}),
  });
  return new Promise((resolve) => {
    const ignore = () => {};
    const stop = () => child.kill("SIGTERM");
    process.on("SIGINT", ignore);
    options.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", () => {}); // a command that cannot start ends with 'close' too (exit 127-like code null)
    child.on("close", (code, signal) => {
      process.off("SIGINT", ignore);
      options.signal?.removeEventListener("abort", stop);
      resolve(code ?? (signal ? 128 + (SIGNALS[signal] ?? 9) : 1));
    });
  });
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGPIPE: 13,
  SIGTERM: 15,
};
