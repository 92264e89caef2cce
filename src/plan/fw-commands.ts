/**
 * The firewall and NAT operations as the commands a person would type: `nft '…'` (one nft command
 * per argument, as `nft -f` reads them line by line) and `iptables-nft`/`ip6tables-nft`/
 * `iptables-legacy` lines (as `iptables-restore --noflush` reads them). The driver runs exactly
 * these lines, batched into one transaction per tool and namespace.
 */
import type { FwBackend, FwFamily, FwMatch, FwOp, NftBaseChain } from "./fw-ops.js";

/** One command line of a firewall operation (a commands.ts Command; not imported: it imports this). */
export interface FwCommand {
  tool: "nft" | XtTool;
  /** `null`: the root namespace. */
  ns: string | null;
  args: string[];
}

/** The iptables program for a backend and family. */
export type XtTool = "iptables-nft" | "ip6tables-nft" | "iptables-legacy" | "ip6tables-legacy";

export function xtTool(backend: Exclude<FwBackend, "nft">, family: FwFamily): XtTool {
  const v6 = family === "ip6";
  if (backend === "iptables-nft") return v6 ? "ip6tables-nft" : "iptables-nft";
  return v6 ? "ip6tables-legacy" : "iptables-legacy";
}

/** The rule an accept is, in nft's words (without the verb and the chain). */
export function nftMatch(match: FwMatch): string {
  switch (match.kind) {
    case "bridge":
      return `iifname "${match.dev}" oifname "${match.dev}"`;
    case "group":
      return `meta iifgroup ${match.group} meta oifgroup ${match.group}`;
    case "route":
      return `iifname "${match.iif}" oifname "${match.oif}"${match.replies ? " ct state established,related" : ""}`;
  }
}

/** The full nft rule of an accept: its match, a counter, the verdict and the lab's comment. */
export function nftAcceptRule(match: FwMatch, comment: string): string {
  return `${nftMatch(match)} counter accept comment "${comment}"`;
}

/**
 * The iptables rule spec of an accept (after `-I CHAIN`/`-D CHAIN`), in the order iptables-save
 * prints it back, so a rule read from `*-save` compares equal to the one nslab wrote.
 */
export function xtAcceptSpec(match: FwMatch, comment: string): string[] {
  if (match.kind === "group")
    throw new Error("internal: link-group accepts exist only in bridge-family (native nftables) chains");
  const [iif, oif] = match.kind === "bridge" ? [match.dev, match.dev] : [match.iif, match.oif];
  return [
    "-i",
    iif,
    "-o",
    oif,
    ...(match.kind === "route" && match.replies
      ? ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED"]
      : []),
    "-m",
    "comment",
    "--comment",
    comment,
    "-j",
    "ACCEPT",
  ];
}

function baseSpec(b: NftBaseChain): string {
  return `type ${b.type} hook ${b.hook} priority ${b.priority}; policy ${b.policy};`;
}

const nft = (ns: FwCommand["ns"], line: string): FwCommand => ({ tool: "nft", ns, args: [line] });

/** The commands equivalent to a firewall/NAT operation. */
export function fwCommands(op: FwOp): FwCommand[] {
  switch (op.op) {
    case "nft.table.add":
      return [nft(op.ns, `add table ${op.family} ${op.table} { comment "${op.comment}"; }`)];
    case "nft.table.del":
      return [nft(op.ns, `delete table ${op.family} ${op.table}`)];
    case "nft.chain.add":
      return [
        nft(op.ns, `add chain ${op.family} ${op.table} ${op.chain} { ${baseSpec(op.base)} }`),
        ...op.rules.map((r) => nft(op.ns, `add rule ${op.family} ${op.table} ${op.chain} ${r}`)),
      ];
    case "nft.chain.del":
      return [nft(op.ns, `delete chain ${op.family} ${op.table} ${op.chain}`)];
    case "nat.masquerade":
      return [
        nft(
          null,
          `add chain ip ${op.table} ${op.chain} { ${baseSpec({ type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" })} }`,
        ),
        nft(
          null,
          `add rule ip ${op.table} ${op.chain} ip saddr ${op.source} oifname "${op.uplink}" masquerade comment "${op.comment}"`,
        ),
      ];
    case "fw.accept":
      if (op.backend === "nft")
        return [
          nft(
            null,
            `insert rule ${op.family} ${op.table} ${op.chain} ${nftAcceptRule(op.match, op.comment)}`,
          ),
        ];
      return [
        {
          tool: xtTool(op.backend, op.family),
          ns: null,
          args: ["-I", op.chain, ...xtAcceptSpec(op.match, op.comment)],
        },
      ];
    case "fw.delete":
      if (op.backend === "nft")
        // The handle is read from the ruleset right before (by the rule's match and comment).
        return [
          nft(
            null,
            `delete rule ${op.family} ${op.table} ${op.chain} handle ${op.handle ?? `<handle of: ${nftAcceptRule(op.match, op.comment)}>`}`,
          ),
        ];
      return [
        {
          tool: xtTool(op.backend, op.family),
          ns: null,
          args: ["-D", op.chain, ...xtAcceptSpec(op.match, op.comment)],
        },
      ];
  }
}
