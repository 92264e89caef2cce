/**
 * `ping` of a lab spread over several machines, from the machine that brought it up: the pairs are
 * chosen over the whole lab (as for a lab on one machine), each pair is pinged on the machine of its
 * source node (`nslab remote`, request `ping`, over ssh), and the answers are merged in pair order.
 * A machine that cannot be reached is named (a warning, and the error of each of its pairs, which
 * count as lost); the other machines' pairs are still pinged and reported.
 */
import { failures, Machines, machinesError, sshSettings } from "../../engine/multi/machines.js";
import { targetOf } from "../../engine/multi/up.js";
import { NslabError } from "../../errors.js";
import { readMultiLab } from "../../state/multi.js";
import type { PingPair } from "../../verify/pairs.js";
import type { PingResult } from "../../verify/ping-result.js";
import { choosePairs, type LabPingOptions, type PingReport } from "../ping.js";

/** Ping pairs of multi-machine lab `lab` (see {@link choosePairs}). */
export async function pingMulti(lab: string, options: LabPingOptions = {}): Promise<PingReport> {
  const started = performance.now();
  const state = readMultiLab(lab);
  if (state?.status !== "up")
    throw new NslabError(
      "E_NOT_FOUND",
      state ? `lab '${lab}' is ${state.status}, not up` : `no lab named '${lab}' is up`,
    );
  const t = state.topology;
  const { policy, pairs, totalPairs } = choosePairs(t, options.pairs ?? "auto", options.sample);
  const hostOf = new Map(t.nodes.map((n) => [n.name, n.host]));
  const byHost = new Map<string, PingPair[]>();
  for (const p of pairs) {
    const h = hostOf.get(p.from);
    if (h === undefined) throw new Error(`internal: node '${p.from}' of lab '${lab}' has no host`);
    byHost.set(h, [...(byHost.get(h) ?? []), p]);
  }
  const machines = new Machines(
    state.hosts.filter((h) => byHost.has(h.name)).map(targetOf),
    sshSettings(state.sshConfig),
    { ...(options.runner ? { runner: options.runner } : {}), ...(options.log ? { log: options.log } : {}) },
  );
  // Only what travels: numbers, no callbacks.
  const wire = {
    ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
    ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
  };
  let answered: Awaited<ReturnType<typeof machines.each<PingResult[]>>>;
  try {
    answered = await machines.each((s, h) =>
      s.request<PingResult[]>("ping", { lab, pairs: byHost.get(h)!, options: wire }, { timeoutMs: 600_000 }),
    );
  } finally {
    await machines.close();
  }
  // A machine that did not answer: its pairs are failed results that name it (the rest are reported).
  const unanswered = new Map<string, string>();
  for (const [h, o] of answered)
    if (!o.ok) {
      unanswered.set(h, o.error.message);
      options.log?.("warn", `${o.error.message}: its ${byHost.get(h)!.length} pairs were not pinged`);
    }
  if (unanswered.size === byHost.size && unanswered.size > 0)
    throw machinesError(`could not ping any pair of lab '${lab}'`, failures(answered));
  const key = (p: PingPair) => `${p.netns}\u0000${p.source ?? ""}\u0000${p.target}\u0000${p.to}`;
  const byPair = new Map<string, PingResult>();
  for (const o of answered.values()) if (o.ok) for (const r of o.value) byPair.set(key(r.pair), r);
  const results = pairs.map((p) => {
    const why = unanswered.get(hostOf.get(p.from)!);
    const r = why !== undefined ? { pair: p, ok: false, error: `not pinged: ${why}` } : byPair.get(key(p));
    if (!r) throw new Error(`internal: no answer for the pair ${p.from} -> ${p.to}`);
    options.onResult?.(r);
    return r;
  });
  const lost = results.filter((r) => !r.ok).length;
  return { lab, policy, totalPairs, results, lost, durationMs: performance.now() - started };
}
