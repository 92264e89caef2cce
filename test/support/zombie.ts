/**
 * A real zombie for tests: a process that has ended but is never reaped. `sh` starts the child in
 * the background and then execs `sleep`, which never calls wait(): the child stays a zombie (state
 * Z) for as long as that `sleep` lives. `release()` ends the `sleep` (our own child, by PID), after
 * which init reaps the zombie.
 */
import { spawn } from "node:child_process";
import { readProcess } from "../../src/util/proc.js";
import { ourPids } from "./pids.js";

export interface Zombie {
  /** The zombie's PID. */
  pid: number;
  /** The parent that never reaps it. */
  parentPid: number;
  /** Whatever the child printed on stderr before it died. */
  stderr(): string;
  /** End the non-reaping parent (the zombie is then reaped by init). */
  release(): void;
}

/**
 * Start `argv` under a parent that never reaps it, wait until `ready` (a string on its stderr, or
 * immediately), kill it with SIGKILL, and resolve once it is a zombie.
 */
export async function makeZombie(
  argv: readonly string[],
  options: { env?: Record<string, string>; ready?: string; timeoutMs?: number } = {},
): Promise<Zombie> {
  const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  // fd 3 carries the child's PID to us; the child's stderr is ours to watch.
  const parent = spawn("sh", ["-c", `${quoted} 2>&2 3>&- & echo $! >&3; exec 3>&- sleep 600`], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  let stderr = "";
  parent.stderr!.on("data", (d) => (stderr += d));
  const pid = await new Promise<number>((resolve, reject) => {
    let out = "";
    parent.stdio[3]!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(Number(out.trim()));
    });
    parent.once("error", reject);
  });
  ourPids.add(pid);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const release = () => {
    if (parent.exitCode === null && parent.signalCode === null) parent.kill("SIGKILL");
  };
  try {
    while (options.ready !== undefined && !stderr.includes(options.ready)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for '${options.ready}'; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Only once `sh` has become the `sleep` that never waits: killed before that exec, the child is
    // reaped by `sh` itself (dash collects finished jobs between commands) and never shows as a
    // zombie (CI, under load: the test timed out waiting for one).
    while (readProcess(parent.pid!)?.comm !== "sleep") {
      if (Date.now() > deadline) throw new Error(`the parent ${parent.pid} did not exec sleep`);
      await new Promise((r) => setTimeout(r, 5));
    }
    process.kill(pid, "SIGKILL");
    while (readProcess(pid)?.state !== "Z") {
      if (Date.now() > deadline) throw new Error(`process ${pid} did not become a zombie`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } catch (e) {
    release();
    throw e;
  }
  return { pid, parentPid: parent.pid!, stderr: () => stderr, release };
}
