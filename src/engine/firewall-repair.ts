/**
 * `up FILE` on a lab that is up already restores its part of the host firewall when something
 * removed it or made it insufficient: accepts missing from chains that drop (a firewall reload, a
 * `flush ruleset`, Docker started after the lab came up), the lab's own NAT tables, and the NAT
 * uplink's forwarding. Nothing is read for a lab without Linux bridges or NAT nodes.
 */
import { missingAccepts } from "../plan/firewall.js";
import type { HostFirewall } from "../plan/host-firewall.js";
import type { Op } from "../plan/ops.js";
import { type LabState, saveLab } from "../state/store.js";
import { readHostFirewall } from "./discover.js";
import { forwardingService } from "./services/forwarding.js";
import { serviceContext, type UpRun } from "./up-run.js";

/** The operations of `ops` (a plan of lab `lab`) that `fw` lacks: missing accepts and tables. */
export function missingFirewallOps(ops: readonly Op[], fw: HostFirewall, lab: string): Op[] {
  const accepts = ops.flatMap((o) => (o.op === "fw.accept" ? [o] : []));
  const missing: Op[] = [];
  const tableGone = (family: string, table: string) =>
    !fw.tables.some((t) => t.family === family && t.name === table);
  for (const o of ops) {
    if (o.op === "nft.table.add" && o.ns === null && tableGone(o.family, o.table)) missing.push(o);
    else if (o.op === "nft.chain.add" && o.ns === null && tableGone(o.family, o.table)) missing.push(o);
    else if (o.op === "nat.masquerade" && tableGone("ip", o.table)) missing.push(o);
  }
  missing.push(...missingAccepts(accepts, fw, lab));
  return missing;
}

/** Restore what is missing of the firewall part of running lab `existing`; returns the operations applied. */
export async function repairFirewall(c: UpRun, ops: readonly Op[], existing: LabState): Promise<number> {
  const needs = ops.some((o) => o.op === "fw.accept" || (o.op === "nft.table.add" && o.ns === null));
  if (!needs && !ops.some((o) => o.op === "nat.masquerade")) return 0;
  if (ops.some((o) => o.op === "nat.masquerade"))
    await forwardingService.acquire({ ...serviceContext(c), ops });
  if (!needs) return 0;
  const missing = missingFirewallOps(ops, await readHostFirewall(c.driver), c.lab);
  if (missing.length === 0) return 0;
  c.log("info", `restoring ${missing.length} missing part(s) of lab '${c.lab}' in the host firewall`);
  // The intent first: `down` then removes what this adds, even if it is interrupted.
  if (!existing.owned.some((o) => o.kind === "firewall"))
    saveLab({ ...existing, owned: [...existing.owned, { kind: "firewall", name: c.lab }] });
  const report = await c.driver.apply(missing, { mode: "stop" });
  if (report.error) throw report.error;
  return missing.length;
}
