/**
 * Pinging from inside namespaces: many pings at once with a bounded number in flight, each
 * retried once (the first packet may wait on neighbour discovery). Uses `nsenter` + `ping`.
 */
import type { Runner } from "../drivers/runner/index.js";
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
  /** Pings in flight at once (default 16). */
  parallel?: number;
  /** Seconds to wait for each reply (default 1). */
  waitSeconds?: number;
  /** Attempts per pair (default 3; the last waits three times as long). */
  attempts?: number;
  /** Called as each pair's result comes in. */
  onResult?: (r: PingResult) => void;
}

/** Ping every pair; never throws for a lost ping. */
export async function pingPairs(
  runner: Runner,
  pairs: readonly PingPair[],
  options: PingOptions = {},
): Promise<PingResult[]> {
  const results: PingResult[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const i = next++;
      const r = await pingOne(runner, pairs[i]!, options);
      results[i] = r;
      options.onResult?.(r);
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
      [
        "nsenter",
        `--net=/run/netns/${pair.netns}`,
        "--",
        "ping",
        pair.family === 6 ? "-6" : "-4",
        "-n",
        "-c",
        "1",
        "-W",
        String((options.waitSeconds ?? 1) * (a === attempts - 1 && a > 0 ? 3 : 1)),
        ...(pair.source ? ["-I", pair.source] : []),
        pair.target,
      ],
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
