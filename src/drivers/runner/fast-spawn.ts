/**
 * Programs started with posix_spawn instead of Node's fork(), through the package's addon
 * (native/addon/spawn.c → dist/native/spawn.node), for the runner's piped children: the native
 * agent, and every command `run` waits for.
 *
 * Why: Node's child_process forks the whole Node process. The kernel copies its page tables and
 * write-protects every page, the exec then tears that copy down, and each page Node writes
 * afterwards takes a page fault. On the development VM (a Firecracker guest, where a page fault
 * costs ~10–15 µs) a spawn held the main thread 4–7 ms and the first writes after it cost 15 µs a
 * page (8 MB written after one spawn: 2,048 faults, 30 ms); posix_spawn (glibc: clone with
 * CLONE_VM | CLONE_VFORK) takes ~1 ms and leaves the parent's pages alone.
 *
 * The child looks like child_process's to the runner's callers (the members they use: pid,
 * stdin/stdout/stderr, exitCode, signalCode, kill, "exit", "close"; it never emits "error": a
 * program that cannot start is left to child_process); the same options as the runner's fork:
 * a session of its own (detached), every signal at its default, none blocked, the given
 * environment and directory. Its exit is learnt by reaping it once its stdout and stderr have both
 * closed (as "close" waits for them in child_process too), retried after a short wait while it is
 * still finishing. Without the addon (not built: no C compiler or Node headers where nslab was
 * built, another CPU), or with NSLAB_SPAWN=fork, the runner spawns with child_process as before.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { constants } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../util/package-root.js";

interface SpawnAddon {
  spawn(file: string, argv: string[], envp: string[], cwd: string | null): [number, number, number, number];
  wait(pid: number): [number, number] | undefined;
}

let addon: SpawnAddon | null | undefined;

/** The addon, loaded on first use (null: not built here, or turned off). */
export function spawnAddon(): SpawnAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  const root = packageRoot();
  if (process.env.NSLAB_SPAWN !== "fork" && root !== null)
    try {
      addon = createRequire(import.meta.url)(join(root, "dist", "native", "spawn.node")) as SpawnAddon;
    } catch {
      // not built, or built for another platform: child_process
    }
  return addon;
}

/** Longest wait between two looks at a child that closed its output but has not exited yet. */
const MAX_REAP_WAIT_MS = 50;

/** Signal numbers to names, as child_process reports them: the first name of each (SIGABRT, not SIGIOT). */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>();
for (const [name, n] of Object.entries(constants.signals))
  if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name as NodeJS.Signals);

/** A program started by posix_spawn, with the parts of ChildProcess the runner's callers use. */
class SpawnedChild extends EventEmitter {
  readonly pid: number;
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly #addon: SpawnAddon;
  #open = 2;
  #reaped = false;

  constructor(spawner: SpawnAddon, pid: number, fds: [number, number, number]) {
    super();
    this.#addon = spawner;
    this.pid = pid;
    this.stdin = new Socket({ fd: fds[0], readable: false, writable: true });
    this.stdout = new Socket({ fd: fds[1], readable: true, writable: false });
    this.stderr = new Socket({ fd: fds[2], readable: true, writable: false });
    for (const s of [this.stdout, this.stderr]) s.once("close", () => this.#outputClosed());
  }

  /** As ChildProcess.kill: false once it has been reaped (its pid may be someone else's by then). */
  kill(signal: NodeJS.Signals | number = "SIGTERM"): boolean {
    if (this.#reaped) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  #outputClosed(): void {
    if (--this.#open === 0) this.#reap(0);
  }

  /** Reap it, or look again in a moment (it closed its output and is exiting, or lives on without it). */
  #reap(waitedMs: number): void {
    let status: [number, number] | undefined;
    try {
      status = this.#addon.wait(this.pid);
    } catch {
      status = [-1, 0]; // not our child any more (ECHILD): nothing to wait for
    }
    if (status === undefined) {
      const next = Math.min(MAX_REAP_WAIT_MS, Math.max(1, waitedMs * 2));
      setTimeout(() => this.#reap(next), next);
      return;
    }
    this.#reaped = true;
    const [code, signal] = status;
    this.exitCode = signal === 0 && code >= 0 ? code : null;
    this.signalCode = signal === 0 ? null : (SIGNAL_NAMES.get(signal) ?? null);
    this.stdin.destroy();
    this.emit("exit", this.exitCode, this.signalCode);
    this.emit("close", this.exitCode, this.signalCode);
  }
}

/**
 * Start `file` (absolute) with `args` through posix_spawn, its stdin, stdout and stderr piped;
 * undefined when the addon is not there or the program could not be started (the caller then
 * spawns it with child_process, which reports why in its own way).
 */
export function fastSpawn(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): ChildProcessWithoutNullStreams | undefined {
  const spawner = spawnAddon();
  if (!spawner) return undefined;
  const envp = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  let started: [number, number, number, number];
  try {
    started = spawner.spawn(file, [file, ...args], envp, cwd ?? null);
  } catch {
    return undefined;
  }
  const [pid, ...fds] = started;
  // The members ChildProcess's users here touch; the rest of ChildProcess is not emulated.
  return new SpawnedChild(
    spawner,
    pid,
    fds as [number, number, number],
  ) as unknown as ChildProcessWithoutNullStreams;
}
