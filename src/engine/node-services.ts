/**
 * Starting a lab's services at `up`: the lab's supervisor (one per lab, a daemon of its own) is
 * given the services wave by wave in dependency order (`after:`), and each wave must be ready
 * (tcp/udp/file/command, or started) within its timeout before the next starts. A service that
 * exits, fails or is not ready in time fails `up`, naming it with the last lines of its log; the
 * caller then rolls the lab back (which stops the supervisor and ends every process of the lab).
 * An `up` of an edited file changes a running lab's services in place the same way: those it no
 * longer has are stopped (before their nodes may go), those it redefines started again as now
 * defined, those it adds started, in waves, each ready before the next.
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
  supervisorAlive,
  writeSpec,
} from "../drivers/supervisor.js";
import { NslabError } from "../errors.js";
import { type Service, serviceId } from "../model/env-types.js";
import { labServices, type ServiceChanges, serviceChanges } from "../model/service-order.js";
import type { NetnsNode, Topology } from "../model/types.js";
import { nodeMountFile } from "../plan/node-env.js";
import { labDir, serviceLog } from "../state/lab-dir.js";
import { liveProcess } from "../util/proc.js";
import { serviceFailed } from "./services-health.js";
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
  hint?: string,
): Promise<number> {
  const { nodes, mntOf, spec } = supervised(c.lab, t, labfs);
  const services = [...nodes.values()].flatMap((n) => n.services ?? []);
  if (services.length === 0) return 0;
  const dir = labDir(c.lab, true);
  // A change (`hint`): only what this supervisor reports counts, not a status a dead one left.
  const began = Date.now() / 1000;
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
    await waitReady(c, wave, dir, nodes, mntOf, signal, hint ? { since: began, hint } : undefined);
  }
  return services.length;
}

/** A lab's nodes by name, each node's kept mount namespace, and each service as the supervisor runs it. */
function supervised(lab: string, t: Topology, labfs: string | undefined) {
  const nodes = new Map(
    t.nodes.filter((n): n is NetnsNode => n.kind === "netns").map((n) => [n.name, n] as const),
  );
  const mntOf = (node: string) => (labfs ? nodeMountFile(labfs, node) : undefined);
  const spec = (s: Service): SupervisedService => {
    const mnt = mntOf(s.node);
    return {
      id: serviceId(s),
      net: `/run/netns/${nodes.get(s.node)!.netns}`,
      ...(mnt ? { mnt } : {}),
      log: serviceLog(lab, s.node, s.name),
      restart: s.oneshot ? "no" : s.restart,
      ...(s.cwd ? { cwd: s.cwd } : {}),
      ...(s.env ? { env: s.env } : {}),
      argv: s.command,
    };
  };
  return { nodes, mntOf, spec };
}

/** How long the supervisor may take to stop a service (its grace before SIGKILL is 3 s). */
const STOP_WAIT_MS = 6000;

/**
 * The first half of changing a running lab's services in place: stop the services `after` no
 * longer has (before the nodes they run in may be removed), and wait until they ended. Returns
 * the changes; nothing is done when none is removed or no supervisor runs.
 */
export async function stopRemovedServices(
  c: UpRun,
  before: Topology,
  after: Topology,
  labfs: string | undefined,
): Promise<ServiceChanges> {
  const changes = serviceChanges(before, after);
  const dir = labDir(c.lab);
  if (changes.removed.length === 0 || !supervisorAlive(dir)) return changes;
  const removed = new Set(changes.removed);
  // The others' lines exactly as the supervisor has them (a line that differs restarts its service).
  const { spec } = supervised(c.lab, before, labfs);
  writeSpec(
    dir,
    labServices(before)
      .filter((s) => !removed.has(serviceId(s)))
      .map(spec),
  );
  c.log("info", `stopping ${changes.removed.join(", ")}`);
  await dropServices(c, dir, removed);
  return changes;
}

/** Signal the supervisor (its spec written without `ids`) and wait until those services are gone. */
async function dropServices(c: UpRun, dir: string, ids: ReadonlySet<string>): Promise<void> {
  const sent = Date.now() / 1000;
  reloadSupervisor(dir);
  const deadline = Date.now() + STOP_WAIT_MS;
  for (;;) {
    // A status written since the signal, without them: they ended (or were not running).
    const status = readStatus(dir);
    if (status && status.updated >= sent && !status.services.some((x) => ids.has(x.id))) return;
    if (Date.now() > deadline)
      throw new NslabError("E_SERVICE", `services ${[...ids].join(", ")} did not stop`, {
        hint: `the lab's supervisor did not end them; nslab down ${c.lab} ends every process of the lab`,
      });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * What `up` of a running lab's own file does for its services (repair): those `status` reports as
 * failed (services-health.ts), and those of nodes whose namespace the repair made anew (`moved`:
 * their process runs on in the old one, cut off), start again — out of the supervisor's spec, then
 * back as new — wave by wave, each ready before the next; the others keep running untouched. A supervisor that is
 * gone starts again with every service, but only once no process it started is left (they would
 * run twice): else nothing is done but a warning. Returns the ids of the services started again.
 */
export async function restartFailedServices(
  c: UpRun,
  t: Topology,
  labfs: string | undefined,
  signal: AbortSignal,
  moved: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const all = labServices(t);
  if (all.length === 0) return [];
  const dir = labDir(c.lab, true);
  if (!supervisorAlive(dir)) {
    const left = (readStatus(dir)?.services ?? []).filter(
      (x) => x.state === "running" && x.pid > 0 && liveProcess(x.pid),
    );
    if (left.length > 0) {
      c.log(
        "warn",
        `the lab's service supervisor is not running, but processes it started still are (${left.map((x) => `${x.id}: pid ${x.pid}`).join(", ")}): its services are left as they are; nslab down ${c.lab}, then up, ends them and starts them again`,
      );
      return [];
    }
    c.log("info", "the lab's service supervisor is not running: starting it again, with every service");
    await startServices(c, t, labfs, signal, "the lab's supervisor was started again");
    return all.map(serviceId);
  }
  const status = readStatus(dir);
  const again = new Set(
    all
      .filter((s) =>
        serviceFailed(
          s,
          status?.services.find((x) => x.id === serviceId(s)),
        ),
      )
      .map(serviceId),
  );
  const { nodes, mntOf, spec } = supervised(c.lab, t, labfs);
  for (const s of all) if (moved.has(nodes.get(s.node)!.netns)) again.add(serviceId(s));
  if (again.size === 0) return [];
  // The others' lines exactly as the supervisor has them (a line that differs restarts its service).
  const given = new Map(
    all.filter((s) => !again.has(serviceId(s))).map((s) => [serviceId(s), spec(s)] as const),
  );
  writeSpec(dir, [...given.values()]);
  await dropServices(c, dir, again);
  for (const wave of serviceWaves(all)) {
    const mine = wave.filter((s) => again.has(serviceId(s)));
    if (mine.length === 0) continue;
    for (const s of mine) given.set(serviceId(s), spec(s));
    writeSpec(dir, [...given.values()]);
    const since = Date.now() / 1000;
    reloadSupervisor(dir);
    c.log("info", `starting again ${mine.map(serviceId).join(", ")}`);
    await waitReady(c, mine, dir, nodes, mntOf, signal, {
      since,
      hint: "its other services run as they were",
    });
  }
  return [...again];
}

/** Back to the services of `before` (an in-place change that failed): stopped ones start again. */
export async function restoreServices(c: UpRun, before: Topology, labfs: string | undefined): Promise<void> {
  const dir = labDir(c.lab);
  if (!supervisorAlive(dir)) return;
  const { spec } = supervised(c.lab, before, labfs);
  writeSpec(dir, labServices(before).map(spec));
  reloadSupervisor(dir);
}

/**
 * The second half: start again the services `after` redefines (as now defined) and start those it
 * adds, wave by wave in dependency order, each wave ready before the next. A lab whose supervisor
 * does not run (it had no services) gets one, with all of `after`'s services. Returns the ids of
 * the services started (again).
 */
export async function startChangedServices(
  c: UpRun,
  before: Topology,
  after: Topology,
  labfs: string | undefined,
  signal: AbortSignal,
): Promise<string[]> {
  const { added, removed, changed } = serviceChanges(before, after);
  const dir = labDir(c.lab, true);
  if (added.length + changed.length === 0 && (removed.length === 0 || supervisorAlive(dir))) return [];
  if (!supervisorAlive(dir)) {
    await startServices(c, after, labfs, signal, "the lab is changed; its other services run as they were");
    return labServices(after).map(serviceId);
  }
  const old = supervised(c.lab, before, labfs);
  const now = supervised(c.lab, after, labfs);
  const gone = new Set(removed);
  // What the supervisor runs now: the old definitions until each wave replaces its own.
  const given = new Map(
    labServices(before)
      .filter((s) => !gone.has(serviceId(s)))
      .map((s) => [serviceId(s), old.spec(s)] as const),
  );
  const todo = new Set([...added, ...changed]);
  for (const wave of serviceWaves(labServices(after))) {
    const mine = wave.filter((s) => todo.has(serviceId(s)));
    if (mine.length === 0) continue;
    for (const s of mine) given.set(serviceId(s), now.spec(s));
    writeSpec(dir, [...given.values()]);
    const since = Date.now() / 1000;
    reloadSupervisor(dir);
    const verb = (s: Service) => (changed.includes(serviceId(s)) ? "restarting" : "starting");
    c.log("info", mine.map((s) => `${verb(s)} ${serviceId(s)}`).join(", "));
    await waitReady(c, mine, dir, now.nodes, now.mntOf, signal, {
      since,
      hint: "the lab is changed; its other services run as they were",
    });
  }
  return [...todo];
}

async function waitReady(
  c: UpRun,
  wave: readonly Service[],
  dir: string,
  nodes: ReadonlyMap<string, NetnsNode>,
  mntOf: (node: string) => string | undefined,
  signal: AbortSignal,
  change?: { since: number; hint: string },
): Promise<void> {
  const began = Date.now();
  let pending = [...wave];
  while (pending.length > 0) {
    if (signal.aborted)
      throw new NslabError(
        "E_INTERRUPTED",
        change
          ? `interrupted: lab '${c.lab}' is changed, its services partly`
          : `interrupted: lab '${c.lab}' was not brought up`,
      );
    const status = readStatus(dir);
    const next: Service[] = [];
    for (const s of pending) {
      const found = status?.services.find((x) => x.id === serviceId(s));
      // Changed in place: only what the supervisor did since it was told counts (not the process
      // of the old definition, still running until it ends).
      const st = found && change && found.since < change.since ? undefined : found;
      const verdict = await check(c, s, st, nodes, mntOf);
      if (verdict === "ready") continue;
      if (verdict !== "waiting") throw notReady(c.lab, s, verdict, change?.hint);
      if (Date.now() - began > s.ready.timeoutMs)
        throw notReady(c.lab, s, `not ready within ${s.ready.timeoutMs} ms (${describe(st)})`, change?.hint);
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

function notReady(lab: string, s: Service, why: string, hint = "the lab was rolled back"): NslabError {
  const log = serviceLog(lab, s.node, s.name);
  return new NslabError(
    "E_SERVICE",
    `service ${serviceId(s)}: ${why}; the last lines of its log:\n${logTail(log).replace(/^/gm, "  | ")}`,
    {
      ...(s.src ? { location: s.src } : {}),
      hint: `${hint}; check the service's command and its ready: check (its log ${hint === "the lab was rolled back" ? "was" : "is"} ${log})`,
    },
  );
}
