/**
 * Whether a process is alive: the one answer for all of nslab (lock holders, writers of temp files,
 * the OVS daemons). Read from /proc/PID/stat alone: a process is alive when its PID exists, it is
 * not a zombie (state Z or X: killed or exited, waiting for a parent that may never reap it), and —
 * when we know it — its start time (and name) are those we saw, so a reused PID is another process.
 */
import { readFileSync } from "node:fs";

/** A process as /proc/PID/stat shows it. */
export interface ProcessInfo {
  pid: number;
  /** The command name (field 2, at most 15 bytes), e.g. `ovs-vswitchd`. */
  comm: string;
  /** The state letter (field 3): R, S, D, T, … and Z or X for a dead process not yet reaped. */
  state: string;
  /** The parent's PID (field 4): for a zombie, the process that has not reaped it. */
  ppid: number;
  /** Field 22: start time in clock ticks since boot. */
  startTime: number;
}

/** Identity of a process that survives PID reuse; `startTime` 0 means "any". */
export interface ProcessId {
  pid: number;
  startTime: number;
  /** When given, the process must also have this command name. */
  comm?: string;
}

/** What /proc says about `pid` (zombies included), or undefined when there is no such PID. */
export function readProcess(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid < 1) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may itself contain spaces and ')': split after the last.
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  const startTime = Number(fields[19]);
  if (close < 0 || !Number.isFinite(startTime)) return undefined;
  return {
    pid,
    comm: stat.slice(stat.indexOf("(") + 1, close),
    state: fields[0] ?? "",
    ppid: Number(fields[1]),
    startTime,
  };
}

/** A zombie: dead (killed or exited), its entry kept until its parent reaps it. Nothing can stop it. */
export function isZombie(p: ProcessInfo): boolean {
  return p.state === "Z" || p.state === "X";
}

/** `pid` as a live process (not a zombie), or undefined. */
export function liveProcess(pid: number): ProcessInfo | undefined {
  const p = readProcess(pid);
  return p && !isZombie(p) ? p : undefined;
}

/**
 * Whether `id` is alive: a PID alone, or a process known by PID and start time (and name), which
 * a reused PID does not match.
 */
export function isAlive(id: number | ProcessId): boolean {
  if (typeof id === "number") return liveProcess(id) !== undefined;
  const p = liveProcess(id.pid);
  return (
    p !== undefined &&
    (id.startTime === 0 || p.startTime === id.startTime) &&
    (id.comm === undefined || p.comm === id.comm)
  );
}

/** Why `id` counts as gone, for messages: "is no longer running" or names the unreaped zombie. */
export function whyGone(id: number | ProcessId): string {
  const pid = typeof id === "number" ? id : id.pid;
  const p = readProcess(pid);
  if (p && isZombie(p) && (typeof id === "number" || id.startTime === 0 || p.startTime === id.startTime))
    return `is no longer running (a zombie: it ended and its parent, process ${p.ppid}, has not reaped it)`;
  return "is no longer running";
}

/** This process's identity. */
export function selfId(): ProcessId {
  return { pid: process.pid, startTime: readProcess(process.pid)?.startTime ?? 0 };
}
