/**
 * What `up` needs while it changes a lab, shared by creating one (up.ts) and changing one in
 * place (update.ts): the services a plan needs, the refusal of names taken by others, applying the
 * plan (where injected faults strike), waiting for spanning trees to settle, and marking a lab
 * dirty when undoing failed.
 */
import type { Driver } from "../drivers/driver.js";
import { linuxStpPending, ovsStpPending, waitSettled } from "../drivers/stp.js";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import type { Op } from "../plan/ops.js";
import { type LabState, type OwnedObject, saveLab } from "../state/store.js";
import type { Logger } from "../util/logger.js";
import type { UpOptions } from "./options.js";
import { conflictError, findConflicts } from "./preflight.js";
import { acquireFor, type HostService, release, type ServiceContext } from "./services/index.js";

/** One `up` of one lab. */
export interface UpRun {
  lab: string;
  driver: Driver;
  log: Logger;
  options: UpOptions;
}

/** What services are told about this change. */
export function serviceContext(c: UpRun): ServiceContext {
  return { lab: c.lab, runner: c.driver.runner, log: c.log, faults: c.driver.faults };
}

/** Acquire the shared services `ops` need; returns the ones started now. */
export async function acquireServices(
  c: UpRun,
  ops: readonly Op[],
  datapath: string | undefined,
): Promise<HostService[]> {
  const started = await acquireFor(ops, serviceContext(c));
  if (datapath && ops.some((o) => o.op.startsWith("ovs.")))
    c.log(
      "info",
      `Open vSwitch datapath: ${datapath === "netdev" ? "netdev (userspace; the openvswitch kernel module is not loaded)" : "system (kernel module)"}`,
    );
  return started;
}

/**
 * Refuse (before changing anything) when a name `ops` needs is taken, except by `freedFirst`; the
 * services this run started are released again.
 */
export async function refuseConflicts(
  c: UpRun,
  ops: readonly Op[],
  started: readonly HostService[],
  freedFirst: readonly OwnedObject[],
): Promise<void> {
  const usesOvs = ops.some((o) => o.op.startsWith("ovs."));
  const conflicts = (await findConflicts(ops, c.driver, usesOvs ? await c.driver.ovsdb() : undefined)).filter(
    (x) => !(x.owner === c.lab && freedFirst.some((o) => o.name === x.name)),
  );
  if (conflicts.length === 0) return;
  await release(started, serviceContext(c));
  throw conflictError(c.lab, conflicts);
}

/** Apply the plan (or the part of it that is missing): stop at the first failure. */
export function applyPlan(c: UpRun, ops: readonly Op[], signal: AbortSignal) {
  return c.driver.apply(ops, {
    mode: "stop",
    // Nodes' file systems and mount namespaces made while the links are.
    overlap: true,
    signal,
    injectFaults: true,
    ...(c.options.onProgress ? { onProgress: c.options.onProgress } : {}),
  });
}

export function interrupted(lab: string): NslabError {
  return new NslabError("E_INTERRUPTED", `interrupted: lab '${lab}' was not changed`);
}

/** Record that undoing failed; the error keeps the original cause and names the fix. */
export function markDirty(
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
 * each (30 s in all by default) before they forward or block. `up` waits for that, so the lab works
 * when it returns (`nslab ping` right after succeeds). Not an error if it takes longer: said, and done.
 */
export async function settleSpanningTrees(t: Topology, driver: Driver, log: Logger): Promise<void> {
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
