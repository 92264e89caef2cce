/**
 * `test` of a lab spread over several machines, from the machine that brought it up: the checks are
 * made over the whole lab (its expectations and the subnet ping matrix, as on one machine); the TCP
 * listeners are started first on the machines of the nodes that listen, then every check runs on
 * the machine of its source node, all machines at once, and the results come back in check order.
 * A machine that cannot be reached fails its checks with a detail that names it (and what to do);
 * the other machines' checks are still run and reported.
 */

import type { Outcome } from "../../engine/multi/machines.js";
import type { CommonOptions } from "../../engine/options.js";
import { type Check, type CheckResult, labChecks, type RunChecksOptions } from "../../verify/checks.js";
import { openMachines, unreachableFix, upMultiRecord } from "./lab.js";

/** What `test` found (the shape of lab/test.ts's TestReport; that module dispatches here). */
export interface MultiTestReport {
  lab: string;
  results: CheckResult[];
  passed: number;
  failed: number;
  broughtUp: boolean;
  startedAt: string;
  durationMs: number;
}

/** Test running multi-machine lab `lab` with the expectations it was brought up with. */
export async function testMulti(
  lab: string,
  options: Pick<CommonOptions, "runner" | "log"> & { matrix?: boolean } & RunChecksOptions = {},
): Promise<MultiTestReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const state = upMultiRecord(lab);
  const t = state.topology;
  const hostOfNode = new Map(t.nodes.map((n) => [n.name, n.host!]));
  const hostOfNs = new Map(t.nodes.flatMap((n) => (n.kind === "netns" ? [[n.netns, n.host!] as const] : [])));
  const checks = labChecks(t, { matrix: options.matrix !== false });

  // The listeners each machine starts (namespace and port, once each).
  const listeners = new Map<string, Map<string, { ns: string; port: number }>>();
  for (const c of checks)
    for (const p of c.probes)
      if (p.kind === "tcp" && p.listenIn && !p.error) {
        const h = hostOfNs.get(p.listenIn)!;
        if (!listeners.has(h)) listeners.set(h, new Map());
        listeners.get(h)!.set(`${p.listenIn}/${p.port}`, { ns: p.listenIn, port: p.port! });
      }
  const byHost = new Map<string, number[]>();
  checks.forEach((c, i) => {
    const h = hostOfNode.get(c.from)!;
    byHost.set(h, [...(byHost.get(h) ?? []), i]);
  });

  const involved = new Set([...listeners.keys(), ...byHost.keys()]);
  const machines = openMachines(state, options, involved);
  const results: CheckResult[] = new Array(checks.length);
  try {
    // 1. Listeners, on the machines of the nodes that accept the TCP checks (kept for the session).
    const listened = await machines.each(
      (s, h) => s.request("listen", { listeners: [...listeners.get(h)!.values()] }, { timeoutMs: 60_000 }),
      listeners.keys(),
    );
    const listenError = new Map<string, string>();
    for (const [h, o] of listened)
      if (!o.ok) {
        for (const key of listeners.get(h)!.keys()) listenError.set(key, o.error.message);
      }
    // 2. The checks, each on its source's machine (the listeners are already there).
    const sent = (i: number): Check => {
      const c = checks[i]!;
      return {
        ...c,
        probes: c.probes.map(({ listenIn, ...p }) => {
          const error = listenIn ? listenError.get(`${listenIn}/${p.port}`) : undefined;
          return error && !p.error ? { ...p, error: `no listener: ${error}` } : p;
        }),
      };
    };
    const ran: Map<string, Outcome<CheckResult[]>> = await machines.each(
      (s, h) =>
        s.request<CheckResult[]>(
          "checks",
          {
            checks: byHost.get(h)!.map(sent),
            options: {
              ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
              ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
            },
          },
          { timeoutMs: 600_000 },
        ),
      byHost.keys(),
    );
    for (const [h, o] of ran) {
      const indexes = byHost.get(h)!;
      if (o.ok) {
        indexes.forEach((ci, k) => {
          results[ci] = o.value[k]!;
          options.onResult?.(results[ci]!);
        });
        continue;
      }
      const host = state.hosts.find((x) => x.name === h)!;
      for (const ci of indexes) {
        results[ci] = notRun(checks[ci]!, `${o.error.message} (${unreachableFix(lab, host)})`);
        options.onResult?.(results[ci]!);
      }
    }
  } finally {
    await machines.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  return {
    lab,
    results,
    passed: results.length - failed,
    failed,
    broughtUp: false,
    startedAt,
    durationMs: performance.now() - started,
  };
}

/** A check that could not run: failed, with why. */
function notRun(c: Check, why: string): CheckResult {
  return {
    group: c.group,
    name: c.name,
    from: c.from,
    to: c.to,
    protocol: c.protocol,
    expect: c.expect,
    reachable: false,
    ok: false,
    detail: `not checked: ${why}`,
    probes: [],
    durationMs: 0,
    ...(c.src ? { where: `${c.src.file}:${c.src.line}:${c.src.column}` } : {}),
  };
}
