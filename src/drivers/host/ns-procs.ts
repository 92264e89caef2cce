/**
 * Ending every process that runs in given namespaces — and nothing else: one pass over /proc
 * compares each process's /proc/PID/ns/net and /ns/mnt (the namespace's inode on nsfs) with the
 * namespaces' files; each process is checked again (start time and namespace) right before it is
 * signalled. SIGTERM first, SIGKILL after a grace period, then one more scan (a process may have
 * forked meanwhile) straight to SIGKILL.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { liveProcess } from "../../util/proc.js";

/** A namespace to empty: its file (/run/netns/NS, a kept mount namespace). */
export interface NsTarget {
  file: string;
  /** What it is, for reports (`namespace ns1`). */
  label: string;
}

/** A process found in one of the targets. */
export interface NsProcess {
  pid: number;
  startTime: number;
  /** The target it was found in. */
  target: NsTarget;
}

/** A live process's start time (a zombie has ended already). */
const startTime = (pid: number): number | undefined => liveProcess(pid)?.startTime;

/**
 * The targets by their namespace's inode: the files that are namespaces (on nsfs, whose device
 * /proc/self/ns/net shows), keyed by inode, as /proc/PID/ns/* name theirs (`net:[INODE]`).
 */
function targetKeys(targets: readonly NsTarget[]): Map<number, NsTarget> {
  const keys = new Map<number, NsTarget>();
  let nsfs: number;
  try {
    nsfs = statSync("/proc/self/ns/net").dev;
  } catch {
    return keys;
  }
  for (const t of targets)
    try {
      const st = statSync(t.file);
      if (st.dev === nsfs) keys.set(st.ino, t);
    } catch {
      // gone: nothing runs in it
    }
  return keys;
}

/** The processes (other than this one) in any of `targets`, by one scan of /proc. */
export function processesIn(targets: readonly NsTarget[]): NsProcess[] {
  const keys = targetKeys(targets);
  if (keys.size === 0) return [];
  const out: NsProcess[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const target = inTargets(pid, keys);
    if (!target || visitingAgent(pid)) continue;
    const start = startTime(pid);
    if (start !== undefined) out.push({ pid, startTime: start, target });
  }
  return out;
}

/**
 * An nslab agent serving requests (`nsagent` with no argument) that is inside the lab's namespace
 * only for the moment of a request — another nslab's `status` or `up` observing it. It is not the
 * lab's: ending it would fail that command (its services run as `nsagent run`, which execs the
 * service, and under `nsagent supervise`, stopped before this scan).
 */
function visitingAgent(pid: number): boolean {
  try {
    if (!readlinkSync(`/proc/${pid}/exe`).endsWith("/nsagent")) return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).length === 1;
  } catch {
    return false;
  }
}

/** The target process `pid` is in: its /proc/PID/ns links read (no stat: a string each). */
function inTargets(pid: number, keys: Map<number, NsTarget>): NsTarget | undefined {
  for (const kind of ["net", "mnt"]) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/ns/${kind}`); // net:[4026531840]
    } catch {
      continue;
    }
    const t = keys.get(Number(link.slice(kind.length + 2, -1)));
    if (t) return t;
  }
  return undefined;
}

/** Still the same process, still in one of the targets. */
function still(p: NsProcess, keys: Map<number, NsTarget>): boolean {
  return startTime(p.pid) === p.startTime && inTargets(p.pid, keys) !== undefined;
}

function signal(p: NsProcess, sig: NodeJS.Signals, keys: Map<number, NsTarget>): boolean {
  if (!still(p, keys)) return false;
  try {
    process.kill(p.pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** What ending the processes did. */
export interface EndReport {
  /** Processes ended (by SIGTERM or SIGKILL). */
  ended: number;
  /** Of those, how many needed SIGKILL. */
  killed: number;
}

/**
 * End `found` (from {@link processesIn} on `targets`): SIGTERM, wait up to `graceMs`, SIGKILL the
 * rest, then scan again for latecomers (SIGKILL).
 */
export async function endProcesses(
  targets: readonly NsTarget[],
  found: readonly NsProcess[],
  graceMs = 3000,
): Promise<EndReport> {
  const report: EndReport = { ended: 0, killed: 0 };
  if (found.length === 0) return report;
  const keys = targetKeys(targets);
  let left = found.filter((p) => signal(p, "SIGTERM", keys));
  report.ended += found.length - left.length; // gone before the signal
  const deadline = Date.now() + graceMs;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const alive = left.filter((p) => startTime(p.pid) === p.startTime);
    report.ended += left.length - alive.length;
    left = alive;
  }
  for (const p of left) if (signal(p, "SIGKILL", keys)) report.killed++;
  report.ended += left.length;
  // Forked during the grace period: no second chance.
  for (let round = 0; round < 3; round++) {
    const late = processesIn(targets);
    if (late.length === 0) break;
    for (const p of late)
      if (signal(p, "SIGKILL", keys)) {
        report.ended++;
        report.killed++;
      }
    await new Promise((r) => setTimeout(r, 20));
  }
  return report;
}
