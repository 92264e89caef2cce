/**
 * Shaping → the root qdisc that does it: a rate alone is a token bucket (tbf, in every kernel);
 * delay, jitter or loss need netem (which can also limit the rate, so one qdisc does it all). Pure.
 */
import { netemFeatures } from "../model/shaping.js";
import type { Shaping } from "../model/types.js";
import type { Qdisc } from "./ops.js";

/** How long packets may wait in a tbf queue before they are dropped. */
export const TBF_LATENCY_MS = 50;

/** The qdisc for one direction of a shaped link. */
export function qdiscFor(s: Shaping): Qdisc {
  if (netemFeatures(s).length > 0)
    return {
      kind: "netem",
      ...(s.delayUs !== undefined ? { delayUs: s.delayUs } : {}),
      ...(s.jitterUs !== undefined ? { jitterUs: s.jitterUs } : {}),
      ...(s.lossPct !== undefined ? { lossPct: s.lossPct } : {}),
      ...(s.rateBps !== undefined ? { rateBps: s.rateBps } : {}),
    };
  const rate = s.rateBps ?? 0;
  return { kind: "tbf", rateBps: rate, burst: tbfBurst(rate), latencyMs: TBF_LATENCY_MS };
}

/**
 * Bucket size in bytes: 10 ms worth of the rate (the kernel refills at least once per tick), but never
 * less than two full-size Ethernet frames, or nothing larger than one frame could ever be sent.
 */
export function tbfBurst(rateBps: number): number {
  return Math.max(Math.ceil(rateBps / 8 / 100), 2 * 1514);
}
