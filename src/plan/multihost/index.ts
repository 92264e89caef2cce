/**
 * Planning a lab that spreads over several machines: which machines take part, the tunnels
 * between them, each machine's part (an ordinary lab), and the summary `nslab plan` prints above
 * each machine's commands. Pure: the machines' facts come in as data.
 */
import type { Host, Topology } from "../../model/types.js";
import type { MachineFacts } from "./facts.js";
import { partFor, usedHosts } from "./split.js";
import { planTunnels, type Tunnel } from "./tunnels.js";

export { ASSUMED_UNDERLAY_MTU, type MachineFacts, type UnderlayPath } from "./facts.js";
export { partFor, usedHosts } from "./split.js";
export { planTunnels, type Tunnel, type TunnelPlan, type TunnelSide, vniBase } from "./tunnels.js";

/** A multi-machine lab, planned. */
export interface MultiPlan {
  /** The machines that get nodes, in the order of `hosts:`. */
  hosts: Host[];
  /** Machines of `hosts:` that get no node (not contacted). */
  idle: string[];
  tunnels: Tunnel[];
  /** Each machine's part, by host name. */
  parts: Map<string, Topology>;
  errors: string[];
  warnings: string[];
}

/** Plan `t` (every node placed) over its machines, from what they told (`facts`, by host name). */
export function planMultiHost(t: Topology, facts: ReadonlyMap<string, MachineFacts>): MultiPlan {
  const hosts = usedHosts(t);
  const idle = (t.hosts ?? []).filter((h) => !hosts.includes(h)).map((h) => h.name);
  const { tunnels, mtus, errors, warnings } = planTunnels(t, facts);
  const seen = new Map<string, string>();
  for (const h of hosts) {
    const f = facts.get(h.name);
    if (!f) continue;
    const twin = seen.get(f.identity);
    if (twin)
      errors.push(
        `hosts ${twin} and ${h.name} are the same machine (same machine id and network namespace): a machine can be named once`,
      );
    else seen.set(f.identity, h.name);
  }
  const parts = new Map(hosts.map((h) => [h.name, partFor(t, h.name, tunnels, mtus)]));
  return { hosts, idle, tunnels, parts, errors, warnings };
}

/** The lines `nslab plan` prints first: machines with their nodes, the tunnels, what to know. */
export function describeMultiPlan(t: Topology, plan: MultiPlan): string[] {
  const out = [
    `lab '${t.name}' spreads over ${plan.hosts.length} machine${plan.hosts.length === 1 ? "" : "s"}:`,
  ];
  for (const h of plan.hosts) {
    const names = t.nodes.filter((n) => n.host === h.name).map((n) => n.name);
    const shown =
      names.length > 12 ? `${names.slice(0, 12).join(", ")}, … (${names.length} nodes)` : names.join(", ");
    out.push(`  ${h.name} (${h.ssh}, underlay ${h.underlay}): ${shown}`);
  }
  for (const name of plan.idle) out.push(`  ${name}: no nodes (not contacted)`);
  if (plan.tunnels.length > 0) {
    out.push(
      `links between machines: ${plan.tunnels.length} VXLAN tunnel${plan.tunnels.length === 1 ? "" : "s"}, UDP port ${plan.tunnels[0]!.port}`,
    );
    const shown = plan.tunnels.slice(0, 50);
    for (const x of shown) {
      const end = (s: Tunnel["a"]) =>
        `${s.end.node}:${s.end.iface} (${s.host}${s.dev ? ` via ${s.dev}` : ""})`;
      out.push(
        `  ${end(x.a)} <-> ${end(x.b)}: VNI ${x.vni}, inner MTU ${x.mtu} (underlay ${x.a.underlayMtu}/${x.b.underlayMtu} - ${x.family === 6 ? 70 : 50})`,
      );
    }
    if (plan.tunnels.length > shown.length) out.push(`  … and ${plan.tunnels.length - shown.length} more`);
  } else out.push("no link crosses machines");
  return out;
}
