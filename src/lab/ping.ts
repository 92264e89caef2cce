/**
 * `ping`: pairs of addresses sharing a subnet in a running lab, pinged from inside. Every pair
 * (default up to {@link ALL_PAIRS_MAX} pairs); beyond that — a 10,000-host lab on one subnet has
 * 10⁸ — the pair farthest apart in the topology plus a fixed sample, unless every pair is asked for.
 */
import { Driver } from "../drivers/driver.js";
import { NslabError } from "../errors.js";
import { procNumber } from "../host/facts.js";
import { broadcastPeak } from "../plan/limits.js";
import { readLab } from "../state/store.js";
import { countSubnetPairs, farthestPairs, type PingPair, samplePairs, subnetPairs } from "../verify/pairs.js";
import { type PingOptions, type PingResult, pingPairs } from "../verify/ping.js";
import type { CommonOptions } from "./options.js";

/** Labs with more subnet pairs than this get a sample unless every pair is asked for. */
export const ALL_PAIRS_MAX = 10_000;
/** Pairs sampled (besides the farthest pair) when not every pair is pinged. */
export const DEFAULT_SAMPLE = 100;

/** Which pairs to ping: `auto` is `all` up to {@link ALL_PAIRS_MAX} pairs, `sample` beyond. */
export type PairPolicy = "auto" | "all" | "sample" | "farthest";

export interface LabPingOptions extends CommonOptions, PingOptions {
  pairs?: PairPolicy;
  /** Sampled pairs for the `sample` policy (default {@link DEFAULT_SAMPLE}). */
  sample?: number;
}

export interface PingReport {
  lab: string;
  /** The pairs that were pinged: every subnet pair, or the farthest pair (+ a sample). */
  policy: "all" | "sample" | "farthest";
  /** Subnet pairs the lab has in all. */
  totalPairs: number;
  results: PingResult[];
  /** Number of pairs that did not answer. */
  lost: number;
  durationMs: number;
}

/** The pairs a policy picks. */
export function choosePairs(
  t: Parameters<typeof subnetPairs>[0],
  policy: PairPolicy,
  sample = DEFAULT_SAMPLE,
): { policy: PingReport["policy"]; pairs: PingPair[]; totalPairs: number } {
  const totalPairs = countSubnetPairs(t);
  const chosen = policy === "auto" ? (totalPairs <= ALL_PAIRS_MAX ? "all" : "sample") : policy;
  if (chosen === "all") return { policy: chosen, pairs: subnetPairs(t), totalPairs };
  const far = farthestPairs(t);
  if (chosen === "farthest") return { policy: chosen, pairs: far, totalPairs };
  const key = (p: PingPair) => `${p.netns}/${p.source}/${p.target}`;
  const seen = new Set(far.map(key));
  const pairs = [...far, ...samplePairs(t, sample).filter((p) => !seen.has(key(p)))];
  return { policy: chosen, pairs, totalPairs };
}

/**
 * How many address resolutions may flood the lab at once: each broadcast keeps up to
 * {@link broadcastPeak} copies queued in the kernel's per-CPU backlog (netdev_max_backlog) by the
 * model, and about twice that in practice (the backlog is drained in batches); so half of it.
 */
export function floodLimit(
  t: Parameters<typeof broadcastPeak>[0],
  backlog = procNumber("/proc/sys/net/core/netdev_max_backlog") ?? 1000,
): number {
  return Math.max(1, Math.floor((backlog * 0.5) / Math.max(1, broadcastPeak(t))));
}

/** Ping pairs of lab `lab` (see {@link PairPolicy}). */
export async function ping(lab: string, options: LabPingOptions = {}): Promise<PingReport> {
  const started = performance.now();
  const state = readLab(lab);
  if (state?.status !== "up")
    throw new NslabError(
      "E_NOT_FOUND",
      state ? `lab '${lab}' is ${state.status}, not up` : `no lab named '${lab}' is up`,
      {
        hint: "list labs with: nslab status",
      },
    );
  const { policy, pairs, totalPairs } = choosePairs(state.topology, options.pairs ?? "auto", options.sample);
  const driver = new Driver({
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  try {
    const agent = driver.backend === "agent" ? await driver.agent() : undefined;
    const results = await pingPairs(driver.runner, pairs, {
      floodLimit: floodLimit(state.topology),
      ...options,
      ...(agent ? { agent } : {}),
    });
    return {
      lab,
      policy,
      totalPairs,
      results,
      lost: results.filter((r) => !r.ok).length,
      durationMs: performance.now() - started,
    };
  } finally {
    await driver.close();
  }
}
