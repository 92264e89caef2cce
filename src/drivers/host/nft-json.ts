/**
 * Reading `nft -j list ruleset` for what concerns labs: every forward base chain (families ip,
 * ip6, inet, bridge) that can drop — by its policy, or by a drop/reject verdict in it or in any
 * chain it reaches by jump, goto or verdict map — with the tool that owns its table (iptables-nft
 * owns the tables holding xtables expressions and `ip`/`ip6` `filter` with upper-case built-in
 * chains; ebtables-nft owns `bridge filter FORWARD`); nslab's own rules (comment `nslab:LAB`) and
 * tables (`nslab-LAB`). Pure.
 */
import type { FwBackend, FwFamily, FwMatch } from "../../plan/fw-ops.js";
import type { DroppingChain, NslabRule, UneditableChain } from "../../plan/host-firewall.js";

interface JChain {
  family: string;
  table: string;
  name: string;
  hook?: string;
  policy?: string;
  type?: string;
}
interface JRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  expr?: unknown[];
  comment?: string;
}
interface JTable {
  family: string;
  name: string;
  flags?: string[] | string;
}

/** What the JSON ruleset says. */
export interface NftScan {
  chains: DroppingChain[];
  uneditable: UneditableChain[];
  /** nslab's rules in native tables (iptables-nft keeps comments where JSON does not show them). */
  rules: NslabRule[];
  tables: { family: FwFamily; name: string }[];
  /** `family table` of the tables iptables-nft manages (read their rules with iptables-nft-save). */
  xtTables: { family: "ip" | "ip6"; table: string }[];
}

const FAMILIES: ReadonlySet<string> = new Set(["ip", "ip6", "inet", "bridge"]);
const XT_TABLES: ReadonlySet<string> = new Set(["filter", "nat", "mangle", "raw", "security"]);
/** Names nft's command line can address without quoting (it has no quoting for names). */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Every verdict in an expression tree: drops/rejects, and the chains it jumps or goes to. */
function verdicts(x: unknown, out: { drops: boolean; targets: string[] }): void {
  if (Array.isArray(x)) {
    for (const y of x) verdicts(y, out);
    return;
  }
  if (x === null || typeof x !== "object") return;
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
    if (k === "drop" || k === "reject") out.drops = true;
    else if ((k === "jump" || k === "goto") && v && typeof v === "object" && "target" in v)
      out.targets.push(String((v as { target: unknown }).target));
    else if (k === "xt" && v && typeof v === "object") {
      const t = v as { type?: string; name?: string };
      if (t.type === "target" && (t.name === "REJECT" || t.name === "DROP")) out.drops = true;
    } else verdicts(v, out);
  }
}

/** Parse `nft -j list ruleset` output. */
export function scanNftJson(text: string): NftScan {
  const items = (JSON.parse(text) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
  const chains = new Map<string, JChain>();
  const rules = new Map<string, JRule[]>();
  const tables: JTable[] = [];
  const xt = new Set<string>();
  const key = (family: string, table: string, chain = "") => `${family}\u0000${table}\u0000${chain}`;
  for (const it of items) {
    if (it.table) tables.push(it.table as JTable);
    else if (it.chain) {
      const c = it.chain as JChain;
      chains.set(key(c.family, c.table, c.name), c);
    } else if (it.rule) {
      const r = it.rule as JRule;
      const k = key(r.family, r.table, r.chain);
      rules.set(k, [...(rules.get(k) ?? []), r]);
      if (JSON.stringify(r.expr ?? []).includes('"xt"')) xt.add(key(r.family, r.table));
    }
  }
  const isXt = (family: string, table: string) =>
    (family === "ip" || family === "ip6") &&
    (xt.has(key(family, table)) ||
      (XT_TABLES.has(table) && chains.has(key(family, table, "FORWARD"))) ||
      (XT_TABLES.has(table) && chains.has(key(family, table, "INPUT"))));
  const canDrop = (family: string, table: string, chain: string, seen: Set<string>): boolean => {
    const k = key(family, table, chain);
    if (seen.has(k)) return false;
    seen.add(k);
    for (const r of rules.get(k) ?? []) {
      const v = { drops: false, targets: [] as string[] };
      verdicts(r.expr ?? [], v);
      if (v.drops) return true;
      if (v.targets.some((t) => canDrop(family, table, t, seen))) return true;
    }
    return false;
  };
  const jumpsTo = (family: string, table: string, from: string, to: string) =>
    (rules.get(key(family, table, from)) ?? []).some((r) => {
      const v = { drops: false, targets: [] as string[] };
      verdicts(r.expr ?? [], v);
      return v.targets.includes(to);
    });
  const out: NftScan = { chains: [], uneditable: [], rules: [], tables: [], xtTables: [] };
  for (const t of tables) {
    if (!FAMILIES.has(t.family)) continue;
    if (t.name.startsWith("nslab-")) out.tables.push({ family: t.family as FwFamily, name: t.name });
    if (isXt(t.family, t.name)) out.xtTables.push({ family: t.family as "ip" | "ip6", table: t.name });
  }
  for (const c of chains.values()) {
    if (c.hook !== "forward" || !FAMILIES.has(c.family) || c.table.startsWith("nslab-")) continue;
    const family = c.family as FwFamily;
    const policy = c.policy === "drop" ? "drop" : "accept";
    const why =
      policy === "drop" ? "policy" : canDrop(c.family, c.table, c.name, new Set()) ? "rule" : undefined;
    if (!why) continue;
    const table = tables.find((t) => t.family === c.family && t.name === c.table);
    const flags = [table?.flags ?? []].flat();
    const base = { family, table: c.table, chain: c.name };
    if (family === "bridge" && c.table === "filter" && c.name === "FORWARD")
      out.uneditable.push({
        ...base,
        backend: "ebtables-nft",
        reason: "managed by ebtables-nft; nslab does not edit it",
      });
    else if (flags.includes("owner"))
      out.uneditable.push({
        ...base,
        backend: "nft",
        reason:
          "its table is owned by the process that made it (firewalld?): add the lab's bridges to a trusted zone",
      });
    else if (isXt(c.family, c.table)) {
      const chain =
        chains.has(key(c.family, c.table, "DOCKER-USER")) && jumpsTo(c.family, c.table, c.name, "DOCKER-USER")
          ? "DOCKER-USER"
          : c.name;
      out.chains.push({ backend: "iptables-nft", family, table: c.table, base: c.name, chain, policy, why });
    } else if (!SAFE_NAME.test(c.table) || !SAFE_NAME.test(c.name))
      out.uneditable.push({
        ...base,
        backend: "nft",
        reason: "its name cannot be written on nft's command line",
      });
    else
      out.chains.push({ backend: "nft", family, table: c.table, base: c.name, chain: c.name, policy, why });
  }
  for (const list of rules.values())
    for (const r of list) {
      const lab = r.comment?.startsWith("nslab:") ? r.comment.slice(6) : undefined;
      if (!lab || !FAMILIES.has(r.family)) continue;
      const match = matchOf(r.expr ?? []);
      out.rules.push({
        lab,
        backend: "nft" as FwBackend,
        family: r.family as FwFamily,
        table: r.table,
        chain: r.chain,
        handle: r.handle,
        ...(match ? { match } : {}),
      });
    }
  return out;
}

/** The accept shape of a native rule nslab wrote, read back from its expressions. */
function matchOf(expr: unknown[]): FwMatch | undefined {
  const eq: Record<string, unknown> = {};
  let replies = false;
  let accepts = false;
  for (const e of expr as Record<string, unknown>[]) {
    if ("accept" in e) accepts = true;
    const m = e.match as
      | { op?: string; left?: Record<string, { key?: string }>; right?: unknown }
      | undefined;
    if (!m || (m.op !== "==" && m.op !== "in")) continue;
    const meta = m.left?.meta?.key;
    const ct = m.left?.ct?.key;
    if (meta) eq[meta] = m.right;
    if (ct === "state") replies = true;
  }
  if (!accepts) return undefined;
  if (typeof eq.iifgroup === "number" && eq.iifgroup === eq.oifgroup)
    return { kind: "group", group: eq.iifgroup };
  if (typeof eq.iifname !== "string" || typeof eq.oifname !== "string") return undefined;
  if (eq.iifname === eq.oifname && !replies) return { kind: "bridge", dev: eq.iifname };
  return { kind: "route", iif: eq.iifname, oif: eq.oifname, replies };
}
