/**
 * `up`: create a lab, or change a running one to match an edited topology. Plans once, checks the
 * host and every name first, writes the lab's record (its intent) before creating anything, applies
 * the plan in batches, and on any failure or interrupt undoes what this run changed — a failed `up`
 * leaves the host as it found it (a new lab: below), and a running lab keeps running (update.ts).
 */
import type { Driver } from "../drivers/driver.js";
import { recordWriteHook } from "../drivers/faults.js";
import { hostLimits } from "../drivers/host/limits.js";
import { hostFactsFor } from "../drivers/host/probe.js";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { planUp } from "../plan/build.js";
import { diffPlans } from "../plan/diff.js";
import type { HostFacts } from "../plan/host.js";
import { checkHostLimits } from "../plan/limits.js";
import type { Op } from "../plan/ops.js";
import { acquireLock } from "../state/lock.js";
import {
  clearLeftovers,
  newLabState,
  type OwnedObject,
  readLab,
  removeLab,
  saveLab,
} from "../state/store.js";
import { openDriver } from "./driver.js";
import { sameTopology } from "./fingerprint.js";
import { withInterrupts } from "./interrupts.js";
import { borrowedDevices, createdObjects } from "./inventory.js";
import { silent, type UpOptions } from "./options.js";
import { checkEnvironment } from "./preflight.js";
import { repair } from "./repair.js";
import { appliedOps, rollback } from "./rollback.js";
import { heldServices, ovsService, release } from "./services/index.js";
import {
  acquireServices,
  applyPlan,
  markDirty,
  refuseConflicts,
  serviceContext,
  settleSpanningTrees,
  type UpRun,
} from "./up-run.js";
import { update } from "./update.js";

export type { UpOptions } from "./options.js";

/** What `up` did. */
export interface UpResult {
  /** The lab name. */
  lab: string;
  /**
   * The lab was already up with this very topology and nothing of it was missing (the shared
   * services it needs were started again if they had stopped: `startedOvs`).
   */
  alreadyUp: boolean;
  /** The lab was already up with this very topology, and what was missing of it was restored in place. */
  repaired?: true;
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

/**
 * Bring `topology` up, or change the running lab of that name to match it (unless `exclusive`).
 * Checks the host and every name first and changes nothing when something is missing or taken
 * (E_ENV, E_CONFLICT); on a failed operation (ApplyError) or an interrupt (E_INTERRUPTED: SIGINT,
 * SIGTERM or `signal`) it undoes what this call did before throwing.
 */
export async function up(topology: Topology, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const driver = openDriver(options);
  try {
    return await upWith(topology, driver, options, started);
  } finally {
    await driver.close();
  }
}

async function upWith(topology: Topology, driver: Driver, options: UpOptions, started: number) {
  const log = options.log ?? silent;
  const lab = topology.name;
  // Host facts first (a cheap probe, only of features this lab needs): a lab asking for what the
  // kernel lacks fails here, before anything is created. The plan is made once, here.
  const host: HostFacts = await hostFactsFor(topology, driver.runner, borrowedDevices(lab));
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
    for (const f of clearLeftovers(lab))
      log("info", `removed ${f}, left by an nslab process that died writing it`);
    const existing = readLab(lab);
    if (existing && options.exclusive)
      throw new NslabError("E_CONFLICT", `a lab named '${lab}' exists already (${existing.status})`, {
        hint: "choose another lab name",
      });
    const result = (
      r: Pick<UpResult, "alreadyUp" | "updated" | "repaired" | "operations" | "owned" | "startedOvs">,
    ): UpResult => ({
      lab,
      ...r,
      durationMs: performance.now() - started,
      ...(datapath ? { datapath } : {}),
    });
    if (existing && existing.status === "up" && sameTopology(existing.topology, topology)) {
      // Up already: restore in place whatever of it (or of what it depends on) is missing now.
      const r = await repair(
        { lab, driver, log, options },
        existing,
        topology,
        full,
        planUp(existing.topology, host),
        datapath,
      );
      return result({
        alreadyUp: r.operations === 0,
        updated: r.operations > 0,
        ...(r.operations > 0 ? { repaired: true as const } : {}),
        operations: r.operations,
        owned: existing.owned,
        startedOvs: r.startedOvs,
      });
    }
    if (existing && existing.status !== "up")
      throw new NslabError(
        "E_CONFLICT",
        `lab '${lab}' has a record in state '${existing.status}' from an earlier run`,
        {
          hint: `take it down first: nslab down ${lab}`,
        },
      );
    const c: UpRun = { lab, driver, log, options };
    if (existing) {
      // The running lab's plan (from its record) against the one made above.
      const change = diffPlans(planUp(existing.topology, host), full);
      const n = await update(c, existing, topology, change);
      return result({
        alreadyUp: false,
        updated: true,
        operations: n,
        owned: createdObjects(full),
        startedOvs: false,
      });
    }
    const startedNow = await acquireServices(c, full, datapath);
    await refuseConflicts(c, full, startedNow, []);
    await deploy(c, topology, full);
    return result({
      alreadyUp: false,
      updated: false,
      operations: full.length,
      owned: createdObjects(full),
      startedOvs: startedNow.includes(ovsService),
    });
  } finally {
    lock.release();
  }
}

/** A new lab: record the intent, apply, and on failure remove what was created. */
async function deploy(c: UpRun, topology: Topology, ops: readonly Op[]): Promise<void> {
  const { lab, driver, log } = c;
  const state = newLabState(topology, createdObjects(ops));
  // The intent: if this process dies, `down` knows what to look for.
  saveLab(state, recordWriteHook(driver.faults, "lab", `the record of lab '${lab}'`));
  await withInterrupts(log, c.options.signal, async (signal) => {
    const report = await applyPlan(c, ops, signal);
    if (!report.error && !report.interrupted) {
      await settleSpanningTrees(topology, driver, log);
      saveLab({ ...state, status: "up" });
      return;
    }
    const cause =
      report.error ?? new NslabError("E_INTERRUPTED", `interrupted: lab '${lab}' was not brought up`);
    log("warn", `${report.error ? "an operation failed" : "interrupted"}: removing what this run created`);
    const failures = await rollback(lab, appliedOps(ops, report.outcomes), driver);
    if (failures.length > 0) throw markDirty(state, cause, failures);
    removeLab(lab);
    await release(heldServices(state, []), serviceContext(c));
    throw cause;
  });
}
