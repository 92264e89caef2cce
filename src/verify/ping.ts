/**
 * Pinging from inside namespaces. With the native agent: every pair at once from raw ICMP sockets
 * the agent opens inside the source namespaces (verify/agent-ping.ts). Without it (the iproute2
 * backend): `ping` inside the node (drivers/in-node.ts), a bounded number in flight, each retried once (the first packet
 * may wait on neighbour discovery).
 */
import { inNode } from "../drivers/in-node.js";
import type { Runner } from "../drivers/runner/index.js";
import { agentPingPairs } from "./agent-ping.js";
import type { PingPair } from "./pairs.js";
import type { PingOptions, PingResult } from "./ping-result.js";

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
