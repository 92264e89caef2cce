/**
 * FRR for a lab, as `plan` and `up` see it: the host's FRR probed, the files the routers name read,
 * every router's daemons and configuration planned, and each configuration checked with the host's
 * `vtysh -C` — so a line this FRR does not accept is an error before anything starts.
 */

import type { Driver } from "../drivers/driver.js";
import { checkConfigs } from "../drivers/frr/check.js";
import { readNamedFiles } from "../drivers/frr/files.js";
import { probeFrr } from "../drivers/frr/host.js";
import { type Runner, systemRunner } from "../drivers/runner/index.js";
import { formatProblem, NslabError, TopologyError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { convergenceExpectations } from "../plan/frr/converge.js";
import { describeLacking } from "../plan/frr/lacking-text.js";
import { frrRouters } from "../plan/frr/ports.js";
import { type FrrPlan, frrFilesNamed, planFrr } from "../plan/frr/routers.js";
import type { Logger } from "../util/logger.js";
import { type ConvergeOptions, type ConvergeResult, lookWith, waitConverged } from "./converge.js";

/** The lab's FRR plan (undefined when no router runs FRR); problems mean `up` would refuse. */
export async function frrForLab(
  topology: Topology,
  runner: Runner = systemRunner,
): Promise<FrrPlan | undefined> {
  const routers = frrRouters(topology);
  if (routers.length === 0) return undefined;
  const [host, files] = await Promise.all([
    probeFrr(runner),
    readNamedFiles(frrFilesNamed(topology).map((f) => f.path)),
  ]);
  const plan = planFrr(topology, host, files);
  if (!host || plan.problems.length > 0) return plan;
  const byName = new Map(routers.map((r) => [r.name, r]));
  const configs = plan.routers.map((r) => {
    const frr = byName.get(r.node)!.frr!;
    const text = r.files.find((f) => f.name === "frr.conf")?.content ?? "";
    const src = frr.at?.config ?? frr.src;
    return {
      router: r.node,
      text,
      ...(r.config.kind === "file" ? { file: r.config.path } : {}),
      ...(src ? { src } : {}),
    };
  });
  plan.problems.push(...(await checkConfigs(runner, host.vtysh, host.version, configs)));
  return plan;
}

/**
 * Before `up` changes anything: FRR's problems (not installed, a file unreadable, a line its vtysh
 * refuses) refuse the lab. Running FRR in routers needs each router's own file system view and
 * supervised services (the node environment), which this build does not have yet: a lab whose
 * routers run FRR is refused rather than brought up without its routing.
 */
export async function refuseFrr(topology: Topology, driver: Driver, log: Logger): Promise<void> {
  const frr = await frrForLab(topology, driver.runner);
  if (!frr) return;
  for (const w of frr.warnings) log("warn", formatProblem(w));
  if (frr.problems.length > 0) throw new TopologyError(frr.problems);
  const names = frr.routers.map((r) => r.node);
  throw new NslabError(
    "E_ENV",
    `router${names.length === 1 ? "" : "s"} ${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""} run FRR, which needs a private /etc/frr and /var/run/frr and supervised daemons in each router; this build of nslab cannot start them yet`,
    {
      hint: "nslab plan shows each router's daemons and configuration; routing: static routes a lab without FRR",
    },
  );
}

/** The daemons each router runs, by router name (what its sessions are read with). */
export function daemonsOf(frr: FrrPlan): Map<string, string[]> {
  return new Map(frr.routers.map((r) => [r.node, r.daemons.map((d) => d.name)]));
}

/**
 * Wait until the lab's routing has converged (see plan/frr/converge.ts), saying every few seconds
 * what is still lacking; `inRouter` builds the argv that runs a command in a router's namespaces.
 */
export async function waitForRouting(
  topology: Topology,
  frr: FrrPlan,
  driver: Driver,
  inRouter: (netns: string, argv: readonly string[]) => string[],
  options: ConvergeOptions & { log?: Logger } = {},
): Promise<ConvergeResult> {
  const expectations = convergenceExpectations(topology, daemonsOf(frr));
  const vtysh = (await probeFrr(driver.runner))?.vtysh ?? "vtysh";
  let said = 0;
  return waitConverged(expectations, lookWith(driver, vtysh, inRouter), {
    ...options,
    onWait: (missing, elapsed) => {
      options.onWait?.(missing, elapsed);
      if (elapsed - said < 5_000) return;
      said = elapsed;
      options.log?.(
        "info",
        `waiting for routing to converge (${(elapsed / 1000).toFixed(0)} s): ${missing.length} of ${expectations.length} routers lack something, e.g. ${describeLacking(missing, 1)[0]}`,
      );
    },
  });
}
