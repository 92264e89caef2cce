/**
 * `status` of a lab spread over several machines, from the machine that brought it up: every
 * machine observes its own part at once (`nslab remote`, request `status`), and the answers are
 * merged into one report of the whole lab — nodes in the file's order, each machine's problems
 * named with the machine. A machine that cannot be reached is a problem of the report (named, with
 * what to do); its nodes are listed as not observed, and the other machines' parts are reported.
 */

import type { HealthProblem } from "../../engine/health-types.js";
import type { CommonOptions } from "../../engine/options.js";
import type { LabReport, NodeReport } from "../report.js";
import { askMachines, unreachableFix, upMultiRecord } from "./lab.js";

/** Observe multi-machine lab `lab` on every machine (see the module). */
export async function statusMulti(
  lab: string,
  options: Pick<CommonOptions, "runner" | "log"> = {},
): Promise<LabReport> {
  const state = upMultiRecord(lab);
  const answers = await askMachines(
    state,
    options,
    state.hosts.map((h) => h.name),
    (s) => s.request<LabReport>("status", { lab }, { timeoutMs: 120_000 }),
  );
  const health: HealthProblem[] = [];
  const observed = new Map<string, NodeReport>();
  const machines: NonNullable<LabReport["hosts"]> = [];
  for (const h of state.hosts) {
    const o = answers.get(h.name)!;
    if (!o.ok) {
      machines.push({ name: h.name, ssh: h.ssh, reachable: false, error: o.error.message });
      health.push({
        where: `host ${h.name} (${h.ssh})`,
        what: o.error.message,
        fix: unreachableFix(lab, h),
        check: "remote",
      });
      continue;
    }
    const r = o.value;
    machines.push({ name: h.name, ssh: h.ssh, reachable: true, status: r.status, healthy: r.healthy });
    for (const p of r.health) health.push({ ...p, where: `host ${h.name}: ${p.where}` });
    for (const n of r.nodes) observed.set(n.name, { ...n, host: h.name });
  }
  // Every node in the file's order; a node whose machine did not answer is listed as not observed.
  const nodes = state.topology.nodes.map(
    (n): NodeReport =>
      observed.get(n.name) ?? {
        name: n.name,
        kind: n.kind,
        kernelName: n.kind === "netns" ? n.netns : n.ifname,
        present: false,
        owned: false,
        interfaces: [],
        routes: [],
        ...(n.host !== undefined ? { host: n.host } : {}),
        observed: false,
      },
  );
  return {
    lab,
    status: "up",
    ...(state.topology.file !== undefined ? { source: state.topology.file } : {}),
    createdAt: state.createdAt,
    healthy: health.length === 0,
    health,
    nodes,
    hosts: machines,
  };
}
