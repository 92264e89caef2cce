/** `nslab status [LAB] [--json]`: labs, nodes, interfaces, addresses, link state and health, from the kernel. */
import type { Command } from "@commander-js/extra-typings";
import { status, statusAll } from "../../lab/functions.js";
import { serviceState } from "../../lab/service-state.js";
import type { LabReport, NodeReport } from "../../lab/status.js";
import { out as pc } from "../colour.js";
import { info } from "../output.js";
import { Table } from "../table.js";
import { formatOption, labOf, resolveTarget, topologyFileOption, wantsJson } from "../target.js";
import { renderLabSummary, SUMMARY_OVER } from "./status-summary.js";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description(
      "show labs as the kernel sees them now: nodes, interfaces, addresses, link state, and what is wrong with each lab or what it depends on (with the fix); labs without a record show as record-missing",
    )
    .argument("[lab]", "a lab name or its topology file (default: every lab)")
    .addOption(topologyFileOption())
    .option(
      "-a, --all",
      `every lab (the default without a lab); with a lab: every node, even of a lab of more than ${SUMMARY_OVER} nodes (those are summarised, unhealthy parts first)`,
    )
    .option("--json", "machine-readable output")
    .addOption(formatOption())
    .action(async (arg, opts) => {
      const given = arg ?? opts.topology;
      const lab = given === undefined ? undefined : labOf(await resolveTarget(given));
      const reports = lab ? [await status(lab)] : await statusAll();
      if (wantsJson(opts)) {
        process.stdout.write(`${JSON.stringify(lab ? reports[0] : reports, null, 2)}\n`);
        return;
      }
      if (reports.length === 0) {
        info("no labs are up (start one with: nslab up FILE)");
        return;
      }
      if (!lab) {
        const table = new Table({
          head: ["lab", "status", "nodes", "health", "source"],
          style: { head: [], border: [] },
        });
        for (const r of reports)
          table.push([
            r.lab,
            r.status === "record-missing" ? pc.red(r.status) : r.status,
            String(r.objects ? r.objects.length : r.nodes.length),
            r.healthy
              ? pc.green("ok")
              : pc.red(`${r.health.length} problem${r.health.length === 1 ? "" : "s"}`),
            r.source ?? "",
          ]);
        const problems = reports.filter((r) => r.health.length > 0).map((r) => renderHealth(r, true));
        process.stdout.write(`${[table.toString(), ...problems].join("\n")}\n`);
        return;
      }
      process.stdout.write(renderLab(reports[0]!, opts.all === true));
    });
}

/** What is wrong with a lab, root causes first, each with its fix (`named`: headed by the lab's name). */
export function renderHealth(r: LabReport, named: boolean): string {
  return [...(named ? [`${r.lab}:`] : []), healthLines(r.health)].join("\n");
}

function healthLines(problems: LabReport["health"]): string {
  return problems
    .map((p) => `  ${pc.red("✗")} ${p.where}: ${p.what}\n    ${pc.dim("fix:")} ${p.fix}`)
    .join("\n");
}

/** One lab, node by node (`all`), or summarised when it has more than {@link SUMMARY_OVER} nodes. */
export function renderLab(r: LabReport, all = false): string {
  if (!all && !r.objects && r.nodes.length > SUMMARY_OVER) return renderLabSummary(r, nodeTable, healthLines);
  const out = [
    `lab ${r.lab}: ${r.status}, ${r.healthy ? pc.green("healthy") : pc.red("degraded")}${r.source ? ` (${r.source})` : ""}`,
  ];
  if (r.hosts)
    out.push(
      `machines: ${r.hosts
        .map(
          (h) =>
            `${h.name} (${h.ssh}) ${h.reachable ? (h.healthy ? pc.green("ok") : pc.red("degraded")) : pc.red("unreachable")}`,
        )
        .join(", ")}`,
    );
  if (r.health.length > 0) out.push(renderHealth(r, false));
  if (r.objects) {
    out.push(`objects marked as its own: ${r.objects.map((o) => `${o.kind} ${o.name}`).join(", ")}`);
    return `${out.join("\n")}\n`;
  }
  out.push(nodeTable(r.nodes));
  const openflow = r.nodes.filter((n) => n.openflow);
  if (openflow.length > 0) {
    out.push("openflow:");
    for (const n of openflow) {
      const of = n.openflow!;
      const controllers =
        of.controllers.length === 0
          ? "no controller"
          : of.controllers
              .map((c) => `${c.target} ${c.connected ? pc.green("connected") : pc.red("not connected")}`)
              .join(", ");
      out.push(
        `  ${n.name}: ${[of.dpid ? `dpid ${of.dpid}` : "", of.failMode, of.protocols.join(","), controllers].filter(Boolean).join(", ")}`,
      );
    }
  }
  const routes = r.nodes.filter((n) => n.routes.length > 0);
  if (routes.length > 0) {
    out.push("routes:");
    for (const n of routes)
      for (const rt of n.routes)
        out.push(`  ${n.name}: ${rt.dst}${rt.via ? ` via ${rt.via}` : ""}${rt.dev ? ` dev ${rt.dev}` : ""}`);
  }
  if (r.services && r.services.length > 0) {
    out.push("services:");
    for (const s of r.services) {
      const st = serviceState(s);
      const text = st.ok ? (st.condition === "running" ? pc.green(st.text) : st.text) : pc.red(st.text);
      out.push(`  ${s.id}: ${text}${s.since ? ` since ${s.since}` : ""}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** Nodes as a table: one row per interface (a node without any gets one). */
function nodeTable(nodes: readonly NodeReport[]): string {
  const table = new Table({
    head: ["node", "kind", "interface", "state", "addresses", "mtu", "peer", "rx/tx packets"],
    style: { head: [], border: [] },
  });
  for (const n of nodes) {
    if (n.interfaces.length === 0)
      table.push([
        n.host !== undefined ? `${n.name} @${n.host}` : n.name,
        n.router ? "router" : n.kind,
        "",
        n.observed === false
          ? pc.red("NOT OBSERVED (machine unreachable)")
          : n.present
            ? ""
            : pc.red("ABSENT"),
        "",
        "",
        "",
        "",
      ]);
    n.interfaces.forEach((i, k) => {
      const state = !i.present ? pc.red("ABSENT") : i.up ? pc.green(i.operstate) : pc.red(i.operstate);
      table.push([
        k === 0
          ? `${n.name}${n.host !== undefined ? ` @${n.host}` : ""}${n.present ? "" : ` ${pc.red("(absent)")}`}`
          : "",
        k === 0 ? (n.router ? "router" : n.kind) : "",
        i.name,
        state,
        i.addresses
          .filter((a) => !a.startsWith("fe80:"))
          .map((a) => (i.autoAddresses?.includes(a) ? `${a} ${pc.dim("(auto)")}` : a))
          .join("\n"),
        i.mtu !== undefined ? String(i.mtu) : "",
        i.peer ?? "",
        i.stats ? `${i.stats.rxPackets}/${i.stats.txPackets}` : "",
      ]);
    });
  }
  return table.toString();
}
