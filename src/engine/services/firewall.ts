/**
 * The host firewall as a service labs share: the forward chains of the host (iptables-nft, native
 * nftables, iptables-legacy) through which, with br_netfilter active, frames crossing a lab's Linux
 * bridge pass. Labs do not own those chains; each lab owns its accept rules in them (plan ops
 * `fw.accept`, comment `nslab:LAB`), inserted by its plan and removed by comment with its other
 * objects (teardown: down, rollback, recovery after kill -9, `down --all` without records). This
 * service says what the host does to lab traffic (doctor), warns at `up` about dropping chains nslab
 * cannot edit, and checks a running lab's accepts (status: missing after a firewall reload).
 */
import { isRoot } from "../../drivers/host/facts.js";
import { brNetfilter, chainLines, readFirewall } from "../../drivers/host/firewall.js";
import { systemRunner } from "../../drivers/runner/index.js";
import { natNodes } from "../../model/nat.js";
import { describeChain, labsInFirewall } from "../../plan/firewall.js";
import type { FwMatch } from "../../plan/fw-ops.js";
import { labLinuxBridges } from "../../plan/host.js";
import type { DroppingChain, HostFirewall } from "../../plan/host-firewall.js";
import type { Op } from "../../plan/ops.js";
import type { LabState } from "../../state/store.js";
import { nftTablesBy } from "../discover.js";
import type { HealthProblem, LabHealthContext } from "../health-types.js";
import type { HostService, ServiceHealth } from "./service.js";

/** Whether a plan puts anything into the host's firewall. */
function touchesFirewall(ops: readonly Op[]): boolean {
  return ops.some((o) => o.op === "fw.accept" || (o.op === "nft.table.add" && o.ns === null));
}

/** br_netfilter's state, in words. */
function bridgeNetfilter(fw: HostFirewall): string {
  const b = fw.brNetfilter;
  if (!b)
    return "br_netfilter is not loaded: bridged frames do not pass the host's IP hooks (Docker loads it when it starts)";
  if (!b.iptables && !b.ip6tables)
    return "br_netfilter is loaded but off (bridge-nf-call-iptables=0, -ip6tables=0)";
  return `br_netfilter is active (bridge-nf-call-iptables=${Number(b.iptables)}, -ip6tables=${Number(b.ip6tables)}): frames crossing nslab's Linux bridges pass the host's forward chains (OVS bridges do not)`;
}

/** The doctor line: what the host's forward path does to lab traffic, and what nslab does about it. */
export function firewallHealth(fw: HostFirewall): ServiceHealth {
  const parts = [bridgeNetfilter(fw)];
  if (fw.chains.length > 0)
    parts.push(
      `forward chains that can drop lab traffic: ${chainLines(fw.chains).join("; ")}; nslab inserts an accept per lab bridge (comment nslab:LAB) into each while the lab is up, and nothing else`,
    );
  else parts.push("no forward chain drops: nslab adds no rules");
  if (fw.uneditable.length > 0)
    parts.push(
      `chains nslab leaves alone: ${fw.uneditable.map((c) => `${c.backend} ${c.family} ${c.table} ${c.chain} (${c.reason})`).join("; ")}`,
    );
  const labs = labsInFirewall(fw);
  if (labs.length > 0) parts.push(`rules of labs: ${labs.join(", ")}`);
  parts.push(...fw.read.notes);
  const blocked = fw.uneditable.length > 0 && fw.brNetfilter?.iptables;
  return {
    name: "host firewall",
    status: blocked || fw.read.notes.length > 0 ? "warn" : "ok",
    detail: parts.join(". "),
    ...(blocked ? { fix: "let the lab bridges through those chains yourself (e.g. a trusted zone)" } : {}),
  };
}

export const firewallService: HostService = {
  name: "host firewall",

  neededBy: touchesFirewall,

  // Labs with rules, and labs with Linux bridges (a firewall may start dropping after they came up).
  heldBy: (record: LabState) =>
    record.owned.some((o) => o.kind === "firewall") || labLinuxBridges(record.topology).length > 0,

  neededToRemove: () => false,

  /** Nothing runs; the plan inserts the lab's own rules. Says what they do and cannot do. */
  async acquire(ctx) {
    const accepts = (ctx.ops ?? []).flatMap((o) => (o.op === "fw.accept" ? [o] : []));
    const chains = [...new Set(accepts.map((o) => `${o.backend} ${o.family} ${o.table} ${o.chain}`))];
    if (chains.length > 0)
      ctx.log(
        "info",
        `host firewall drops forwarded traffic: accepting lab '${ctx.lab}' in ${chains.join(", ")}`,
      );
    return { started: false };
  },

  unused: () => true,

  /** The lab's rules are its own objects (removed with it); the host's chains are never nslab's to change. */
  async release() {},

  async health() {
    if (!isRoot()) return undefined;
    return firewallHealth(await readFirewall(systemRunner, { ownRules: false }));
  },

  /** A running lab's accepts, where br_netfilter sends its bridged frames through dropping chains. */
  async checkLab(ctx: LabHealthContext): Promise<HealthProblem[]> {
    const lab = ctx.record;
    if (!isRoot()) return [];
    // Bridged frames meet the forward chains only with br_netfilter; NAT's routed flows always do.
    const bridges = brNetfilter()?.iptables ? labLinuxBridges(lab.topology) : [];
    const nats = natNodes(lab.topology).flatMap((n) => {
      const uplink = lab.natUplinks?.[n.name];
      return uplink ? [{ node: n.name, transit: n.nat.rootIfname, uplink }] : [];
    });
    if (bridges.length === 0 && nats.length === 0) return [];
    // The agent tells whether nftables has any table at all first (no `nft` process on a host
    // without one, where `status` of a big lab would start it beside the agents reading).
    const fw = await readFirewall(ctx.driver.runner, { ownRules: true, nftTables: nftTablesBy(ctx.driver) });
    const has = (c: DroppingChain, match: FwMatch) =>
      fw.rules.some(
        (r) =>
          r.lab === lab.lab &&
          r.family === c.family &&
          r.table === c.table &&
          r.chain === c.chain &&
          JSON.stringify(r.match) === JSON.stringify(match),
      );
    return fw.chains
      .filter((c) => c.family !== "bridge")
      .flatMap((c) => {
        const open = bridges.filter((b) => !has(c, { kind: "bridge", dev: b }));
        const natOpen =
          c.family === "ip6"
            ? []
            : nats.filter(
                (n) =>
                  !has(c, { kind: "route", iif: n.transit, oif: n.uplink, replies: false }) ||
                  !has(c, { kind: "route", iif: n.uplink, oif: n.transit, replies: true }),
              );
        return [
          ...(open.length === 0
            ? []
            : [
                {
                  what: `the host firewall drops this lab's bridged traffic: ${describeChain(c)} has no nslab accept for ${open.join(", ")}`,
                  where: `bridge ${open.join(", ")}`,
                  fix: ctx.repair,
                  check: "host firewall",
                },
              ]),
          ...natOpen.map((n) => ({
            what: `the host firewall drops this lab's NAT traffic: ${describeChain(c)} has no nslab accepts for ${n.transit} → ${n.uplink} and the replies`,
            where: `NAT node ${n.node}`,
            fix: ctx.repair,
            check: "host firewall",
          })),
        ];
      });
  },
};
