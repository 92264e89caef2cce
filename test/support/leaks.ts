/**
 * Processes a test file left behind in a network namespace that no longer has a name: started in a
 * lab node or a test's own namespace, the namespace deleted (`nslab down`, `ip netns del`), the
 * process still running — invisible to `ip netns`, keeping its namespace (links, addresses) alive.
 * Counted are processes that did not exist when the file began and that either the file started
 * (they carry its VITEST_WORKER_ID) or nobody waits for (orphans, parent PID 1: what a teardown
 * that forgot them leaves). Another program's namespaced processes (containers) are neither.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { readProcess } from "../../src/util/proc.js";

/** A process by PID and start time (a reused PID is another process). */
export type ProcessKey = `${number}:${number}`;

/** A process left in an unnamed namespace. */
export interface LeakedProcess {
  pid: number;
  args: string;
  netns: string;
}

/** Every process on the host, by PID and start time. */
export function processKeys(): Set<ProcessKey> {
  const keys = new Set<ProcessKey>();
  for (const pid of pids()) {
    const p = readProcess(pid);
    if (p) keys.add(`${pid}:${p.startTime}`);
  }
  return keys;
}

/** The processes not in `before` left in unnamed network namespaces by this worker or orphaned. */
export function leakedProcesses(
  before: ReadonlySet<ProcessKey>,
  worker = process.env.VITEST_WORKER_ID,
): LeakedProcess[] {
  // The namespace the tests run in (the host's).
  const root = nsOf("/proc/self/ns/net");
  const named = new Set<string>();
  for (const name of safeList("/run/netns")) {
    const ino = inode(`/run/netns/${name}`);
    if (ino) named.add(ino);
  }
  const out: LeakedProcess[] = [];
  for (const pid of pids()) {
    const p = readProcess(pid);
    if (!p || p.state === "Z" || p.state === "X" || before.has(`${pid}:${p.startTime}`)) continue;
    const net = nsOf(`/proc/${pid}/ns/net`);
    if (!net || net === root || named.has(net.replace(/^net:\[(\d+)\]$/, "$1"))) continue;
    if (p.ppid !== 1 && !(worker !== undefined && startedBy(pid, worker))) continue;
    out.push({ pid, args: argsOf(pid), netns: net });
  }
  return out;
}

function pids(): number[] {
  return safeList("/proc")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function nsOf(link: string): string | undefined {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
}

function inode(path: string): string | undefined {
  try {
    return String(statSync(path).ino);
  } catch {
    return undefined;
  }
}

function startedBy(pid: number, worker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`VITEST_WORKER_ID=${worker}`);
  } catch {
    return false;
  }
}

function argsOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "?";
  }
}
