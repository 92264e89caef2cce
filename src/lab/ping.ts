/**
 * `ping`: pairs of addresses sharing a subnet in a running lab, pinged from inside. Every pair
 * (default up to {@link ALL_PAIRS_MAX} pairs); beyond that — a 10,000-host lab on one subnet has
 * 10⁸ — the pair farthest apart in the topology plus a fixed sample, unless every pair is asked for.
 * Or one ping from a node to another node (or address) of the lab.
 */
import { procNumber } from "../drivers/host/facts.js";
import type { DriverUse } from "../engine/driver.js";
import type { CommonOptions } from "../engine/options.js";
import { NslabError } from "../errors.js";
import { parseAddress, sameSubnet } from "../model/ip.js";
import type { Topology } from "../model/types.js";
import { broadcastPeak } from "../plan/limits.js";
import { readLab } from "../state/store.js";
import { listSome } from "../util/listing.js";
import { countSubnetPairs, farthestPairs, type PingPair, samplePairs, subnetPairs } from "../verify/pairs.js";
import { pingPairs } from "../verify/ping.js";
import type { PingOptions, PingResult } from "../verify/ping-result.js";
import { upRecordOf } from "./record.js";

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

/** Ping pairs of lab `lab` (see {@link PairPolicy}), with a driver from `use`. */
export async function pingLab(
  lab: string,
  use: DriverUse,
  options: LabPingOptions = {},
): Promise<PingReport> {
  const started = performance.now();
  const state = upRecordOf(lab);
  const { policy, pairs, totalPairs } = choosePairs(state.topology, options.pairs ?? "auto", options.sample);
  const results = await runPairs(use, state.topology, pairs, options);
  const lost = results.filter((r) => !r.ok).length;
  if (lost > 0) stillUp(lab, state.createdAt);
  return { lab, policy, totalPairs, results, lost, durationMs: performance.now() - started };
}

/** Ping `pairs` of a lab whose topology is `t` (the agent's ping when the driver has the agent). */
export function runPairs(
  use: DriverUse,
  t: Topology,
  pairs: readonly PingPair[],
  options: PingOptions = {},
): Promise<PingResult[]> {
  return use(async (driver) => {
    const agent = driver.backend === "agent" ? await driver.agent() : undefined;
    return pingPairs(driver.runner, [...pairs], {
      floodLimit: floodLimit(t),
      ...options,
      ...(agent ? { agent } : {}),
    });
  });
}

/**
 * Lost pings of a lab that another process took down (or re-created) meanwhile say nothing about
 * the lab: say that instead (E_NOT_FOUND), as a ping started a moment later would.
 */
function stillUp(lab: string, createdAt: string): void {
  const now = readLab(lab);
  if (now?.status === "up" && now.createdAt === createdAt) return;
  throw new NslabError(
    "E_NOT_FOUND",
    `lab '${lab}' ${now ? (now.status === "up" ? "was re-created" : `went ${now.status === "destroying" ? "down" : now.status}`) : "went down"} while it was pinged`,
    { hint: "list labs with: nslab status" },
  );
}

/**
 * One ping from node `from` of lab `lab` to `to`: another node (an address of it on a subnet the
 * two share, else its first address, IPv4 first) or an address. Never throws for a lost ping.
 */
export async function pingFromNode(
  lab: string,
  use: DriverUse,
  from: string,
  to: string,
  options: CommonOptions & Omit<PingOptions, "parallel" | "onResult"> = {},
): Promise<PingResult> {
  const pair = pingPair(upRecordOf(lab).topology, from, to);
  return use(async (driver) => {
    const agent = driver.backend === "agent" ? await driver.agent() : undefined;
    const [result] = await pingPairs(driver.runner, [pair], {
      ...options,
      parallel: 1,
      ...(agent ? { agent } : {}),
    });
    return result!;
  });
}

/** The ping `pingFrom` makes (E_NOT_FOUND / E_USAGE naming what exists). */
export function pingPair(t: Topology, from: string, to: string): PingPair {
  const src = t.nodes.find((n) => n.name === from);
  if (!src)
    throw new NslabError("E_NOT_FOUND", `lab '${t.name}' has no node '${from}'`, {
      hint: `its nodes: ${listSome(t.nodes.map((n) => n.name))}`,
    });
  if (src.kind !== "netns")
    throw new NslabError("E_USAGE", `'${from}' is a ${src.kind}; ping from a namespace node`);
  const own = src.interfaces.flatMap((i) => i.addresses);
  const target = parseAddress(to);
  if (typeof target !== "string") {
    const source = own.find((a) => a.family === target.family && sameSubnetAs(a, target.address));
    return {
      from,
      netns: src.netns,
      ...(source ? { source: source.address } : {}),
      to,
      target: target.address,
      family: target.family,
    };
  }
  const dst = t.nodes.find((n) => n.name === to);
  if (!dst)
    throw new NslabError("E_NOT_FOUND", `'${to}' is neither a node of lab '${t.name}' nor an address`, {
      hint: `its nodes: ${listSome(t.nodes.map((n) => n.name))}`,
    });
  const addrs = dst.interfaces.flatMap((i) => i.addresses.map((a) => ({ iface: i.name, a })));
  // An address of the destination on a subnet the source is on, IPv4 first.
  const shared = addrs.flatMap(({ iface, a }) => {
    const source = own.find((o) => o.family === a.family && sameSubnet(o, a));
    return source ? [{ iface, a, source }] : [];
  });
  const best = shared.find((x) => x.a.family === 4) ?? shared[0];
  if (best)
    return {
      from,
      netns: src.netns,
      source: best.source.address,
      to: `${to}:${best.iface}`,
      target: best.a.address,
      family: best.a.family,
    };
  const first = addrs.find((x) => x.a.family === 4) ?? addrs[0];
  if (!first)
    throw new NslabError("E_USAGE", `node '${to}' has no address to ping`, {
      hint: "ping a node with an address, or give an address",
    });
  return {
    from,
    netns: src.netns,
    to: `${to}:${first.iface}`,
    target: first.a.address,
    family: first.a.family,
  };
}

function sameSubnetAs(a: { family: 4 | 6; address: string; prefix: number }, address: string): boolean {
  return sameSubnet(a, { family: a.family, address, prefix: a.prefix });
}
