/** `nslab status [LAB] [--json]`: labs, nodes, interfaces, addresses and link state, from the kernel. */
import type { Command } from "@commander-js/extra-typings";
import Table from "cli-table3";
import pc from "picocolors";
import { status, statusAll } from "../../lab/functions.js";
import type { LabReport } from "../../lab/status.js";
import { info } from "../output.js";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show labs as the kernel sees them now: nodes, interfaces, addresses, link state")
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
            r.status,
            String(r.nodes.length),
            r.healthy ? pc.green("ok") : pc.red("degraded"),
            r.source ?? "",
          ]);
        process.stdout.write(`${table.toString()}\n`);
        return;
      }
      process.stdout.write(renderLab(reports[0]!));
    });
}

/** One lab, node by node. */
export function renderLab(r: LabReport): string {
  const out = [
    `lab ${r.lab}: ${r.status}, ${r.healthy ? pc.green("healthy") : pc.red("degraded")}${r.source ? ` (${r.source})` : ""}`,
  ];
  for (const h of r.host ?? [])
    out.push(pc.yellow(`${h.name}: ${h.detail}${h.fix ? `; fix: ${h.fix}` : ""}`));
  if (r.problem) out.push(pc.yellow(`problem: ${r.problem.message}; fix: ${r.problem.fix}`));
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
