/**
 * The shared host services the engine knows, and acquiring/releasing a set of them. A new service
 * is one file beside this one (implementing HostService) and one entry in {@link SERVICES}.
 */
import type { Op } from "../../plan/ops.js";
import type { LabState, OwnedObject } from "../../state/store.js";
import { firewallService } from "./firewall.js";
import { forwardingService } from "./forwarding.js";
import { openflowSslService } from "./openflow-ssl.js";
import { ovsService } from "./ovs.js";
import type { HostService, ServiceContext } from "./service.js";
import { testControllerService } from "./testcontroller.js";

export { firewallService } from "./firewall.js";
export { forwardingService } from "./forwarding.js";
export { openflowPki, openflowSslService } from "./openflow-ssl.js";
export { ovsService } from "./ovs.js";
export type { HostService, ServiceContext, ServiceHealth } from "./service.js";
export { defaultControllerTarget, testControllerService } from "./testcontroller.js";

/** Every shared service, in the order they are acquired (released in reverse). */
export const SERVICES: readonly HostService[] = [
  ovsService,
  testControllerService,
  openflowSslService,
  firewallService,
  forwardingService,
];

/** Acquire the services applying `ops` needs; returns the ones that were started now. */
export async function acquireFor(ops: readonly Op[], ctx: ServiceContext): Promise<HostService[]> {
  const started: HostService[] = [];
  for (const s of SERVICES)
    if (s.neededBy(ops) && (await s.acquire({ ...ctx, ops })).started) started.push(s);
  return started;
}

/** The services a lab holds: by its record, or (a lab found without one) by what it owns. */
export function heldServices(record: LabState | undefined, objects: readonly OwnedObject[]): HostService[] {
  return SERVICES.filter((s) => (record ? s.heldBy(record) : false) || s.neededToRemove(objects));
}

/**
 * Release `services` (in reverse order); each stops only what nobody else holds. Those with nothing
 * recorded to release (`unused`) are skipped without taking their locks.
 */
export async function release(services: readonly HostService[], ctx: ServiceContext): Promise<void> {
  for (const s of [...services].reverse()) if (!s.unused?.()) await s.release(ctx);
}
