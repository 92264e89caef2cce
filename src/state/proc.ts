/** Processes by PID, safely: a PID is only "the same process" if its start time matches too. */
import { readFileSync } from "node:fs";

/** Identity of a process that survives PID reuse. */
export interface ProcessId {
  pid: number;
  /** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
  startTime: number;
}

/** The start time of `pid`, or undefined when no such process exists. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(rest[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** This process's identity. */
export function selfId(): ProcessId {
  return { pid: process.pid, startTime: processStartTime(process.pid) ?? 0 };
}

/** Whether the process identified by `id` is still running (same PID and same start time). */
export function isAlive(id: ProcessId): boolean {
  const start = processStartTime(id.pid);
  return start !== undefined && (id.startTime === 0 || start === id.startTime);
}
