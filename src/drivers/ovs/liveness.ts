/**
 * Whether the OVS daemons at a run directory are alive, from their pidfiles (or the PID in their
 * control socket's name) and /proc — util/proc.ts's answer, so a zombie daemon is dead — without
 * starting a process: cheap enough for every observation of a lab.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { liveProcess, readProcess } from "../../util/proc.js";

/** One daemon's state. */
export interface DaemonState {
  /** The PID its pidfile (or control socket) names; null when neither names one. */
  pid: number | null;
  /**
   * `running`; `stopped` (SIGSTOP or traced: alive, doing nothing); `zombie` (ended, not reaped);
   * `gone` (no such process, or the PID is another program now, or nothing names a PID).
   */
  state: "running" | "stopped" | "zombie" | "gone";
}

/** The state of daemon `comm` (`ovs-vswitchd`, `ovsdb-server`) at `runDir`. */
export function daemonState(runDir: string, comm: string): DaemonState {
  const pid = readPid(`${runDir}/${comm}.pid`) ?? pidOfControlSocket(runDir, comm);
  if (pid === null) return { pid, state: "gone" };
  const p = readProcess(pid);
  if (!p || p.comm !== comm) return { pid, state: "gone" };
  if (p.state === "Z" || p.state === "X") return { pid, state: "zombie" };
  if (p.state === "T" || p.state === "t") return { pid, state: "stopped" };
  return { pid, state: "running" };
}

/**
 * ovs-vswitchd is alive at `runDir`: its pidfile or a PID-named control socket names a live
 * ovs-vswitchd, or (neither naming one) its control socket `ovs-vswitchd.ctl` accepts a connection.
 */
export async function vswitchdAlive(runDir: string, timeoutMs: number): Promise<boolean> {
  const fromPidfile = readPid(`${runDir}/ovs-vswitchd.pid`);
  if (fromPidfile !== null && liveProcess(fromPidfile)?.comm === "ovs-vswitchd") return true;
  for (const name of listDir(runDir)) {
    const m = /^ovs-vswitchd(?:\.(\d+))?\.ctl$/.exec(name);
    if (!m) continue;
    if (
      m[1]
        ? liveProcess(Number(m[1]))?.comm === "ovs-vswitchd"
        : await accepts(`${runDir}/${name}`, timeoutMs)
    ) {
      return true;
    }
  }
  return false;
}

function pidOfControlSocket(runDir: string, comm: string): number | null {
  for (const name of listDir(runDir)) {
    if (!name.startsWith(`${comm}.`) || !name.endsWith(".ctl")) continue;
    const pid = Number(name.slice(comm.length + 1, -4));
    if (Number.isInteger(pid) && pid > 1) return pid;
  }
  return null;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The PID in a pidfile, or null. */
export function readPid(pidfile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidfile, "utf8").trim(), 10);
    return pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

function accepts(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ path });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      done(ok);
    };
    s.once("connect", () => finish(true));
    s.once("error", () => finish(false));
  });
}
