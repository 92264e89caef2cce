/** `nslab flows LAB [BRIDGE] [--json]`: the flow tables of a lab's OVS bridges, with counters and controllers. */
import type { Command } from "@commander-js/extra-typings";
import pc from "picocolors";
import type { BridgeFlows } from "../../lab/flows.js";
import { flows } from "../../lab/functions.js";
import { info } from "../output.js";
import { Table } from "../table.js";

export function registerFlows(program: Command): void {
  program
    .command("flows")
    .description("show the flows installed on a lab's Open vSwitch bridges, with packet counters")
    .argument("<lab>", "lab name")
    .argument("[bridge]", "one OVS bridge (its node name; default: every OVS bridge of the lab)")
    .option("--json", "machine-readable output")
    .action(async (lab, bridge, opts) => {
      const tables = await flows(lab, bridge);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(tables, null, 2)}\n`);
        return;
      }
      if (tables.length === 0) {
        info(`lab '${lab}' has no Open vSwitch bridges`);
        return;
      }
      process.stdout.write(tables.map(renderFlows).join("\n"));
    });
}

/** One bridge: what drives it, then its flows, highest priority first. */
export function renderFlows(b: BridgeFlows): string {
  const controllers =
    b.controllers.length === 0
      ? "no controller"
      : b.controllers
          .map((c) => `${c.target} ${c.connected ? pc.green("connected") : pc.red("not connected")}`)
          .join(", ");
  const head = [
    `${b.bridge}${b.ovsName !== b.bridge ? ` (${b.ovsName})` : ""}:`,
    b.dpid ? `dpid ${b.dpid},` : "",
    `${b.failMode},`,
    b.protocols.length > 0 ? `${b.protocols.join(",")},` : "",
    controllers,
  ]
    .filter(Boolean)
    .join(" ");
  const table = new Table({
    head: ["table", "priority", "packets", "bytes", "match", "actions"],
    style: { head: [], border: [] },
  });
  const sorted = [...b.flows].sort((x, y) => x.table - y.table || y.priority - x.priority);
  for (const f of sorted)
    table.push([
      String(f.table),
      String(f.priority),
      String(f.packets),
      String(f.bytes),
      f.match || pc.dim("(any)"),
      f.actions,
    ]);
  const count = `${b.flows.length} flow${b.flows.length === 1 ? "" : "s"}${b.declared > 0 ? ` (${b.declared} declared in the topology)` : ""}`;
  return `${head}\n${b.flows.length > 0 ? `${table.toString()}\n` : ""}${pc.dim(count)}\n`;
}
