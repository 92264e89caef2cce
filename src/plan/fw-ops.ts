/**
 * The firewall and NAT operations: nslab's own nftables tables and chains (per lab in the root
 * namespace, per NAT node inside it), the NAT masquerade of a lab, and the accept rules a lab adds
 * to the host's forward chains that would drop its traffic. Part of the `Op` union (ops.ts).
 */
import type { SourceLocation } from "../errors.js";

/** A namespace (`null`: the root one); the same as ops.ts's NsName (not imported: ops.ts imports this). */
type NsName = string | null;

/** Which tool owns the table a rule goes into (tables are edited only with their owner's tool). */
export type FwBackend = "nft" | "iptables-nft" | "iptables-legacy";

/** nftables address families with a forward path for lab traffic. */
export type FwFamily = "ip" | "ip6" | "inet" | "bridge";

/** A base chain's hook, as nft writes it. */
export interface NftBaseChain {
  type: "filter" | "nat";
  hook: "prerouting" | "forward" | "postrouting";
  /** A number or one of nft's names (`srcnat`, `filter`). */
  priority: number | "srcnat" | "dstnat" | "filter" | "raw";
  policy: "accept";
}

/** What an accept rule matches. */
export type FwMatch =
  /** Frames bridged by a lab bridge (with br_netfilter, the bridge is both input and output). */
  | { kind: "bridge"; dev: string }
  /** Bridge-family chains see the ports: every port of the lab carries its link group. */
  | { kind: "group"; group: number }
  /** Routed NAT traffic: transit → uplink (new), and uplink → transit (replies only). */
  | { kind: "route"; iif: string; oif: string; replies: boolean };

interface OpBase {
  src?: SourceLocation;
}

/** Every firewall/NAT operation. */
export type FwOp =
  /** A table of nslab's own, marked with a comment (`nslab:LAB`). */
  | (OpBase & { op: "nft.table.add"; ns: NsName; family: FwFamily; table: string; comment: string })
  | (OpBase & { op: "nft.table.del"; ns: NsName; family: FwFamily; table: string })
  /** A base chain of one of nslab's tables, with its rules. */
  | (OpBase & {
      op: "nft.chain.add";
      ns: NsName;
      family: FwFamily;
      table: string;
      chain: string;
      base: NftBaseChain;
      rules: string[];
    })
  | (OpBase & { op: "nft.chain.del"; ns: NsName; family: FwFamily; table: string; chain: string })
  /**
   * The root namespace's half of a NAT node: a postrouting chain in the lab's table that
   * masquerades the node's transit address, and only when it leaves through the uplink.
   */
  | (OpBase & {
      op: "nat.masquerade";
      table: string;
      chain: string;
      /** The NAT node's end of the transit link (its address). */
      source: string;
      /** The root end of the transit link (the device). */
      transit: string;
      uplink: string;
      comment: string;
    })
  /** An accept rule at the top of a host chain that could drop the lab's traffic. */
  | (OpBase & {
      op: "fw.accept";
      backend: FwBackend;
      family: FwFamily;
      table: string;
      chain: string;
      match: FwMatch;
      comment: string;
    })
  /**
   * Remove such a rule (the lab lost a bridge, or the lab goes): by its nftables handle when
   * known, else found by its match and comment.
   */
  | (OpBase & {
      op: "fw.delete";
      backend: FwBackend;
      family: FwFamily;
      table: string;
      chain: string;
      match: FwMatch;
      comment: string;
      handle?: number;
      /** iptables: the rule exactly as `*-save` printed it (after `-A CHAIN`), deleted by that spec. */
      spec?: string[];
    });

/** The `op` names of {@link FwOp}. */
export const FW_OPS: ReadonlySet<string> = new Set([
  "nft.table.add",
  "nft.table.del",
  "nft.chain.add",
  "nft.chain.del",
  "nat.masquerade",
  "fw.accept",
  "fw.delete",
]);

/** The name of a lab's own tables (one per family it needs). */
export function labTable(lab: string): string {
  return `nslab-${lab}`;
}

/** The lab a table name belongs to, if it is one of nslab's. */
export function labOfTable(table: string): string | undefined {
  return table.startsWith("nslab-") && table.length > 6 ? table.slice(6) : undefined;
}
