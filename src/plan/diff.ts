/**
 * What changes when a running lab's topology is edited: the operations of the old plan that the
 * new plan no longer has (undone by their inverses), and the keys of the operations that are new
 * (applied even where observation cannot tell, e.g. a sysctl's value). Everything else the new plan
 * needs is found by reconciling it with the kernel after the removals. Pure.
 */
import { inverseOps } from "./inverse.js";
import { bridgesWithSettings, flowsToReinstall } from "./openflow.js";
import type { Op } from "./ops.js";

/** A change from one topology to another. */
export interface PlanChange {
  /** Old operations that are no longer wanted (in old-plan order). */
  removed: Op[];
  /** The operations that undo `removed` (reverse order). */
  removals: Op[];
  /** The full new plan. */
  next: Op[];
  /** The full old plan. */
  previous: Op[];
  /** Keys (see opKey) of operations of the new plan that the old one did not have. */
  changed: Set<string>;
}

/** An operation's identity: everything but where it was written. */
export function opKey(op: Op): string {
  return JSON.stringify(op, (k, v) => (k === "src" ? undefined : v));
}

/** The change from a running lab's plan (`previous`) to the plan of its edited topology (`next`). */
export function diffPlans(previous: Op[], next: Op[]): PlanChange {
  const oldKeys = new Set(previous.map(opKey));
  const newKeys = new Set(next.map(opKey));
  const removed = previous.filter((op) => !newKeys.has(opKey(op)));
  const changed = new Set(next.map(opKey).filter((k) => !oldKeys.has(k)));
  // A bridge's new OpenFlow settings replace the old ones whole: those need no undoing first. And
  // what OVS forgets when settings change (flows) is installed again.
  const settled = bridgesWithSettings(next);
  const undone = removed.filter((op) => !(op.op === "ovs.bridge.set" && settled.has(op.bridge)));
  for (const op of flowsToReinstall(previous, next, opKey)) changed.add(opKey(op));
  return { removed, removals: inverseOps(undone), next, previous, changed };
}
