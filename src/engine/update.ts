/**
 * Changing a running lab to match an edited topology: undo what the new plan no longer has, then
 * apply whatever of the new plan the kernel lacks (new things, changed settings, and settings a
 * removal took along). On failure or interrupt, undo this run's additions and reconcile back to the
 * old plan: the lab is as it was, still running.
 */
import { observeForPlan } from "../drivers/observe/for-plan.js";
import type { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { opKey, type PlanChange } from "../plan/diff.js";
import type { Op } from "../plan/ops.js";
import { reconcileOps } from "../plan/reconcile.js";
import { type LabState, type OwnedObject, saveLab } from "../state/store.js";
import { withInterrupts } from "./interrupts.js";
import { createdObjects, withHostSettings } from "./inventory.js";
import { checkEnvironment } from "./preflight.js";
import { appliedOps, rollback } from "./rollback.js";
import { forwardingService } from "./services/forwarding.js";
import {
  acquireServices,
  applyPlan,
  interrupted,
  markDirty,
  refuseConflicts,
  serviceContext,
  settleSpanningTrees,
  type UpRun,
} from "./up-run.js";

/** Change lab `existing` to `topology`; returns the number of operations applied. */
export async function update(
  c: UpRun,
  existing: LabState,
  topology: Topology,
  change: PlanChange,
): Promise<number> {
  const { lab, driver, log } = c;
  const newOps = change.next.filter((o) => change.changed.has(opKey(o)));
  checkEnvironment(newOps, driver.backend, c.options.host);
  const started = await acquireServices(c, newOps, newOps.find((o) => o.op === "ovs.bridge.add")?.datapath);
  // Names the removals free first: objects, and OVS ports re-added with new settings (e.g. a VLAN tag).
  const freed: OwnedObject[] = [
    ...createdObjects(change.removed),
    ...change.removed.flatMap((o) =>
      o.op === "ovs.port.add" ? [{ kind: "link" as const, name: o.port }] : [],
    ),
  ];
  await refuseConflicts(c, newOps, started, freed);
  const owned = [...existing.owned];
  for (const o of createdObjects(change.next))
    if (!owned.some((x) => x.kind === o.kind && x.name === o.name)) owned.push(o);
  const next = withHostSettings(existing, change.next);
  const state: LabState = {
    ...existing,
    status: "updating",
    owned,
    usesOvs: existing.usesOvs || newOps.some((o) => o.op.startsWith("ovs.")),
    // Held while changing: the old settings and the new ones.
    ...mergedSettings(existing, next),
  };
  saveLab(state); // the intent covers both the old and the new objects
  return withInterrupts(log, c.options.signal, async (signal) => {
    const applied: Op[] = [];
    let count = 0;
    const removal = await driver.apply(change.removals, { mode: "stop", signal });
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
      const adds = await applyPlan(c, todo, signal);
      applied.push(...appliedOps(todo, adds.outcomes));
      count += todo.length;
      failure = adds.error ?? (adds.interrupted ? interrupted(lab) : undefined);
    }
    if (!failure) {
      await settleSpanningTrees(topology, driver, log);
      const done = withHostSettings(
        { ...state, status: "up", topology, owned: createdObjects(change.next) },
        change.next,
      );
      saveLab(done);
      // A NAT uplink this lab no longer uses goes back as it was, when no other lab holds it.
      if ((existing.hostSettings ?? []).some((k) => !(done.hostSettings ?? []).includes(k)))
        await forwardingService.release(serviceContext(c));
      return count;
    }
    log(
      "warn",
      `${failure.code === "E_INTERRUPTED" ? "interrupted" : "a change failed"}: restoring lab '${lab}' as it was`,
    );
    const failures = await restore(c, change, applied, existing.owned);
    if (failures.length > 0) throw markDirty(state, failure, failures);
    saveLab({ ...existing, status: "up" });
    throw failure;
  });
}

/** The shared settings and NAT uplinks of two records together (held while one becomes the other). */
function mergedSettings(a: LabState, b: LabState): Pick<LabState, "hostSettings" | "natUplinks"> {
  const keys = [...new Set([...(a.hostSettings ?? []), ...(b.hostSettings ?? [])])];
  if (keys.length === 0) return {};
  return { hostSettings: keys, natUplinks: { ...a.natUplinks, ...b.natUplinks } };
}

/** Back to the running lab as it was: undo the additions, then reconcile with the old plan. */
async function restore(
  c: UpRun,
  change: PlanChange,
  applied: readonly Op[],
  existed: readonly OwnedObject[],
): Promise<{ object: OwnedObject; message: string; command?: string }[]> {
  const { lab, driver } = c;
  const failures: { object: OwnedObject; message: string; command?: string }[] = [];
  try {
    failures.push(...(await rollback(lab, applied, driver, existed)));
    if (failures.length === 0) {
      const seen = await observeForPlan([change.previous], driver);
      const back = reconcileOps(change.previous, seen, new Set(change.removed.map(opKey)), opKey);
      const redo = await driver.apply(back, { mode: "continue" });
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
  return failures;
}
