/**
 * The FRR part of `nslab plan`: for each router, how its daemons start (in the router, with its own
 * /etc/frr and /var/run/frr) and the configuration it gets — nslab's, in full, or the user's file
 * by name — as comment lines after the script's operations. Pure.
 */
import { formatArgv } from "../../util/quote.js";
import type { FrrPlan } from "./routers.js";

/** Comment lines (without `#`) for the routers of `frr`; empty when there are none. */
export function frrPlanNotes(frr: FrrPlan | undefined): string[] {
  if (!frr || frr.routers.length === 0) return [];
  const out: string[] = [
    "FRR, started by `nslab up` once the links and addresses are in place: in each router, with its",
    "own /etc/frr (these files) and /var/run/frr; every daemon in the foreground, zebra first.",
  ];
  for (const r of frr.routers) {
    const what =
      r.config.kind === "file"
        ? `its own configuration ${r.config.path}, loaded with vtysh -b once the daemons run`
        : r.config.routing === "none"
          ? "no routing configured (only its hostname; configure it with vtysh)"
          : `routing: ${r.config.routing}, configuration written by nslab`;
    out.push("", `router ${r.node} (${what}):`);
    for (const d of r.daemons) out.push(`  ${formatArgv(d.argv)}`);
    if (r.config.kind === "generated") {
      const conf = r.files.find((f) => f.name === "frr.conf")?.content ?? "";
      out.push(
        `  /etc/frr/frr.conf:`,
        ...conf
          .trimEnd()
          .split("\n")
          .map((l) => `    ${l}`),
      );
    }
  }
  return out;
}
