/**
 * Creating a lab: record the intent (everything it is about to own) before anything exists, apply
 * the plan, and on a failure or an interrupt remove what this run created — in reverse, through the
 * ownership-checked teardown — and let go of the services it held.
 */
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import type { Op } from "../plan/ops.js";
import { newLabState, removeLab, saveLab } from "../state/store.js";
import { withInterrupts } from "./interrupts.js";
import { createdObjects } from "./inventory.js";
import { appliedOps, rollback } from "./rollback.js";
import { heldServices, release } from "./services/index.js";
import { settleSpanningTrees } from "./settle.js";
import { applyPlan, markDirty, serviceContext, type UpRun } from "./up-run.js";

/** A new lab: record the intent, apply, and on failure remove what was created. */
export async function deploy(c: UpRun, topology: Topology, ops: readonly Op[]): Promise<void> {
  const { lab, driver, log } = c;
  const state = newLabState(topology, createdObjects(ops));
  saveLab(state); // the intent: if this process dies, `down` knows what to look for
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
