/**
 * `plan` of a lab spread over several machines: the machines are probed as `up` would probe them
 * (nothing is changed), the tunnels are planned (VNIs, inner MTUs, MTUs that cannot fit), and each
 * machine plans its own part with its own facts. A machine that cannot be reached is said, and its
 * part is planned here with what can be assumed.
 */
import { NslabError } from "../../errors.js";
import type { Topology } from "../../model/types.js";
import type { MachineFacts } from "../../plan/multihost/facts.js";
import { describeMultiPlan, type MultiPlan, planMultiHost, usedHosts } from "../../plan/multihost/index.js";
import type { CommonOptions } from "../options.js";
import { planLab } from "../plan.js";
import { Machines, sshSettings } from "./machines.js";
import { factProblems, probeMachines } from "./probe.js";
import { targetOf } from "./up.js";

/** One machine's part of the plan. */
export interface HostPlan {
  host: string;
  ssh: string;
  /** The machine answered (otherwise its part was planned here, with assumptions). */
  reached: boolean;
  /** Its commands, as the shell script `nslab plan` prints for a lab on one machine. */
  shell: string;
  operations: number;
  limits: { errors: { message: string; hint: string }[]; warnings: { message: string; hint: string }[] };
}

/** A multi-machine lab, planned. */
export interface MultiLabPlan {
  lab: string;
  plan: MultiPlan;
  hosts: HostPlan[];
  /** The summary lines (machines, tunnels) printed above the machines' scripts. */
  summary: string[];
  /** What would stop `up` (versions, underlay, VNIs in use). */
  errors: string[];
  warnings: string[];
}

/** Plan `t` over its machines (see the module). */
export async function planMulti(t: Topology, options: CommonOptions = {}): Promise<MultiLabPlan> {
  if (!t.hosts) throw new NslabError("E_USAGE", `lab '${t.name}' does not spread over machines`);
  const hosts = usedHosts(t);
  const machines = new Machines(hosts.map(targetOf), sshSettings(t.sshConfig), {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const probed = await probeMachines(t, hosts, machines);
    const facts = new Map<string, MachineFacts>();
    const warnings: string[] = [];
    for (const [h, o] of probed)
      if (o.ok) facts.set(h, o.value);
      else warnings.push(`${o.error.message} — its part is planned here, with assumptions`);
    const plan = planMultiHost(t, facts);
    const errors = [...factProblems(t, facts), ...plan.errors];
    warnings.push(...plan.warnings);
    const parts = await machines.each(
      (s, h) =>
        s.request<Omit<HostPlan, "host" | "ssh" | "reached">>("plan", { topology: plan.parts.get(h)! }),
      [...facts.keys()],
    );
    const out: HostPlan[] = hosts.map((h) => {
      const remote = parts.get(h.name);
      if (remote?.ok) return { host: h.name, ssh: h.ssh, reached: true, ...remote.value };
      if (remote && !remote.ok) warnings.push(remote.error.message);
      const local = planLab(plan.parts.get(h.name)!, { ovsKernelDatapath: false });
      return {
        host: h.name,
        ssh: h.ssh,
        reached: false,
        shell: local.toShell(),
        operations: local.operations.length,
        limits: local.limits,
      };
    });
    return { lab: t.name, plan, hosts: out, summary: describeMultiPlan(t, plan), errors, warnings };
  } finally {
    await machines.close();
  }
}
