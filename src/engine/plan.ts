/** `plan`: the operations `up` would perform, as data, a shell script or JSON. */
import { ovsKernelModule } from "../drivers/host/facts.js";
import { hostLimits } from "../drivers/host/limits.js";
import { hostFactsFor } from "../drivers/host/probe.js";
import { nftTablesOfOwnAgent } from "../drivers/nsagent/index.js";
import type { Runner } from "../drivers/runner/index.js";
import type { Topology } from "../model/types.js";
import { planUp } from "../plan/build.js";
import { frrPlanNotes } from "../plan/frr/render.js";
import type { FrrPlan } from "../plan/frr/routers.js";
import { LOAD_SERVICE } from "../plan/frr/services.js";
import type { HostFacts, HostLimits } from "../plan/host.js";
import { checkHostLimits, type LimitProblem, namespacesOf } from "../plan/limits.js";
import { planNotes } from "../plan/notes.js";
import type { Op } from "../plan/ops.js";
import { renderJson, renderShell } from "../plan/render.js";
import { plannedServices, servicePlanNotes } from "../plan/services.js";
import { stateRoot } from "../state/dir.js";
import { checkDeclaredFlows } from "./flows.js";
import { frrForLab, withFrr } from "./frr.js";
import { borrowedDevices } from "./inventory.js";
import { defaultControllerTarget } from "./services/testcontroller.js";

/** A plan for bringing a topology up on a host. */
export interface Plan {
  topology: Topology;
  /** What the plan assumed about the host. */
  host: HostFacts;
  /** The operations `up` performs, in order. */
  operations: Op[];
  /** Host limits the lab would hit here: errors make `up` refuse, warnings are said. */
  limits: { errors: LimitProblem[]; warnings: LimitProblem[] };
  /** FRR in the lab's routers (absent when none runs it): daemons, files, and problems `up` would refuse. */
  frr?: FrrPlan;
  /** The plan as a runnable shell script of `ip`/`ovs-vsctl` lines (services and FRR as comments after them). */
  toShell(): string;
  /** The operations as JSON. */
  toJson(): string;
}

/** Plan `topology` for this host (or for the given host facts). Pure: nothing is changed. */
export function planLab(
  topology: Topology,
  host: HostFacts = { ovsKernelDatapath: ovsKernelModule(), defaultController: defaultControllerTarget() },
  limits: HostLimits = hostLimits(namespacesOf(topology)),
  frr?: FrrPlan,
): Plan {
  const operations = planUp(topology, host);
  // FRR's daemons are services too, shown with their routers: the text lists the others.
  const frrServices = new Set(
    (frr?.routers ?? []).flatMap((r) =>
      [...r.daemons.map((d) => d.name), LOAD_SERVICE].map((d) => `${r.node}/${d}`),
    ),
  );
  const serviceNotes = servicePlanNotes(topology, (id) => frrServices.has(id));
  const frrNotes = frrPlanNotes(frr);
  const services = plannedServices(topology);
  return {
    topology,
    host,
    operations,
    limits: checkHostLimits(topology, limits),
    ...(frr ? { frr } : {}),
    toShell: () =>
      renderShell(operations, {
        lab: topology.name,
        notes: planNotes(topology),
        after: [
          ...serviceNotes,
          ...(serviceNotes.length > 0 && frrNotes.length > 0 ? [""] : []),
          ...frrNotes,
        ],
      }),
    toJson: () =>
      renderJson(operations, {
        lab: topology.name,
        extra: { ...(services.length > 0 ? { services } : {}), ...(frr ? { frr: frr.routers } : {}) },
      }),
  };
}

/**
 * Plan `topology` for this host, probing only the kernel features it asks for, checking its flows
 * with OVS's parser, and the host's FRR when routers run it (their configurations checked with its
 * `vtysh -C`), as `up` does.
 */
export async function planForHost(topology: Topology, runner?: Runner): Promise<Plan> {
  await checkDeclaredFlows(topology, runner);
  const frr = await frrForLab(topology, runner);
  // Routers' FRR as `up` adds it: their /etc/frr, /run/frr and daemons in the node environment.
  const t = frr && frr.problems.length === 0 ? withFrr(topology, frr) : topology;
  const host = await hostFactsFor(t, runner, stateRoot(), {
    borrowed: borrowedDevices(topology.name),
    // No driver here: the firewall's tables are asked of an agent of its own (see readFirewall).
    nftTables: () => nftTablesOfOwnAgent(runner),
  });
  return planLab(
    t,
    { ...host, defaultController: defaultControllerTarget() },
    hostLimits(namespacesOf(t)),
    frr,
  );
}
