/**
 * Pinging from inside namespaces. With the native agent: every pair at once from raw ICMP sockets
 * the agent opens inside the source namespaces (verify/agent-ping.ts). Without it (the iproute2
 * backend): `ping` inside the node (drivers/in-node.ts), a bounded number in flight, each retried once (the first packet
 * may wait on neighbour discovery).
 */
import type { ProgressFn } from "../drivers/apply/types.js";
import { inNode } from "../drivers/in-node.js";
import type { NsAgent } from "../drivers/nsagent/index.js";
import type { Runner } from "../drivers/runner/index.js";
import { agentPingPairs } from "./agent-ping.js";
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

/** Ping every pair; never throws for a lost ping. */
export async function pingPairs(
  runner: Runner,
  pairs: readonly PingPair[],
  options: PingOptions = {},
): Promise<PingResult[]> {
  if (options.agent) return agentPingPairs(options.agent, pairs, options);
  const results: PingResult[] = new Array(pairs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const i = next++;
      const r = await pingOne(runner, pairs[i]!, options);
      results[i] = r;
      options.onResult?.(r);
      options.onProgress?.({ done: ++done, total: pairs.length, phase: "ping" });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 16, pairs.length) }, worker));
  return results;
}

async function pingOne(runner: Runner, pair: PingPair, options: PingOptions): Promise<PingResult> {
  const attempts = options.attempts ?? 3;
  let error = "";
  for (let a = 0; a < attempts; a++) {
    const res = await runner.run(
      inNode(pair.netns, [
        "ping",
        pair.family === 6 ? "-6" : "-4",
        "-n",
        "-c",
        "1",
        "-W",
        String((options.waitSeconds ?? 1) * (a === attempts - 1 && a > 0 ? 3 : 1)),
        ...(pair.source ? ["-I", pair.source] : []),
        pair.target,
      ]),
      { allowFailure: true, timeoutMs: 10_000 },
    );
    if (res.exitCode === 0) {
      const m = res.stdout.match(/time=([\d.]+) ms/);
      return { pair, ok: true, ...(m ? { rttMs: Number(m[1]) } : {}) };
    }
    error = (
      res.stderr.trim() ||
      res.stdout.split("\n").find((l) => /packet loss|unreachable/i.test(l)) ||
      `exit ${res.exitCode}`
    ).trim();
  }
  return { pair, ok: false, error };
}
