/**
 * Pinging inside the native agent: one raw ICMP socket per source namespace (and source address),
 * every echo request sent at once, replies collected with epoll until all answered or the deadline
 * — thousands of pairs in well under a second, no process per ping.
 *
 * The kernel's neighbour tables (ARP, NDP) are shared by all namespaces and refuse new entries past
 * gc_thresh3 (1024 by default; entries younger than 5 s cannot be reclaimed), and each pinged pair
 * adds two (the source learns the target, the target learns the source). So the pairs go in waves
 * that fit the room the tables have right now; between waves (only when more than one is needed)
 * the neighbour caches of the namespaces involved are flushed, which hands the room back — without
 * that, an all-pairs check of 50 hosts (2,450 entries) would fail or crawl. Within a wave each pair
 * is pinged one way, then the way back, which then needs no resolution (no broadcast) of its own.
 */
import { constants } from "node:os";
import { neighbourTable } from "../drivers/host/facts.js";
import { flushNeighboursOf, type NsAgent } from "../drivers/nsagent/index.js";
import type { PingPair } from "./pairs.js";
import type { PingOptions, PingResult } from "./ping-result.js";

/** Room left in the neighbour table of `family`, keeping an eighth of it (≥ 64) for everyone else. */
export function neighbourRoom(family: 4 | 6): number {
  const t = neighbourTable(family);
  if (!t) return 4096;
  const keep = Math.max(64, Math.floor(t.gcThresh3 / 8));
  return Math.max(64, t.gcThresh3 - t.entries - keep);
}

/** One wave: probes sent together, then (once those answered) the reverse probes of the same pairs. */
export interface Wave {
  first: number[];
  back: number[];
}

/**
 * Split pairs into waves that each add at most `room` neighbour entries. A probe from s to t adds
 * s's entry for t, and t learns s from s's ARP/NDP request; so the reverse probe (t to s), sent
 * once the first has been answered, needs no resolution of its own: no new entry and no broadcast
 * flooding the whole lab. Each wave pings pairs one way first, then the way back; at most `floods`
 * pairs a wave, when each first probe's broadcast may flood a big lab (see PingOptions). Pure.
 */
export function planWaves(
  pairs: readonly PingPair[],
  room: number,
  floods = Number.POSITIVE_INFINITY,
): Wave[] {
  const key = (p: PingPair) => `${p.netns}\t${p.source ?? "-"}\t${p.toNetns ?? "-"}\t${p.target}`;
  const reverseKey = (p: PingPair) => `${p.toNetns ?? "-"}\t${p.target}\t${p.netns}\t${p.source ?? "-"}`;
  const index = new Map(pairs.map((p, i) => [key(p), i]));
  const taken = new Set<number>();
  const waves: Wave[] = [];
  let wave: Wave = { first: [], back: [] };
  let entries = 0;
  pairs.forEach((p, i) => {
    if (taken.has(i)) return;
    taken.add(i);
    const back = index.get(reverseKey(p));
    if (wave.first.length > 0 && (entries + 2 > room || wave.first.length >= floods)) {
      waves.push(wave);
      wave = { first: [], back: [] };
      entries = 0;
    }
    wave.first.push(i);
    entries += 2;
    if (back !== undefined && !taken.has(back)) {
      taken.add(back);
      wave.back.push(back);
    }
  });
  if (wave.first.length > 0) waves.push(wave);
  return waves;
}

const errnoName = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** Ping `pairs` through the agent; never throws for a lost ping. */
export async function agentPingPairs(
  agent: NsAgent,
  pairs: readonly PingPair[],
  options: PingOptions = {},
): Promise<PingResult[]> {
  const results: PingResult[] = new Array(pairs.length);
  if (pairs.length === 0) return results;
  const timeoutMs = Math.round((options.waitSeconds ?? 1) * 1000);
  const attempts = Math.max(1, options.attempts ?? 4);
  const retryMs = Math.max(10, Math.floor(timeoutMs / attempts));
  const families = new Set(pairs.map((p) => p.family));
  const room = options.neighbourBudget ?? Math.min(...[...families].map((f) => neighbourRoom(f)));
  const waves = planWaves(
    pairs,
    Math.max(2, room),
    Math.max(1, options.floodLimit ?? Number.POSITIVE_INFINITY),
  );
  let done = 0;
  // A pair without a reply in the first round is reported after its second chance (below).
  const settled = (r: PingResult, final: boolean) => final || !r.error?.startsWith("no reply");
  const runProbes = async (
    indexes: readonly number[],
    timeoutMs: number,
    retryMs: number,
    final: boolean,
  ) => {
    if (indexes.length === 0) return;
    const cmds = indexes.map((i) => {
      const p = pairs[i]!;
      return {
        op: "pingadd",
        ns: p.netns,
        ...(p.source ? { source: p.source } : {}),
        target: p.target,
      } as const;
    });
    const replies = await agent.exec([...cmds, { op: "pingrun", timeoutMs, retryMs }]);
    const run = replies[replies.length - 1]!;
    const rtts = run.status === "ok" && Array.isArray(run.data) ? (run.data as number[]) : undefined;
    indexes.forEach((i, k) => {
      const pair = pairs[i]!;
      const added = replies[k]!;
      let r: PingResult;
      if (added.status === "err") r = { pair, ok: false, error: added.message };
      else if (!rtts) r = { pair, ok: false, error: run.status === "err" ? run.message : "not run" };
      else {
        const v = rtts[k]!;
        if (v >= 0) r = { pair, ok: true, rttMs: v / 1000 };
        else if (v === -1) r = { pair, ok: false, error: `no reply within ${timeoutMs} ms` };
        else r = { pair, ok: false, error: `sending failed: ${errnoName.get(-v) ?? `errno ${-v}`}` };
      }
      results[i] = r;
      if (settled(r, final)) {
        done++;
        options.onResult?.(r);
      }
    });
    options.onProgress?.({ done, total: pairs.length, phase: "ping" });
  };
  const runWaves = async (list: readonly Wave[], timeoutMs: number, retryMs: number, final: boolean) => {
    for (const wave of list) {
      await runProbes(wave.first, timeoutMs, retryMs, final);
      await runProbes(wave.back, timeoutMs, retryMs, final);
      if (list.length > 1)
        await flushNeighbours(
          agent,
          [...wave.first, ...wave.back].map((i) => pairs[i]!),
        );
    }
  };
  await runWaves(waves, timeoutMs, retryMs, false);
  // A second chance for pairs that got no reply, waiting three times as long (as the process
  // path's last attempt does): the first packets of a flow through a busy OVS userspace datapath
  // (chains of bridges, every flow learnt by an upcall) can take longer than the first deadline.
  const lost = pairs.map((_, i) => i).filter((i) => results[i]!.error?.startsWith("no reply"));
  if (lost.length > 0) {
    const again = planWaves(
      lost.map((i) => pairs[i]!),
      Math.max(2, room),
      Math.max(1, options.floodLimit ?? Number.POSITIVE_INFINITY),
    ).map((w) => ({ first: w.first.map((k) => lost[k]!), back: w.back.map((k) => lost[k]!) }));
    await runWaves(again, timeoutMs * 3, retryMs * 3, true);
  }
  return results;
}

/** Empty the neighbour caches of every namespace a wave touched (sources and targets). */
async function flushNeighbours(agent: NsAgent, wave: readonly PingPair[]): Promise<void> {
  const namespaces = new Set<string>();
  for (const p of wave) {
    namespaces.add(p.netns);
    if (p.toNetns) namespaces.add(p.toNetns);
  }
  await flushNeighboursOf(agent, namespaces);
}
