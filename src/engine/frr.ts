/**
 * FRR for a lab, as `plan` and `up` see it: the host's FRR probed, the files the routers name read,
 * every router's daemons and configuration planned, and each configuration checked with the host's
 * `vtysh -C` — so a line this FRR does not accept is an error before anything starts.
 */

import type { Driver } from "../drivers/driver.js";
import { checkConfigs } from "../drivers/frr/check.js";
import { readNamedFiles } from "../drivers/frr/files.js";
import { probeFrr } from "../drivers/frr/host.js";
import { inNode } from "../drivers/in-node.js";
import { type Runner, systemRunner } from "../drivers/runner/index.js";
import { formatProblem, type Problem, TopologyError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { convergenceExpectations } from "../plan/frr/converge.js";
import { describeLacking } from "../plan/frr/lacking-text.js";
import { frrRouters } from "../plan/frr/ports.js";
import { type FrrPlan, frrFilesNamed, planFrr } from "../plan/frr/routers.js";
import { frrNodeEnv } from "../plan/frr/services.js";
import { nodeMountFile } from "../plan/node-env.js";
import type { Logger } from "../util/logger.js";
import { type ConvergeOptions, type ConvergeResult, lookWith, waitConverged } from "./converge.js";

/**
 * The lab's FRR plan (undefined when no router runs FRR); problems mean `up` would refuse. With
 * `check: false` the configurations are not put to the host's `vtysh -C`.
 */
export async function frrForLab(
  topology: Topology,
  runner: Runner = systemRunner,
  options: { check?: boolean } = {},
): Promise<FrrPlan | undefined> {
  const routers = frrRouters(topology);
  if (routers.length === 0) return undefined;
  const [host, files] = await Promise.all([
    probeFrr(runner),
    readNamedFiles(frrFilesNamed(topology).map((f) => f.path)),
  ]);
  const plan = planFrr(topology, host, files);
  if (!host || plan.problems.length > 0 || options.check === false) return plan;
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
 * The topology with each FRR router's own directories, files and daemons (as services) added: the
 * node environment then gives every router its private /etc/frr, /run/frr and /var/tmp/frr and runs
 * its daemons under the lab's supervisor. A router that shares the host's /run cannot run FRR.
 */
export function withFrr(topology: Topology, frr: FrrPlan): Topology {
  const byNode = new Map(frr.routers.map((r) => [r.node, r]));
  const problems: Problem[] = [];
  const nodes = topology.nodes.map((n) => {
    const r = n.kind === "netns" ? byNode.get(n.name) : undefined;
    if (!r || n.kind !== "netns") return n;
    if (n.privateRun === false)
      problems.push({
        message: `router '${n.name}' runs FRR, whose sockets live in /run/frr: it needs its own /run`,
        location: n.frr?.src,
        hint: "remove privateRun: false from the router",
      });
    const env = frrNodeEnv(r, n.frr?.src);
    return {
      ...n,
      files: [...(n.files ?? []), ...env.files],
      services: [...(n.services ?? []), ...env.services],
    };
  });
  if (problems.length > 0) throw new TopologyError(problems);
  return { ...topology, nodes };
}

/**
 * `topology` as `up` would deploy and record it (FRR's files and daemons added), to compare with a
 * running lab's record; unchanged when no router runs FRR or its FRR has problems.
 */
export async function asDeployed(topology: Topology, runner: Runner = systemRunner): Promise<Topology> {
  const frr = await frrForLab(topology, runner, { check: false });
  return frr && frr.problems.length === 0 ? withFrr(topology, frr) : topology;
}

/**
 * Before `up` changes anything: FRR's problems (not installed, a file unreadable, a line its vtysh
 * refuses) refuse the lab; otherwise the topology with the routers' FRR added (withFrr), and the plan.
 */
export async function prepareFrr(
  topology: Topology,
  runner: Runner,
  log: Logger,
): Promise<{ topology: Topology; frr?: FrrPlan }> {
  const frr = await frrForLab(topology, runner);
  if (!frr) return { topology };
  for (const w of frr.warnings) log("warn", formatProblem(w));
  if (frr.problems.length > 0) throw new TopologyError(frr.problems);
  return { topology: withFrr(topology, frr), frr };
}

/**
 * The daemons each FRR router of `topology` runs, by router name: its services, once withFrr has
 * added them (the topology `up` deploys and records) — so a running lab's record says it too.
 */
export function routerDaemons(topology: Topology): Map<string, string[]> {
  return new Map(frrRouters(topology).map((n) => [n.name, (n.services ?? []).map((s) => s.name)]));
}

/** Whether routing daemons run in the lab (`topology` as recorded: FRR added). */
export function runsRouting(topology: Topology): boolean {
  return frrRouters(topology).some((n) => (n.services ?? []).length > 0);
}

/**
 * Wait until the routing of lab `topology` (FRR added, as `up` deploys and records it) has
 * converged (see plan/frr/converge.ts), saying every few seconds what is still lacking. `labfs` is
 * the lab's file system, whose mount namespaces the commands read in a router enter.
 */
export async function waitForRouting(
  topology: Topology,
  driver: Driver,
  labfs: string | undefined,
  options: ConvergeOptions & { log?: Logger } = {},
): Promise<ConvergeResult> {
  const expectations = convergenceExpectations(topology, routerDaemons(topology));
  const nodeOf = new Map(topology.nodes.map((n) => [n.kind === "netns" ? n.netns : n.name, n.name]));
  const inRouter = (netns: string, argv: readonly string[]) =>
    inNode(netns, argv, "net", labfs ? nodeMountFile(labfs, nodeOf.get(netns)!) : undefined);
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
