/** What pinging a pair gives, and how pinging is done: shared by the agent and the process paths. */
import type { ProgressFn } from "../drivers/apply/types.js";
import type { NsAgent } from "../drivers/nsagent/index.js";
import type { PingPair } from "./pairs.js";

/** The result of one pair. */
export interface PingResult {
  pair: PingPair;
  ok: boolean;
  /** Round-trip time of the answered ping, in ms. */
  rttMs?: number;
  /** What ping said when it failed. */
  error?: string;
}

/** How `ping` pings. */
export interface PingOptions {
  /** Pings in flight at once, process-based pinging only (default 16). */
  parallel?: number;
  /** Seconds to wait for each reply (default 1). */
  waitSeconds?: number;
  /**
   * Attempts per pair (default 3 with processes, the last waiting three times as long; with the
   * agent, sends within the wait: default 4).
   */
  attempts?: number;
  /** Called as each pair's result comes in. */
  onResult?: (r: PingResult) => void;
  /** Pairs done so far, as they complete (the agent reports per wave); phase `ping`. */
  onProgress?: ProgressFn;
  /** Ping through this native agent instead of a `ping` process per pair. */
  agent?: NsAgent;
  /** Neighbour-table entries the pings may add at once (default: the room the host has now). */
  neighbourBudget?: number;
  /**
   * Pairs resolved at once, each with a broadcast (ARP/NDP) that floods the lab: in a big lab,
   * the copies of many broadcasts at once overflow the kernel's per-CPU receive backlog and get
   * dropped. Default: unlimited.
   */
  floodLimit?: number;
}
