/**
 * The host's firewall as plans see it: the forward chains of every backend that could drop a lab's
 * traffic (where nslab inserts its accepts), nslab's own rules and tables found there, and the
 * br_netfilter settings that make bridged frames pass those chains. Probed read-only by
 * drivers/firewall; plain data here.
 */
import type { FwBackend, FwFamily, FwMatch } from "./fw-ops.js";

/** A forward base chain that can drop lab traffic, and where nslab's accepts for it go. */
export interface DroppingChain {
  backend: FwBackend;
  family: FwFamily;
  table: string;
  /** The base chain (hook forward): `FORWARD` for iptables, any name in native tables. */
  base: string;
  /** Where nslab inserts: the base chain, or Docker's `DOCKER-USER` when the table has it. */
  chain: string;
  policy: "accept" | "drop";
  /** Why it can drop: its policy, or a drop/reject verdict in it or in a chain it jumps to. */
  why: "policy" | "rule";
}

/** A dropping chain nslab leaves alone, and why (said by doctor). */
export interface UneditableChain {
  backend: FwBackend | "ebtables-nft";
  family: FwFamily;
  table: string;
  chain: string;
  reason: string;
}

/** One of nslab's rules in a host chain (found by its comment `nslab:LAB`). */
export interface NslabRule {
  lab: string;
  backend: FwBackend;
  family: FwFamily;
  table: string;
  chain: string;
  /** What it matches, when it is one of the shapes nslab writes. */
  match?: FwMatch;
  /** nftables handle (native tables). */
  handle?: number;
  /** The rule as iptables-save prints it, without `-A CHAIN` (iptables tables). */
  spec?: string[];
}

/** What was read of the host's firewall. */
export interface HostFirewall {
  /** Dropping forward chains nslab adds its accepts to. */
  chains: DroppingChain[];
  /** Dropping forward chains nslab cannot edit. */
  uneditable: UneditableChain[];
  /** nslab's rules in other tables' chains, every lab's. */
  rules: NslabRule[];
  /** nslab's own tables in the root namespace (`nslab-LAB`). */
  tables: { family: FwFamily; name: string }[];
  /** Which backends were read, and what could not be (a tool missing). */
  read: { nft: boolean; iptablesNft: boolean; legacy: { ip: boolean; ip6: boolean }; notes: string[] };
  /** net.bridge.bridge-nf-call-* in the root namespace (undefined: br_netfilter not loaded). */
  brNetfilter?: { iptables: boolean; ip6tables: boolean; arptables: boolean };
}

/** A firewall with nothing in it (a host nslab cannot read, or planning without a host). */
export const EMPTY_FIREWALL: HostFirewall = {
  chains: [],
  uneditable: [],
  rules: [],
  tables: [],
  read: { nft: false, iptablesNft: false, legacy: { ip: false, ip6: false }, notes: [] },
};
