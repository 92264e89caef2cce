/** `plan`: the operations `up` would perform, as data, a shell script or JSON. */
import { ovsKernelModule } from "../drivers/host/facts.js";
import { hostLimits } from "../drivers/host/limits.js";
import { hostFactsFor } from "../drivers/host/probe.js";
import type { Runner } from "../drivers/runner/index.js";
import type { Topology } from "../model/types.js";
import { planUp } from "../plan/build.js";
import type { HostFacts, HostLimits } from "../plan/host.js";
import { checkHostLimits, type LimitProblem } from "../plan/limits.js";
import { planNotes } from "../plan/notes.js";
import type { Op } from "../plan/ops.js";
import { renderJson, renderShell } from "../plan/render.js";
import { borrowedDevices } from "./inventory.js";

/** A plan for bringing a topology up on a host. */
export interface Plan {
  topology: Topology;
  /** What the plan assumed about the host. */
  host: HostFacts;
  /** The operations `up` performs, in order. */
  operations: Op[];
  /** Host limits the lab would hit here: errors make `up` refuse, warnings are said. */
  limits: { errors: LimitProblem[]; warnings: LimitProblem[] };
  /** The plan as a runnable shell script of `ip`/`ovs-vsctl` lines. */
  toShell(): string;
  /** The operations as JSON. */
  toJson(): string;
}

/** Plan `topology` for this host (or for the given host facts). Pure: nothing is changed. */
export function planLab(
  topology: Topology,
  host: HostFacts = { ovsKernelDatapath: ovsKernelModule() },
  limits: HostLimits = hostLimits(),
): Plan {
  const operations = planUp(topology, host);
  return {
    topology,
    host,
    operations,
    limits: checkHostLimits(topology, limits),
    toShell: () => renderShell(operations, { lab: topology.name, notes: planNotes(topology) }),
    toJson: () => renderJson(operations, { lab: topology.name }),
  };
}

/** Plan `topology` for this host, probing only the kernel features it asks for (as `up` does). */
export async function planForHost(topology: Topology, runner?: Runner): Promise<Plan> {
  return planLab(topology, await hostFactsFor(topology, runner, borrowedDevices(topology.name)));
}
