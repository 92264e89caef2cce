/**
 * A lab's service supervisor (the native agent's `supervise` mode): its directory (the spec of the
 * services, status.json, its PID file, the services' logs), starting it as a daemon of its own,
 * telling it about new services (SIGHUP), reading its status, and stopping it (SIGTERM: it stops
 * every service, SIGKILL after its grace, then exits).
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isAlive } from "../util/proc.js";
import { findAgentBinary } from "./nsagent/index.js";
import type { Runner } from "./runner/index.js";

/** One service as the supervisor runs it. */
export interface SupervisedService {
  /** `node/service`. */
  id: string;
  /** The node's network namespace file (/run/netns/NS). */
  net: string;
  /** The node's kept mount namespace file, if it has one. */
  mnt?: string;
  /** Its log file (host's view). */
  log: string;
  restart: "no" | "on-failure" | "always";
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  argv: readonly string[];
}

/** One service's state, as the supervisor reports it. */
export interface ServiceState {
  id: string;
  state: "running" | "backoff" | "exited" | "failed" | "stopped";
  pid: number;
  restarts: number;
  /** Wall clock (seconds) of the last change. */
  since: number;
  exitCode?: number;
  signal?: number;
  why?: string;
}

/** status.json. */
export interface SupervisorStatus {
  supervisor: number;
  stopping: boolean;
  updated: number;
  services: ServiceState[];
}

const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");

/** The spec line of one service (see native/supervise.h). */
export function specLine(s: SupervisedService): string {
  const env = Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return [
    "svc",
    s.id,
    s.net,
    s.mnt ?? "-",
    s.log,
    s.restart,
    s.cwd ?? "-",
    String(env.length),
    ...env,
    ...s.argv,
  ]
    .map(esc)
    .join("\t");
}

/** Write the supervisor's spec: every service it should run (it starts the ones it does not know). */
export function writeSpec(dir: string, services: readonly SupervisedService[]): void {
  writeFileSync(`${dir}/spec.tmp`, services.map((s) => `${specLine(s)}\n`).join(""), { mode: 0o600 });
  // rename is atomic: the supervisor never reads half a spec
  renameSync(`${dir}/spec.tmp`, `${dir}/spec`);
}

/** The supervisor's PID and start time, from its PID file, if it wrote one. */
export function supervisorOf(dir: string): { pid: number; startTime: number } | undefined {
  try {
    const [pid, start] = readFileSync(`${dir}/supervisor`, "utf8").trim().split(" ").map(Number);
    if (!Number.isInteger(pid) || !Number.isFinite(start)) return undefined;
    return { pid: pid!, startTime: start! };
  } catch {
    return undefined;
  }
}

/** Whether the supervisor of `dir` runs (the PID file's process, same start time). */
export function supervisorAlive(dir: string): boolean {
  const s = supervisorOf(dir);
  return !!s && isAlive(s);
}

/**
 * Start the supervisor of `dir` (spec written first) as a daemon; resolves once it wrote its PID
 * file. Its own messages go to DIR/supervisor.log.
 */
export async function startSupervisor(
  dir: string,
  runner: Runner,
): Promise<{ pid: number; startTime: number }> {
  const agent = findAgentBinary();
  if (!agent) throw new Error("the native agent (dist/native/nsagent) is not built: services need it");
  const out = openSync(`${dir}/supervisor.log`, "a", 0o600);
  try {
    const child = runner.start([agent, "supervise", dir], { stdio: { out } });
    child.unref();
    child.on("error", () => {});
    const deadline = Date.now() + 5000;
    for (;;) {
      const s = supervisorOf(dir);
      if (s && s.pid === child.pid) return s;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(
          `the service supervisor did not start: ${existsSync(`${dir}/supervisor.log`) ? readFileSync(`${dir}/supervisor.log`, "utf8").trim().slice(-500) : ""}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    closeSync(out);
  }
}

/** Tell the supervisor to read its spec again (and start the services it does not know). */
export function reloadSupervisor(dir: string): void {
  const s = supervisorOf(dir);
  if (!s || !isAlive(s)) throw new Error("the lab's service supervisor is not running");
  process.kill(s.pid, "SIGHUP");
}

/** The supervisor's status.json, or undefined when there is none (yet). */
export function readStatus(dir: string): SupervisorStatus | undefined {
  try {
    return JSON.parse(readFileSync(`${dir}/status.json`, "utf8")) as SupervisorStatus;
  } catch {
    return undefined;
  }
}

/**
 * Stop the supervisor of `dir` (it stops its services: SIGTERM, SIGKILL after its 3 s grace) and
 * wait until it is gone; SIGKILL it after `timeoutMs`. Resolves false when none was running.
 */
export async function stopSupervisor(dir: string, timeoutMs = 6000): Promise<boolean> {
  const s = supervisorOf(dir);
  if (!s || !isAlive(s)) return false;
  try {
    process.kill(s.pid, "SIGTERM");
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(s)) {
    if (Date.now() > deadline) {
      try {
        process.kill(s.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
