/** `nslab status [LAB] [--json]`: labs, nodes, interfaces, addresses, link state and health, from the kernel. */
import type { Command } from "@commander-js/extra-typings";
import Table from "cli-table3";
import pc from "picocolors";
import { status, statusAll } from "../../lab/functions.js";
import type { LabReport } from "../../lab/status.js";
import { info } from "../output.js";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description(
      "show labs as the kernel sees them now: nodes, interfaces, addresses, link state, and what is wrong with each lab or what it depends on (with the fix); labs without a record show as record-missing",
    )
    .argument("[lab]", "a lab name (default: every lab)")
    .option("--json", "machine-readable output")
    .action(async (lab, opts) => {
      const reports = lab ? [await status(lab)] : await statusAll();
      if (opts.json) {
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
      process.stdout.write(renderLab(reports[0]!));
    });
}

/** What is wrong with a lab, root causes first, each with its fix (`named`: headed by the lab's name). */
export function renderHealth(r: LabReport, named: boolean): string {
  const lines = named ? [`${r.lab}:`] : [];
  for (const p of r.health)
    lines.push(`  ${pc.red("✗")} ${p.where}: ${p.what}`, `    ${pc.dim("fix:")} ${p.fix}`);
  return lines.join("\n");
}

/** One lab, node by node. */
export function renderLab(r: LabReport): string {
  const out = [
    `lab ${r.lab}: ${r.status}, ${r.healthy ? pc.green("healthy") : pc.red("degraded")}${r.source ? ` (${r.source})` : ""}`,
  ];
  if (r.health.length > 0) out.push(renderHealth(r, false));
  if (r.objects) {
    out.push(`objects marked as its own: ${r.objects.map((o) => `${o.kind} ${o.name}`).join(", ")}`);
    return `${out.join("\n")}\n`;
  }
  const table = new Table({
    head: ["node", "kind", "interface", "state", "addresses", "mtu", "peer", "rx/tx packets"],
    style: { head: [], border: [] },
  });
  for (const n of r.nodes) {
    if (n.interfaces.length === 0)
      table.push([
        n.name,
        n.router ? "router" : n.kind,
        "",
        n.present ? "" : pc.red("ABSENT"),
        "",
        "",
        "",
        "",
      ]);
    n.interfaces.forEach((i, k) => {
      const state = !i.present ? pc.red("ABSENT") : i.up ? pc.green(i.operstate) : pc.red(i.operstate);
      table.push([
        k === 0 ? (n.present ? n.name : `${n.name} ${pc.red("(absent)")}`) : "",
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
  out.push(table.toString());
  const routes = r.nodes.filter((n) => n.routes.length > 0);
  if (routes.length > 0) {
    out.push("routes:");
    for (const n of routes)
      for (const rt of n.routes)
        out.push(`  ${n.name}: ${rt.dst}${rt.via ? ` via ${rt.via}` : ""}${rt.dev ? ` dev ${rt.dev}` : ""}`);
  }
  return `${out.join("\n")}\n`;
}
