/**
 * Starting a lab's services at `up`: the lab's supervisor (one per lab, a daemon of its own) is
 * given the services wave by wave in dependency order (`after:`), and each wave must be ready
 * (tcp/udp/file/command, or started) within its timeout before the next starts. A service that
 * exits, fails or is not ready in time fails `up`, naming it with the last lines of its log; the
 * caller then rolls the lab back (which stops the supervisor and ends every process of the lab).
 */
import { readFileSync } from "node:fs";
import { inNode } from "../drivers/in-node.js";
import { isReady } from "../drivers/readiness.js";
import {
  readStatus,
  reloadSupervisor,
  type ServiceState,
  type SupervisedService,
  startSupervisor,
  writeSpec,
} from "../drivers/supervisor.js";
import { NslabError } from "../errors.js";
import { type Service, serviceId } from "../model/env-types.js";
import type { NetnsNode, Topology } from "../model/types.js";
import { nodeMountFile } from "../plan/node-env.js";
import { labDir, serviceLog } from "../state/lab-dir.js";
import type { UpRun } from "./up-run.js";

const POLL_MS = 50;
const LOG_TAIL_LINES = 15;

/** The lab's services in waves: each wave's services depend only on earlier waves. */
export function serviceWaves(services: readonly Service[]): Service[][] {
  const placed = new Set<string>();
  const ids = new Set(services.map(serviceId));
  let left = [...services];
  const waves: Service[][] = [];
  while (left.length > 0) {
    const wave = left.filter((s) => s.after.every((d) => placed.has(d) || !ids.has(d)));
    if (wave.length === 0) throw new Error(`internal: a cycle among ${left.map(serviceId).join(", ")}`);
    waves.push(wave);
    for (const s of wave) placed.add(serviceId(s));
    left = left.filter((s) => !wave.includes(s));
  }
  return waves;
}

/** The last lines of a service's log (for errors). */
export function logTail(path: string, lines = LOG_TAIL_LINES): string {
  try {
    const all = readFileSync(path, "utf8").trimEnd().split("\n");
    return all.slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Start the services of `t` (labs made with nodes' own environments, whose file system is at
 * `labfs`) and wait until each is ready. Returns how many services were started.
 */
export async function startServices(
  c: UpRun,
  t: Topology,
  labfs: string | undefined,
  signal: AbortSignal,
): Promise<number> {
  const nodes = new Map(
    t.nodes.filter((n): n is NetnsNode => n.kind === "netns").map((n) => [n.name, n] as const),
  );
  const services = [...nodes.values()].flatMap((n) => n.services ?? []);
  if (services.length === 0) return 0;
  const dir = labDir(c.lab, true);
  const mntOf = (node: string) => (labfs ? nodeMountFile(labfs, node) : undefined);
  const spec = (s: Service): SupervisedService => {
    const mnt = mntOf(s.node);
    return {
      id: serviceId(s),
      net: `/run/netns/${nodes.get(s.node)!.netns}`,
      ...(mnt ? { mnt } : {}),
      log: serviceLog(c.lab, s.node, s.name),
      restart: s.oneshot ? "no" : s.restart,
      ...(s.cwd ? { cwd: s.cwd } : {}),
      ...(s.env ? { env: s.env } : {}),
      argv: s.command,
    };
  };
  const given: SupervisedService[] = [];
  let started = false;
  for (const wave of serviceWaves(services)) {
    given.push(...wave.map(spec));
    writeSpec(dir, given);
    if (!started) {
      await startSupervisor(dir, c.driver.runner);
      started = true;
    } else reloadSupervisor(dir);
    c.log("info", `starting ${wave.map(serviceId).join(", ")}`);
    await waitReady(c, wave, dir, nodes, mntOf, signal);
  }
  return services.length;
}

async function waitReady(
  c: UpRun,
  wave: readonly Service[],
  dir: string,
  nodes: ReadonlyMap<string, NetnsNode>,
  mntOf: (node: string) => string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const began = Date.now();
  let pending = [...wave];
  while (pending.length > 0) {
    if (signal.aborted)
      throw new NslabError("E_INTERRUPTED", `interrupted: lab '${c.lab}' was not brought up`);
    const status = readStatus(dir);
    const next: Service[] = [];
    for (const s of pending) {
      const st = status?.services.find((x) => x.id === serviceId(s));
      const verdict = await check(c, s, st, nodes, mntOf);
      if (verdict === "ready") continue;
      if (verdict !== "waiting") throw notReady(c.lab, s, verdict);
      if (Date.now() - began > s.ready.timeoutMs)
        throw notReady(c.lab, s, `not ready within ${s.ready.timeoutMs} ms (${describe(st)})`);
      next.push(s);
    }
    pending = next;
    if (pending.length > 0) await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** ready, waiting, or why it never will be. */
async function check(
  c: UpRun,
  s: Service,
  st: ServiceState | undefined,
  nodes: ReadonlyMap<string, NetnsNode>,
  mntOf: (node: string) => string | undefined,
): Promise<"ready" | "waiting" | string> {
  if (!st) return "waiting";
  if (s.oneshot) {
    if (st.state === "exited" && st.exitCode === 0) return "ready";
    if (st.state === "exited" || st.state === "failed") return `it ${describe(st)}`;
    return "waiting";
  }
  // Without a ready: check, started is ready — also a service that has already exited and waits
  // to be restarted (its few milliseconds of running can fall between two polls); status reports
  // its restarts.
  if (s.ready.kind === "started" && (st.state === "backoff" || st.restarts > 0)) return "ready";
  if (st.state === "failed" || st.state === "exited" || st.state === "stopped")
    return `it ${describe(st)} before it was ready`;
  if (st.state !== "running" || st.pid <= 0) return "waiting";
  const ns = nodes.get(s.node)!.netns;
  const ok = await isReady(
    s.ready,
    st.pid,
    (argv) => inNode(ns, argv, "net", mntOf(s.node)),
    c.driver.runner,
  );
  return ok ? "ready" : "waiting";
}

function describe(st: ServiceState | undefined): string {
  if (!st) return "not started";
  const restarts = `${st.restarts} restart${st.restarts === 1 ? "" : "s"}`;
  if (st.state === "running") return `running, ${restarts}`;
  if (st.state === "backoff") return `waiting to restart, ${restarts}`;
  const how = st.signal ? `was killed by signal ${st.signal}` : `exited with code ${st.exitCode}`;
  return `${st.state === "failed" && st.why ? st.why : how}, ${restarts}`;
}

function notReady(lab: string, s: Service, why: string): NslabError {
  const log = serviceLog(lab, s.node, s.name);
  return new NslabError(
    "E_SERVICE",
    `service ${serviceId(s)}: ${why}; the last lines of its log:\n${logTail(log).replace(/^/gm, "  | ")}`,
    {
      ...(s.src ? { location: s.src } : {}),
      hint: `the lab was rolled back; check the service's command and its ready: check (its log was ${log})`,
    },
  );
}
