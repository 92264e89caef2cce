/**
 * `nslab status LAB` of a lab too big to list node by node: its health (capped), counts of nodes
 * and interfaces by state, then the unhealthy nodes (those a problem names, or with an interface
 * missing or down; of each, its interfaces with a problem) in the usual table (capped); `--all`
 * prints every node instead. Pure: a report in, text out.
 */
import type { InterfaceReport, LabReport, NodeReport } from "../../lab/status.js";
import { out as pc } from "../colour.js";

/** Labs with more nodes than this are summarised unless `--all` is given. */
export const SUMMARY_OVER = 50;
/** At most this many problems and unhealthy nodes are listed in a summary. */
export const SUMMARY_LIMIT = 20;

/** Whether interface `i` is well: present, attached, up, and named in no problem of its node. */
function ifaceHealthy(i: InterfaceReport, problems: readonly string[] | undefined): boolean {
  return i.present && i.up && !problems?.some((where) => where.endsWith(`, interface ${i.name}`));
}

/** Whether node `n` is well: present, its interfaces well, and no problem names it. */
function nodeHealthy(n: NodeReport, problems: readonly string[] | undefined): boolean {
  return n.present && !problems && n.interfaces.every((i) => ifaceHealthy(i, undefined));
}

/** The places of a lab's problems by node (`where` is "node N" or "node N, interface I"). */
function problemsByNode(r: LabReport): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of r.health) {
    const name = /^node ([^,]+)/.exec(p.where)?.[1];
    if (name !== undefined) m.set(name, [...(m.get(name) ?? []), p.where]);
  }
  return m;
}

/**
 * The summary of a big lab. `nodeTable` renders the given nodes as `status` always does;
 * `healthLines` the given problems.
 */
export function renderLabSummary(
  r: LabReport,
  nodeTable: (nodes: readonly NodeReport[]) => string,
  healthLines: (problems: LabReport["health"]) => string,
): string {
  const out = [
    `lab ${r.lab}: ${r.status}, ${r.healthy ? pc.green("healthy") : pc.red("degraded")}${r.source ? ` (${r.source})` : ""}`,
  ];
  if (r.health.length > 0) {
    out.push(healthLines(r.health.slice(0, SUMMARY_LIMIT)));
    const more = r.health.length - SUMMARY_LIMIT;
    if (more > 0) out.push(`  … and ${more} more problem${more === 1 ? "" : "s"}`);
  }
  const kinds = new Map<string, number>();
  let absent = 0;
  let ifaces = 0;
  const ifaceStates = new Map<string, number>();
  const unhealthy: NodeReport[] = [];
  const problems = problemsByNode(r);
  for (const n of r.nodes) {
    const kind = n.router ? "router" : n.kind;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (!n.present) absent++;
    for (const i of n.interfaces) {
      ifaces++;
      const state = !i.present ? "ABSENT" : i.up ? "UP" : i.operstate;
      ifaceStates.set(state, (ifaceStates.get(state) ?? 0) + 1);
    }
    if (!nodeHealthy(n, problems.get(n.name))) unhealthy.push(n);
  }
  const counts = (m: Map<string, number>) => [...m].map(([k, v]) => `${v} ${k}`).join(", ");
  out.push(
    `nodes: ${r.nodes.length} (${counts(kinds)})${absent > 0 ? `, ${pc.red(`${absent} absent`)}` : ""}`,
    `interfaces: ${ifaces} (${[...ifaceStates]
      .map(([k, v]) => (k === "UP" ? pc.green(`${v} up`) : pc.red(`${v} ${k}`)))
      .join(", ")})`,
  );
  if (unhealthy.length > 0) {
    // Of each unhealthy node, only the interfaces with a problem (a bridge may have hundreds).
    const shown = unhealthy.slice(0, SUMMARY_LIMIT).map((n) => {
      const bad = n.interfaces.filter((i) => !ifaceHealthy(i, problems.get(n.name)));
      return bad.length > 0 ? { ...n, interfaces: bad } : n;
    });
    out.push(`unhealthy nodes (${unhealthy.length}):`, nodeTable(shown));
    const more = unhealthy.length - SUMMARY_LIMIT;
    if (more > 0) out.push(`… and ${more} more unhealthy node${more === 1 ? "" : "s"}`);
  }
  const routes = r.nodes.reduce((sum, n) => sum + n.routes.length, 0);
  if (routes > 0) out.push(`routes: ${routes} in ${r.nodes.filter((n) => n.routes.length > 0).length} nodes`);
  if (r.services && r.services.length > 0) {
    const running = r.services.filter((s) => s.state === "running").length;
    out.push(`services: ${r.services.length} (${running} running)`);
  }
  out.push(pc.dim(`every node, interface and route: nslab status ${r.lab} --all (or --json)`));
  return `${out.join("\n")}\n`;
}
