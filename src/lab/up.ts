/**
 * `up`: create a lab, or change a running one to match an edited topology. Checks the host and
 * every name first, writes the lab's record (its intent) before creating anything, applies the
 * plan in batches, and on any failure or interrupt undoes what this run changed — a failed `up`
 * leaves the host as it found it, and a running lab keeps running.
 */
import { applyOps } from "../drivers/apply/executor.js";
import { Driver } from "../drivers/driver.js";
import { hostLimits } from "../drivers/host/limits.js";
import { hostFactsFor } from "../drivers/host/probe.js";
import { ensureOvs, releaseOvs } from "../drivers/ovs-service.js";
import { linuxStpPending, ovsStpPending, waitSettled } from "../drivers/stp.js";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { planUp } from "../plan/build.js";
import { opKey, type PlanChange, planChange } from "../plan/diff.js";
import type { HostFacts } from "../plan/host.js";
import { checkHostLimits } from "../plan/limits.js";
import type { Op } from "../plan/ops.js";
import { reconcileOps } from "../plan/reconcile.js";
import { acquireLock } from "../state/lock.js";
import { type LabState, newLabState, type OwnedObject, readLab, removeLab, saveLab } from "../state/store.js";
import { sameTopology } from "./fingerprint.js";
import { withInterrupts } from "./interrupts.js";
import { createdObjects } from "./inventory.js";
import { observeForPlan } from "./observe-plan.js";
import { type CommonOptions, type Logger, silent } from "./options.js";
import { checkEnvironment, conflictError, findConflicts, type HostProbe } from "./preflight.js";
import { appliedOps, rollback } from "./rollback.js";

/** Options of {@link up}. */
export interface UpOptions extends CommonOptions {
  /**
   * Only create: fail with E_CONFLICT when a lab of this name exists already, instead of leaving
   * it as it is or changing it in place to match `topology`. (`withLab` sets this.)
   */
  exclusive?: boolean;
  /**
   * Test hook: make operation N (1-based) fail, to exercise the rollback. Also `NSLAB_FAULT_AT`.
   * @internal
   */
  faultAt?: number;
  /**
   * What the environment checks see (tests simulate hosts that lack things).
   * @internal
   */
  host?: HostProbe;
}

/** What `up` did. */
export interface UpResult {
  /** The lab name. */
  lab: string;
  /** The lab was already up with this very topology; nothing was done. */
  alreadyUp: boolean;
  /** The lab was running and was changed in place to the new topology. */
  updated: boolean;
  /** Number of operations applied. */
  operations: number;
  /** Objects the lab now owns (namespaces, root links, OVS bridges). */
  owned: OwnedObject[];
  /** The OVS datapath used, when the lab has OVS bridges. */
  datapath?: "netdev" | "system";
  /** nslab started the OVS daemons for this lab. */
  startedOvs: boolean;
  durationMs: number;
}

function envNumber(name: string): number | undefined {
  const n = Number(process.env[name]);
  return process.env[name] && Number.isFinite(n) ? n : undefined;
}

/**
 * Bring `topology` up, or change the running lab of that name to match it (unless `exclusive`).
 * Checks the host and every name first and changes nothing when something is missing or taken
 * (E_ENV, E_CONFLICT); on a failed operation (ApplyError) or an interrupt (E_INTERRUPTED: SIGINT,
 * SIGTERM or `signal`) it undoes what this call did before throwing.
 */
export async function up(topology: Topology, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const log = options.log ?? silent;
  const driver = new Driver({
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  const lab = topology.name;
  try {
    // Host facts first (a cheap probe, only of features this lab needs): a lab asking for what the
    // kernel lacks fails here, before anything is created.
    const host: HostFacts = await hostFactsFor(topology, driver.runner);
    const full = planUp(topology, host);
    const datapath = full.find((o) => o.op === "ovs.bridge.add")?.datapath;
    checkEnvironment(full, driver.backend, options.host);
    const limits = checkHostLimits(topology, hostLimits());
    if (limits.errors.length > 0)
      throw new NslabError(
        "E_ENV",
        limits.errors.length === 1
          ? limits.errors[0]!.message
          : `this host cannot hold the lab:\n  - ${limits.errors.map((e) => e.message).join("\n  - ")}`,
        { hint: limits.errors.map((e) => e.hint).join("; ") },
      );
    for (const w of limits.warnings) log("warn", `${w.message}\n  hint: ${w.hint}`);
    const lock = acquireLock(lab, `nslab up ${lab}`, (m) => log("warn", m));
    try {
      const existing = readLab(lab);
      if (existing && options.exclusive)
        throw new NslabError("E_CONFLICT", `a lab named '${lab}' exists already (${existing.status})`, {
          hint: "choose another lab name",
        });
      const result = (
        r: Pick<UpResult, "alreadyUp" | "updated" | "operations" | "owned" | "startedOvs">,
      ): UpResult => ({
        lab,
        ...r,
        durationMs: performance.now() - started,
        ...(datapath ? { datapath } : {}),
      });
      if (existing && existing.status === "up" && sameTopology(existing.topology, topology))
        return result({
          alreadyUp: true,
          updated: false,
          operations: 0,
          owned: existing.owned,
          startedOvs: false,
        });
      if (existing && existing.status !== "up")
        throw new NslabError(
          "E_CONFLICT",
          `lab '${lab}' has a record in state '${existing.status}' from an earlier run`,
          {
            hint: `take it down first: nslab down ${lab}`,
          },
        );
      const ctx: Ctx = { lab, driver, log, options };
      if (existing) {
        const change = planChange(existing.topology, topology, host);
        const n = await update(ctx, existing, topology, change);
        return result({
          alreadyUp: false,
          updated: true,
          operations: n,
          owned: createdObjects(planUp(topology, host)),
          startedOvs: false,
        });
      }
      const startedOvs = await prepareOvs(ctx, full, datapath);
      await refuseConflicts(ctx, full, startedOvs, []);
      await deploy(ctx, topology, full);
      return result({
        alreadyUp: false,
        updated: false,
        operations: full.length,
        owned: createdObjects(full),
        startedOvs,
      });
    } finally {
      lock.release();
    }
  } finally {
    await driver.close();
  }
}

interface Ctx {
  lab: string;
  driver: Driver;
  log: Logger;
  options: UpOptions;
}

/** Start OVS if the plan needs it; returns whether nslab started it now. */
async function prepareOvs(ctx: Ctx, ops: readonly Op[], datapath: string | undefined): Promise<boolean> {
  if (!ops.some((o) => o.op.startsWith("ovs."))) return false;
  const info = await ensureOvs(ctx.driver.runner, (m) => ctx.log("info", m));
  if (datapath)
    ctx.log(
      "info",
      `Open vSwitch datapath: ${datapath === "netdev" ? "netdev (userspace; the openvswitch kernel module is not loaded)" : "system (kernel module)"}`,
    );
  return info.startedNow;
}

/** Refuse (before changing anything) when a name the plan needs is taken, except by `freedFirst`. */
async function refuseConflicts(
  ctx: Ctx,
  ops: readonly Op[],
  startedOvs: boolean,
  freedFirst: readonly OwnedObject[],
): Promise<void> {
  const usesOvs = ops.some((o) => o.op.startsWith("ovs."));
  const conflicts = (
    await findConflicts(ops, ctx.driver, usesOvs ? await ctx.driver.ovsdb() : undefined)
  ).filter((c) => !(c.owner === ctx.lab && freedFirst.some((o) => o.name === c.name)));
  if (conflicts.length === 0) return;
  if (startedOvs) await releaseOvs(ctx.driver.runner, (m) => ctx.log("info", m), ctx.lab);
  throw conflictError(ctx.lab, conflicts);
}

/** Apply `ops` with the test hooks and progress; returns the report. */
function apply(ctx: Ctx, ops: readonly Op[], signal: AbortSignal) {
  const faultAt = ctx.options.faultAt ?? envNumber("NSLAB_FAULT_AT");
  const pauseAt = envNumber("NSLAB_TEST_PAUSE_AT");
  return applyOps(ops, ctx.driver.route, {
    mode: "stop",
    signal,
    ...(faultAt !== undefined ? { faultAt } : {}),
    ...(pauseAt !== undefined ? { pauseAt } : {}),
    ...(ctx.options.onProgress ? { onProgress: ctx.options.onProgress } : {}),
  });
}

/** A new lab: record the intent, apply, and on failure remove what was created. */
async function deploy(ctx: Ctx, topology: Topology, ops: Op[]): Promise<void> {
  const { lab, driver, log } = ctx;
  const state = newLabState(topology, createdObjects(ops));
  saveLab(state); // the intent: if this process dies, `down` knows what to look for
  await withInterrupts(log, ctx.options.signal, async (signal) => {
    const report = await apply(ctx, ops, signal);
    if (!report.error && !report.interrupted) {
      await settleSpanningTrees(topology, driver, log);
      saveLab({ ...state, status: "up" });
      return;
    }
    const cause =
      report.error ?? new NslabError("E_INTERRUPTED", `interrupted: lab '${lab}' was not brought up`);
    log("warn", `${report.error ? "an operation failed" : "interrupted"}: removing what this run created`);
    const failures = await rollback(lab, appliedOps(ops, report.outcomes), driver, {
      failFirst: process.env.NSLAB_TEST_FAIL_ROLLBACK === "1",
    });
    if (failures.length > 0) throw markDirty(state, cause, failures);
    removeLab(lab);
    if (state.usesOvs) await releaseOvs(driver.runner, (m) => log("info", m), lab);
    throw cause;
  });
}

/**
 * A running lab whose topology changed: undo what the new plan no longer has, then apply whatever
 * of the new plan the kernel lacks (new things, changed settings, and settings a removal took
 * along). On failure or interrupt, undo this run's additions and reconcile back to the old plan:
 * the lab is as it was, still running.
 */
async function update(ctx: Ctx, existing: LabState, topology: Topology, change: PlanChange): Promise<number> {
  const { lab, driver, log } = ctx;
  const newOps = change.next.filter((o) => change.changed.has(opKey(o)));
  checkEnvironment(newOps, driver.backend, ctx.options.host);
  const startedOvs = await prepareOvs(ctx, newOps, newOps.find((o) => o.op === "ovs.bridge.add")?.datapath);
  // Names the removals free first: objects, and OVS ports re-added with new settings (e.g. a VLAN tag).
  const freed: OwnedObject[] = [
    ...createdObjects(change.removed),
    ...change.removed.flatMap((o) =>
      o.op === "ovs.port.add" ? [{ kind: "link" as const, name: o.port }] : [],
    ),
  ];
  await refuseConflicts(ctx, newOps, startedOvs, freed);
  const owned = [...existing.owned];
  for (const o of createdObjects(change.next))
    if (!owned.some((x) => x.kind === o.kind && x.name === o.name)) owned.push(o);
  const state: LabState = {
    ...existing,
    status: "updating",
    owned,
    usesOvs: existing.usesOvs || newOps.some((o) => o.op.startsWith("ovs.")),
  };
  saveLab(state); // the intent covers both the old and the new objects
  return withInterrupts(log, ctx.options.signal, async (signal) => {
    const applied: Op[] = [];
    let count = 0;
    const removal = await applyOps(change.removals, driver.route, { mode: "stop", signal });
    let failure: NslabError | undefined =
      removal.error ?? (removal.interrupted ? interrupted(lab) : undefined);
    count += change.removals.length;
    if (!failure) {
      const todo = reconcileOps(
        change.next,
        await observeForPlan([change.next], driver),
        change.changed,
        opKey,
      );
      log(
        "info",
        `changing lab '${lab}' in place: ${change.removals.length} removal(s), ${todo.length} addition(s)`,
      );
      const adds = await apply(ctx, todo, signal);
      applied.push(...appliedOps(todo, adds.outcomes));
      count += todo.length;
      failure = adds.error ?? (adds.interrupted ? interrupted(lab) : undefined);
    }
    if (!failure) {
      await settleSpanningTrees(topology, driver, log);
      saveLab({ ...state, status: "up", topology, owned: createdObjects(change.next) });
      return count;
    }
    // Back to the running lab as it was: undo the additions, then reconcile with the old plan.
    log(
      "warn",
      `${failure.code === "E_INTERRUPTED" ? "interrupted" : "a change failed"}: restoring lab '${lab}' as it was`,
    );
    const failures: { object: OwnedObject; message: string; command?: string }[] = [];
    try {
      failures.push(...(await rollback(lab, applied, driver)));
      if (failures.length === 0) {
        const seen = await observeForPlan([change.previous], driver);
        const back = reconcileOps(change.previous, seen, new Set(change.removed.map(opKey)), opKey);
        const redo = await applyOps(back, driver.route, { mode: "continue" });
        redo.outcomes.forEach((o, i) => {
          if (o.status === "failed" || o.status === "partial")
            failures.push({
              object: { kind: "link", name: back[i]!.op },
              message: o.message,
              command: o.command,
            });
        });
      }
    } catch (e) {
      failures.push({ object: { kind: "link", name: "restore" }, message: (e as Error).message });
    }
    if (failures.length > 0) throw markDirty(state, failure, failures);
    saveLab({ ...existing, status: "up" });
    throw failure;
  });
}

function interrupted(lab: string): NslabError {
  return new NslabError("E_INTERRUPTED", `interrupted: lab '${lab}' was not changed`);
}

/** Record that undoing failed; the error keeps the original cause and names the fix. */
function markDirty(
  state: LabState,
  cause: NslabError,
  failures: { object: OwnedObject; message: string }[],
): NslabError {
  const fix = `nslab down ${state.lab}`;
  const what = failures.map((f) => `${f.object.kind} ${f.object.name}: ${f.message}`).join("; ");
  saveLab({
    ...state,
    status: "dirty",
    problem: { message: `undoing a failed change left ${failures.length} object(s): ${what}`, fix },
  });
  return new NslabError("E_ROLLBACK", `${cause.message}\nthe rollback failed too: ${what}`, {
    hint: `finish the cleanup with: ${fix}`,
    cause,
  });
}

/**
 * A lab with loops runs STP on its bridges; their ports listen, then learn, for the forward delay
 * each (30 s in all by default) before they forward or block. Wait for that, so the lab works when
 * `up` returns (`nslab ping` right after succeeds). Not an error if it takes longer: said, and done.
 */
async function settleSpanningTrees(t: Topology, driver: Driver, log: Logger): Promise<void> {
  const linux = t.nodes.flatMap((n) => (n.kind === "bridge" && n.stp ? [n.ifname] : []));
  const ovs = t.nodes.filter((n) => n.kind === "ovs-bridge" && n.stp);
  if (linux.length === 0 && ovs.length === 0) return;
  const ovsPorts = new Set(ovs.flatMap((n) => n.interfaces.map((i) => i.ifname)));
  const pending = async () => [
    ...linuxStpPending(linux),
    ...(ovs.length > 0 ? await ovsStpPending(await driver.ovsdb(), ovsPorts) : []),
  ];
  let said = false;
  const left = await waitSettled(pending, 90_000, (n) => {
    if (said) return;
    said = true;
    log(
      "info",
      `waiting for the spanning tree: ${n} bridge ports still listening or learning (forward delay)`,
    );
  });
  if (left.length > 0)
    log("warn", `the spanning tree has not settled yet: ${left.length} ports still listening or learning`);
}
