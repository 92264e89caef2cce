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
import { NslabError, TopologyError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { planUp } from "../plan/build.js";
import { diffPlans } from "../plan/diff.js";
import type { HostFacts } from "../plan/host.js";
import { checkHostLimits, namespacesOf } from "../plan/limits.js";
import { natHostConflicts } from "../plan/nat.js";
import { natResolv } from "../plan/nat-dns.js";
import type { Op } from "../plan/ops.js";
import { stateRoot } from "../state/dir.js";
import { removeLabDir } from "../state/lab-dir.js";
import { acquireLock } from "../state/lock.js";
import {
  clearLeftovers,
  type KeyedRecord,
  type LabState,
  newLabState,
  readLabAgain,
  readLabKeyed,
  removeLab,
  saveLab,
} from "../state/store.js";
import { nftTablesBy } from "./discover.js";
import { openDriver } from "./driver.js";
import { sameTopology } from "./fingerprint.js";
import { repairFirewall } from "./firewall-repair.js";
import { checkDeclaredFlows } from "./flows.js";
import { prepareFrr, waitForRouting } from "./frr.js";
import { withInterrupts } from "./interrupts.js";
import { borrowedDevices, createdObjects, withHostSettings } from "./inventory.js";
import {
  restartFailedServices,
  restoreServices,
  startChangedServices,
  startServices,
  stopRemovedServices,
} from "./node-services.js";
import { logOf, type UpOptions } from "./options.js";
import { checkEnvironment } from "./preflight.js";
import { repair } from "./repair.js";
import type { UpResult } from "./results.js";
import { appliedOps, rollback } from "./rollback.js";
import { defaultControllerTarget, heldServices, ovsService, release } from "./services/index.js";
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
export type { UpResult } from "./results.js";

/**
 * Bring `topology` up, or change the running lab of that name to match it (unless `exclusive`).
 * Checks the host and every name first and changes nothing when something is missing or taken
 * (E_ENV, E_CONFLICT); on a failed operation (ApplyError) or an interrupt (E_INTERRUPTED: SIGINT,
 * SIGTERM or `signal`) it undoes what this call did before throwing.
 */
export async function up(topology: Topology, options: UpOptions = {}): Promise<UpResult> {
  // A lab spread over several machines: the transaction across them (its code, ssh's included,
  // loads only for such labs).
  if (topology.hosts !== undefined) return (await import("./multi/up.js")).upMulti(topology, options);
  const started = performance.now();
  const driver = openDriver(options);
  try {
    return await upWith(topology, driver, options, started);
  } finally {
    await driver.close();
  }
}

async function upWith(given: Topology, driver: Driver, options: UpOptions, started: number) {
  const log = logOf(options);
  const lab = given.name;
  // Routers running FRR: their configurations checked, their files and daemons added to the lab.
  const { topology, frr } = await prepareFrr(given, driver.runner, log);
  // The lab's record, read once: for the devices it borrowed, and (when its file is the same one
  // under the lock) as the running lab's. Unreadable here: said under the lock, as before.
  let read: KeyedRecord | undefined;
  try {
    read = readLabKeyed(lab);
  } catch {
    read = undefined;
  }
  // Host facts first (a cheap probe, only of features this lab needs): a lab asking for what the
  // kernel lacks fails here, before anything is created. The plan is made once, here.
  const host: HostFacts = {
    // The firewall's tables asked of the driver's agent (started here: it is needed next anyway).
    ...(await hostFactsFor(topology, driver.runner, stateRoot(), {
      borrowed: borrowedDevices(lab, read?.state),
      nftTables: nftTablesBy(driver),
    })),
    defaultController: defaultControllerTarget(),
  };
  const full = planUp(topology, host);
  // Every declared flow through OVS's own parser: a bad one is reported at its line, nothing made.
  await checkDeclaredFlows(topology, driver.runner);
  const datapath = full.find((o) => o.op === "ovs.bridge.add")?.datapath;
  checkEnvironment(full, driver.backend, options.host);
  const limits = checkHostLimits(topology, hostLimits(namespacesOf(topology)));
  if (limits.errors.length > 0)
    throw new NslabError(
      "E_ENV",
      limits.errors.length === 1
        ? limits.errors[0]!.message
        : `this host cannot hold the lab:\n  - ${limits.errors.map((e) => e.message).join("\n  - ")}`,
      { hint: limits.errors.map((e) => e.hint).join("; ") },
    );
  for (const w of limits.warnings) log("warn", `${w.message}\n  hint: ${w.hint}`);
  const dns = natResolv(topology, host).warning;
  if (dns) log("warn", `${dns.message}\n  hint: ${dns.hint}`);
  const lock = acquireLock(lab, `nslab up ${lab}`, (m) => log("warn", m));
  try {
    for (const f of clearLeftovers(lab))
      log("info", `removed ${f}, left by an nslab process that died writing it`);
    const current = readLabAgain(lab, read);
    const existing = current.state;
    if (existing && options.exclusive)
      throw new NslabError("E_CONFLICT", `a lab named '${lab}' exists already (${existing.status})`, {
        hint: "choose another lab name",
      });
    const result = (
      r: Pick<
        UpResult,
        | "alreadyUp"
        | "updated"
        | "repaired"
        | "operations"
        | "owned"
        | "startedOvs"
        | "convergedMs"
        | "restartedServices"
      >,
    ): UpResult => ({
      lab,
      ...r,
      durationMs: performance.now() - started,
      ...(datapath ? { datapath } : {}),
    });
    const c: UpRun = { lab, driver, log, options };
    const labfsOp = full.find((o) => o.op === "labfs.mount");
    const labfs = labfsOp?.op === "labfs.mount" ? labfsOp.path : undefined;
    // Routing daemons: `up` returns once their routing has converged (unless told not to wait).
    const converge = async (): Promise<number | undefined> => {
      if (!frr || frr.routers.length === 0 || options.wait === false) return undefined;
      const r = await waitForRouting(topology, driver, labfs, {
        log,
        ...(options.waitTimeoutMs !== undefined ? { timeoutMs: options.waitTimeoutMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      log("info", `routing converged in ${(r.ms / 1000).toFixed(1)} s`);
      return r.ms;
    };
    if (existing && existing.status === "up" && sameTopology(existing.topology, topology)) {
      // Up already: restore in place whatever of it (or of what it depends on) is missing now.
      const r = await repair(
        c,
        existing,
        topology,
        full,
        () => planUp(existing.topology, withRecorded(host, existing)),
        datapath,
      );
      // And its part of the host firewall (a firewall reload, Docker started after it came up),
      // from the record as the repair left it (read again only if it changed it).
      const fw = await repairFirewall(c, full, readLabAgain(lab, current).state ?? existing);
      // And its services that failed, or whose namespace was made anew (or its supervisor, gone):
      // started again.
      const restarted = await restartFailedServices(
        c,
        topology,
        labfs,
        options.signal ?? new AbortController().signal,
        new Set(r.recreated),
      );
      const routers = new Set(frr?.routers.map((x) => x.node));
      const convergedMs = restarted.some((id) => routers.has(id.split("/")[0]!))
        ? await converge()
        : undefined;
      const operations = r.operations + fw;
      const repaired = operations > 0 || restarted.length > 0;
      return result({
        ...(convergedMs !== undefined ? { convergedMs } : {}),
        alreadyUp: !repaired,
        updated: repaired,
        ...(repaired ? { repaired: true as const } : {}),
        operations,
        ...(restarted.length > 0 ? { restartedServices: restarted } : {}),
        owned: readLabAgain(lab, current).state?.owned ?? existing.owned,
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
    if (existing) {
      // The running lab's plan (from its record) against the one made above.
      const before = await hostFactsFor(existing.topology, driver.runner, stateRoot(), {
        borrowed: borrowedDevices(lab, existing),
        nftTables: nftTablesBy(driver),
      });
      const change = diffPlans(planUp(existing.topology, withRecorded(before, existing)), full);
      // Services: those the file no longer has stop first (their nodes may go); after the change,
      // those it redefines start again and those it adds start, each wave ready before the next.
      const labfsBefore = existing.owned.find((o) => o.kind === "labfs")?.name;
      const stopped = await stopRemovedServices(c, existing.topology, topology, labfsBefore);
      let n: number;
      try {
        n = await update(c, existing, topology, change);
      } catch (e) {
        // The lab is as it was (or marked dirty): so are its services.
        if (stopped.removed.length > 0) await restoreServices(c, existing.topology, labfsBefore);
        throw e;
      }
      const started = await startChangedServices(
        c,
        existing.topology,
        topology,
        labfs,
        options.signal ?? new AbortController().signal,
      );
      // A router whose FRR started again (its configuration changed) or anew: converged again.
      const routers = new Set(frr?.routers.map((r) => r.node));
      const convergedMs = started.some((id) => routers.has(id.split("/")[0]!)) ? await converge() : undefined;
      return result({
        ...(convergedMs !== undefined ? { convergedMs } : {}),
        alreadyUp: false,
        updated: true,
        operations: n,
        owned: createdObjects(full),
        startedOvs: false,
      });
    }
    if (full.some((o) => o.op === "nat.masquerade")) {
      // NAT: the uplink exists and leads out; the transit subnets collide with no host route.
      const problems = natHostConflicts(full, await driver.dump(null), lab);
      if (problems.length > 0) throw new TopologyError(problems);
    }
    const startedNow = await acquireServices(c, full, datapath);
    await refuseConflicts(c, full, startedNow, []);
    if (options.onPlanned)
      try {
        await options.onPlanned({ operations: full.length });
      } catch (e) {
        await release(startedNow, serviceContext(c));
        throw e;
      }
    await deploy(c, topology, full);
    const convergedMs = await converge();
    return result({
      ...(convergedMs !== undefined ? { convergedMs } : {}),
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

/** The host as a running lab's plan saw it: its NAT nodes keep the uplinks they came up with. */
function withRecorded(host: HostFacts, record: LabState): HostFacts {
  return record.natUplinks ? { ...host, natUplinks: record.natUplinks } : host;
}

/** A new lab: record the intent, apply, and on failure remove what was created. */
async function deploy(c: UpRun, topology: Topology, ops: readonly Op[]): Promise<void> {
  const { lab, driver, log } = c;
  const state = withHostSettings(newLabState(topology, createdObjects(ops)), ops);
  // The intent: if this process dies, `down` knows what to look for.
  saveLab(state, recordWriteHook(driver.faults, "lab", `the record of lab '${lab}'`));
  await withInterrupts(log, c.options.signal, async (signal) => {
    const report = await applyPlan(c, ops, signal);
    let failed: NslabError | undefined;
    let uncommitted = false;
    if (!report.error && !report.interrupted) {
      await settleSpanningTrees(topology, driver, log);
      try {
        const labfs = ops.find((o) => o.op === "labfs.mount");
        await startServices(c, topology, labfs?.op === "labfs.mount" ? labfs.path : undefined, signal);
        // A machine's part of a lab spread over several waits here for the controller's commit.
        if (c.options.beforeCommit)
          try {
            await c.options.beforeCommit(signal);
          } catch (e) {
            uncommitted = true;
            throw e;
          }
        saveLab({ ...state, status: "up" });
        return;
      } catch (e) {
        failed =
          e instanceof NslabError
            ? e
            : uncommitted
              ? new NslabError("E_INTERRUPTED", `lab '${lab}' was not committed: ${(e as Error).message}`, {
                  cause: e,
                })
              : new NslabError("E_SERVICE", (e as Error).message, { cause: e });
      }
    }
    const cause =
      failed ??
      report.error ??
      new NslabError("E_INTERRUPTED", `interrupted: lab '${lab}' was not brought up`);
    log(
      "warn",
      `${failed ? (uncommitted ? "not committed" : "a service failed") : report.error ? "an operation failed" : "interrupted"}: removing what this run created`,
    );
    const failures = await rollback(lab, appliedOps(ops, report.outcomes), driver);
    if (failures.length > 0) throw markDirty(state, cause, failures);
    removeLab(lab);
    removeLabDir(lab);
    await release(heldServices(state, []), serviceContext(c));
    throw cause;
  });
}
