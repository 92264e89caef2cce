/**
 * `ping`: every pair of addresses sharing a subnet in a running lab, pinged from inside; or one
 * ping from a node to another node (or address) of the lab.
 */
import { systemRunner } from "../drivers/runner/index.js";
import { NslabError } from "../errors.js";
import { parseAddress, sameSubnet } from "../model/ip.js";
import type { Topology } from "../model/types.js";
import { type LabState, readLab } from "../state/store.js";
import { type PingPair, subnetPairs } from "../verify/pairs.js";
import { type PingOptions, type PingResult, pingPairs } from "../verify/ping.js";
import type { CommonOptions } from "./options.js";

/** What `ping` found. */
export interface PingReport {
  lab: string;
  /** One result per pair, sources in node order. */
  results: PingResult[];
  /** Number of pairs that did not answer. */
  lost: number;
  durationMs: number;
}

/**
 * Ping every pair of addresses sharing a subnet in lab `lab`, from inside its namespaces (each
 * source from its own address on that subnet). A lost ping is a result (`lost`), not an error;
 * E_NOT_FOUND when the lab is not up.
 */
export async function ping(lab: string, options: CommonOptions & PingOptions = {}): Promise<PingReport> {
  const started = performance.now();
  const state = upLab(lab);
  const pairs = subnetPairs(state.topology);
  const results = await pingPairs(options.runner ?? systemRunner, pairs, options);
  return { lab, results, lost: results.filter((r) => !r.ok).length, durationMs: performance.now() - started };
}

function upLab(lab: string): LabState {
  const state = readLab(lab);
  if (state?.status !== "up")
    throw new NslabError(
      "E_NOT_FOUND",
      state ? `lab '${lab}' is ${state.status}, not up` : `no lab named '${lab}' is up`,
      { hint: "list labs with: nslab status" },
    );
  return state;
}

/**
 * One ping from node `from` of lab `lab` to `to`: another node (an address of it on a subnet the
 * two share, else its first address, IPv4 first) or an address. Never throws for a lost ping.
 */
export async function pingFrom(
  lab: string,
  from: string,
  to: string,
  options: CommonOptions & Omit<PingOptions, "parallel" | "onResult"> = {},
): Promise<PingResult> {
  const pair = pingPair(upLab(lab).topology, from, to);
  const [result] = await pingPairs(options.runner ?? systemRunner, [pair], { ...options, parallel: 1 });
  return result!;
}

/** The ping `pingFrom` makes (E_NOT_FOUND / E_USAGE naming what exists). */
export function pingPair(t: Topology, from: string, to: string): PingPair {
  const src = t.nodes.find((n) => n.name === from);
  if (!src)
    throw new NslabError("E_NOT_FOUND", `lab '${t.name}' has no node '${from}'`, {
      hint: `its nodes: ${t.nodes.map((n) => n.name).join(", ")}`,
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
      hint: `its nodes: ${t.nodes.map((n) => n.name).join(", ")}`,
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
