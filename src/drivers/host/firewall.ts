/**
 * Reading the host's firewall, read-only and without creating anything: one `nft -j list ruleset`
 * (native tables and the chains of iptables-nft's), `iptables-nft-save -t filter` per family only
 * where iptables-nft has a filter table and nslab's own rules there are wanted (their comments are
 * not in nft's JSON), and iptables-legacy only when the kernel already lists a legacy filter table
 * (/proc/net/ip*_tables_names: running `iptables-legacy -L/-S` would create one, which cannot be
 * removed again). The result is plan data (HostFirewall).
 */
import { readFileSync } from "node:fs";
import type { DroppingChain, HostFirewall, NslabRule } from "../../plan/host-firewall.js";
import type { NftTable } from "../nsagent/index.js";
import { findBinary, type Runner, systemRunner } from "../runner/index.js";
import { scanNftJson } from "./nft-json.js";
import { scanXtSave } from "./xt-save.js";

/** What to read beyond the dropping chains. */
export interface FirewallReadOptions {
  /** nslab's rules in iptables-nft's tables (for removing them, repairing, status); default true. */
  ownRules?: boolean;
  /**
   * The namespace's nftables tables, from an agent (undefined: not known): the driver's, or, where
   * there is no driver (`plan`), one started for the question (nftTablesOfOwnAgent). When there are
   * none, `nft` is not run: there is nothing for it to list. Without it, `nft` is run.
   */
  nftTables?: () => Promise<readonly NftTable[] | undefined>;
}

function procLines(path: string): string[] | undefined {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** br_netfilter's switches in this namespace (undefined: the module is not loaded). */
export function brNetfilter(): HostFirewall["brNetfilter"] {
  const read = (k: string) => procLines(`/proc/sys/net/bridge/bridge-nf-call-${k}`)?.[0]?.trim();
  const v4 = read("iptables");
  if (v4 === undefined) return undefined;
  return { iptables: v4 === "1", ip6tables: read("ip6tables") === "1", arptables: read("arptables") === "1" };
}

/** Read the host's firewall (the root namespace's, or that of the process's own namespace). */
export async function readFirewall(
  runner: Runner = systemRunner,
  options: FirewallReadOptions = {},
): Promise<HostFirewall> {
  const ownRules = options.ownRules ?? true;
  const fw: HostFirewall = {
    chains: [],
    uneditable: [],
    rules: [],
    tables: [],
    read: { nft: false, iptablesNft: false, legacy: { ip: false, ip6: false }, notes: [] },
  };
  const bnf = brNetfilter();
  if (bnf) fw.brNetfilter = bnf;
  const xtFamilies: ("ip" | "ip6")[] = [];
  if (findBinary("nft")) {
    // A host without a single table (most hosts without Docker or a firewall): nothing to list.
    const tables = await options.nftTables?.().catch(() => undefined);
    if (tables?.length === 0) fw.read.nft = true;
    else await readNft(runner, fw, xtFamilies);
  } else if (findBinary("iptables-nft-save")) {
    // No nft: native tables cannot be seen; iptables-nft's own can (its -save creates nothing).
    fw.read.notes.push(
      "nft is not installed: native nftables tables cannot be read (apt-get install nftables)",
    );
    xtFamilies.push("ip", "ip6");
  } else
    fw.read.notes.push("neither nft nor iptables-nft is installed: the nftables firewall cannot be read");
  // iptables-nft: its FORWARD chains are known from the JSON already; -save for nslab's rules
  // (comments) — or for everything, when nft is missing.
  for (const family of xtFamilies) {
    if (fw.read.nft && !ownRules) continue;
    const tool = family === "ip" ? "iptables-nft-save" : "ip6tables-nft-save";
    if (!findBinary(tool)) continue;
    const r = await runner.run([tool, "-t", "filter"], { allowFailure: true, timeoutMs: 30_000 });
    if (r.exitCode !== 0) {
      fw.read.notes.push(`${tool} failed: ${r.stderr.trim()}`);
      continue;
    }
    const scan = scanXtSave(r.stdout, "iptables-nft", family);
    fw.read.iptablesNft = true;
    fw.rules.push(...scan.rules);
    if (!fw.read.nft && scan.chain) fw.chains.push(scan.chain);
  }
  // iptables-legacy, only where the kernel has its filter table already.
  for (const family of ["ip", "ip6"] as const) {
    const names = procLines(`/proc/net/${family === "ip" ? "ip" : "ip6"}_tables_names`);
    if (!names?.includes("filter")) continue;
    fw.read.legacy[family] = true;
    const tool = family === "ip" ? "iptables-legacy-save" : "ip6tables-legacy-save";
    if (!findBinary(tool)) {
      fw.read.notes.push(
        `legacy ${family} filter table present but ${tool} is missing (apt-get install iptables)`,
      );
      continue;
    }
    const r = await runner.run([tool, "-t", "filter"], { allowFailure: true, timeoutMs: 30_000 });
    if (r.exitCode !== 0) {
      fw.read.notes.push(`${tool} failed: ${r.stderr.trim()}`);
      continue;
    }
    const scan = scanXtSave(r.stdout, "iptables-legacy", family);
    fw.rules.push(...scan.rules);
    if (scan.chain) fw.chains.push(scan.chain);
  }
  return fw;
}

/** `nft -j list ruleset` into `fw`; the families whose iptables-nft filter table it lists into `xtFamilies`. */
async function readNft(runner: Runner, fw: HostFirewall, xtFamilies: ("ip" | "ip6")[]): Promise<void> {
  const r = await runner.run(["nft", "-j", "list", "ruleset"], { allowFailure: true, timeoutMs: 30_000 });
  if (r.exitCode !== 0) {
    fw.read.notes.push(`nft -j list ruleset failed: ${r.stderr.trim()}`);
    return;
  }
  const scan = scanNftJson(r.stdout || '{"nftables":[]}');
  fw.read.nft = true;
  fw.chains.push(...scan.chains);
  fw.uneditable.push(...scan.uneditable);
  fw.rules.push(...scan.rules);
  fw.tables.push(...scan.tables);
  for (const t of scan.xtTables) if (t.table === "filter") xtFamilies.push(t.family);
}

/** The chains of `fw` as one line each (doctor, plan). */
export function chainLines(chains: readonly DroppingChain[]): string[] {
  return chains.map(
    (c) =>
      `${c.backend} ${c.family} ${c.table} ${c.base}: ${c.why === "policy" ? `policy ${c.policy}` : "a drop/reject rule"}${c.chain !== c.base ? ` (nslab's accepts go into ${c.chain})` : ""}`,
  );
}

/** nslab's rules of lab `lab`. */
export function rulesOf(fw: HostFirewall, lab: string): NslabRule[] {
  return fw.rules.filter((r) => r.lab === lab);
}
