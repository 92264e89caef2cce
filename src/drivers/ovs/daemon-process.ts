/** Processes of daemons nslab started, by identity (pid, comm and start time): reading, checking, stopping. */
import { readFileSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, liveProcess } from "../../util/proc.js";

/** A daemon nslab started: its pid, and what proves a pid is still that process. */
export interface DaemonHandle {
  pid: number;
  /** Field 22 of /proc/PID/stat (clock ticks since boot): a reused pid has a different one. */
  startTime: number;
  /** /proc/PID/comm at start, e.g. `ovsdb-server`. */
  comm: string;
}

/** How stopping one daemon went. */
export interface StopReport {
  comm: string;
  pid: number;
  outcome:
    | "terminated" // exited after SIGTERM
    | "killed" // needed SIGKILL
    | "not-running" // already gone
    | "not-ours" // the pid is alive but is another process now (comm or start time differ): untouched
    | "still-running"; // survived SIGKILL (uninterruptible sleep?)
}

/**
 * True when `handle` still names the very process that was started (same comm and start time, and
 * not a zombie: see util/proc.ts, the one answer to "is this process alive").
 */
export function isSameProcess(handle: DaemonHandle): boolean {
  return isAlive(handle);
}

/**
 * The daemon a pidfile written since `since` (ms) names, if it is alive and is `comm` (as the kernel
 * keeps it: the first 15 bytes, e.g. `ovs-testcontrol`).
 */
export function readOwnPidfile(pidfile: string, comm: string, since: number): DaemonHandle | null {
  try {
    if (statSync(pidfile).mtimeMs < since) return null;
    const pid = Number.parseInt(readFileSync(pidfile, "utf8").trim(), 10);
    if (!(pid > 1)) return null;
    const p = liveProcess(pid);
    const short = comm.slice(0, 15);
    return p && p.comm === short ? { pid, startTime: p.startTime, comm: short } : null;
  } catch {
    return null;
  }
}

/** Stop exactly the process `handle` names (SIGTERM, then SIGKILL after `graceMs`); never another. */
export async function stopDaemon(handle: DaemonHandle, graceMs: number): Promise<StopReport> {
  const report = (outcome: StopReport["outcome"]): StopReport => ({
    comm: handle.comm,
    pid: handle.pid,
    outcome,
  });
  const p = liveProcess(handle.pid);
  if (!p) return report("not-running");
  if (p.comm !== handle.comm || p.startTime !== handle.startTime) return report("not-ours");
  if (!signal(handle.pid, "SIGTERM")) return report("not-running");
  if (await exited(handle, graceMs)) return report("terminated");
  if (!isSameProcess(handle) || !signal(handle.pid, "SIGKILL")) return report("terminated");
  return (await exited(handle, 2_000)) ? report("killed") : report("still-running");
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

async function exited(handle: DaemonHandle, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (!isSameProcess(handle)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}
