/**
 * A lab's accept rules in the host's forward chains, worked out from its plan and the host's
 * firewall as read: one `iifname BR oifname BR accept` per lab bridge in every ip/ip6/inet chain
 * that could drop (with br_netfilter the bridge is both the input and the output device), one
 * link-group accept per bridge-family chain (those see the ports, which carry the lab's link
 * group), and for NAT nodes `transit → uplink` plus the replies back. Also the operations that
 * remove every rule and table of a lab (found by comment and name, never from a record), and which
 * of a lab's accepts are missing now. Pure.
 */
import type { FwMatch, FwOp } from "./fw-ops.js";
import { labTable } from "./fw-ops.js";
import type { DroppingChain, HostFirewall, NslabRule } from "./host-firewall.js";
import { linkGroupFor, markerFor, type Op, type OpOf } from "./ops.js";

/** The accepts the lab of `ops` needs in `fw`'s dropping chains (none when nothing drops). */
export function acceptOps(ops: readonly Op[], lab: string, fw: HostFirewall): OpOf<"fw.accept">[] {
  const bridges = ops.flatMap((o) => (o.op === "bridge.add" ? [o] : []));
  const nats = ops.flatMap((o) => (o.op === "nat.masquerade" ? [o] : []));
  if (bridges.length === 0 && nats.length === 0) return [];
  const comment = markerFor(lab);
  const out: OpOf<"fw.accept">[] = [];
  const add = (c: DroppingChain, match: FwMatch, src: Op["src"]) =>
    out.push({
      op: "fw.accept",
      backend: c.backend,
      family: c.family,
      table: c.table,
      chain: c.chain,
      match,
      comment,
      ...(src ? { src } : {}),
    });
  for (const c of fw.chains) {
    if (c.family === "bridge") {
      if (c.backend === "nft" && bridges.length > 0)
        add(c, { kind: "group", group: linkGroupFor(lab) }, undefined);
      continue;
    }
    for (const b of bridges) add(c, { kind: "bridge", dev: b.dev }, b.src);
    if (c.family === "ip6") continue; // NAT is IPv4
    for (const n of nats) {
      add(c, { kind: "route", iif: n.transit, oif: n.uplink, replies: false }, n.src);
      add(c, { kind: "route", iif: n.uplink, oif: n.transit, replies: true }, n.src);
    }
  }
  return out;
}

/** Whether `rule` is the accept `op` asks for. */
export function isRuleFor(rule: NslabRule, op: OpOf<"fw.accept">, lab: string): boolean {
  return (
    rule.lab === lab &&
    rule.backend === op.backend &&
    rule.family === op.family &&
    rule.table === op.table &&
    rule.chain === op.chain &&
    rule.match !== undefined &&
    JSON.stringify(rule.match) === JSON.stringify(op.match)
  );
}

/** The accepts of `wanted` that the host's chains do not hold now. */
export function missingAccepts(
  wanted: readonly OpOf<"fw.accept">[],
  fw: HostFirewall,
  lab: string,
): OpOf<"fw.accept">[] {
  return wanted.filter((op) => !fw.rules.some((r) => isRuleFor(r, op, lab)));
}

/**
 * Everything of lab `lab` in the host's firewall, as the operations that remove it: its rules in
 * other tables' chains (by handle, or by the exact spec iptables-save printed) and its own tables.
 */
export function labFirewallRemoval(lab: string, fw: HostFirewall): FwOp[] {
  const comment = markerFor(lab);
  const out: FwOp[] = [];
  for (const r of fw.rules) {
    if (r.lab !== lab) continue;
    out.push({
      op: "fw.delete",
      backend: r.backend,
      family: r.family,
      table: r.table,
      chain: r.chain,
      // Only shown when neither the handle nor the spec is known (they always are, from a scan).
      match: r.match ?? { kind: "bridge", dev: "?" },
      comment,
      ...(r.handle !== undefined ? { handle: r.handle } : {}),
      ...(r.spec ? { spec: r.spec } : {}),
    });
  }
  for (const t of fw.tables)
    if (t.name === labTable(lab))
      out.push({ op: "nft.table.del", ns: null, family: t.family, table: t.name });
  return out;
}

/** Labs that have rules or tables in the host's firewall. */
export function labsInFirewall(fw: HostFirewall): string[] {
  const labs = new Set(fw.rules.map((r) => r.lab));
  for (const t of fw.tables) if (t.name.startsWith("nslab-")) labs.add(t.name.slice(6));
  return [...labs].sort();
}

/** A line for people: `ip filter FORWARD (policy drop, via DOCKER-USER)`. */
export function describeChain(c: DroppingChain): string {
  const via = c.chain !== c.base ? `, nslab's rules in ${c.chain}` : "";
  return `${c.backend} ${c.family} ${c.table} ${c.base} (${c.why === "policy" ? `policy ${c.policy}` : "a drop/reject rule"}${via})`;
}
