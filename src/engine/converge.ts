/**
 * Waiting for routing to converge: each router's sessions (read with `vtysh … json` run in the
 * router) and kernel routes (the lab's dumps) polled until nothing is lacking, or the time is up —
 * then an error that names each router and what it lacks. Used by `up --wait` (the default for labs
 * whose routers run FRR) and by the running lab's `waitConverged`.
 */
import type { Driver } from "../drivers/driver.js";
import { readSessions } from "../drivers/frr/observe.js";
import { NslabError } from "../errors.js";
import {
  type Lacking,
  lacking,
  type RouterExpectation,
  type RouterObservation,
} from "../plan/frr/converge.js";
import { describeLacking } from "../plan/frr/lacking-text.js";

/** How long `up --wait` waits by default: above the ~50 s FRR's default timers take (frr01). */
export const DEFAULT_CONVERGE_TIMEOUT_MS = 120_000;

export interface ConvergeOptions {
  timeoutMs?: number;
  /** Between two looks (default 250 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called after each look that found routers lacking something. */
  onWait?: (lacking: readonly Lacking[], elapsedMs: number) => void;
}

export interface ConvergeResult {
  /** From the call to the look that found nothing lacking. */
  ms: number;
  /** Looks taken. */
  looks: number;
}

/** How to look at the routers: what each has now. */
export type LookFn = (expectations: readonly RouterExpectation[]) => Promise<Map<string, RouterObservation>>;

/** Look until nothing is lacking; E_VERIFY naming each router's lacks when `timeoutMs` passes. */
export async function waitConverged(
  expectations: readonly RouterExpectation[],
  look: LookFn,
  options: ConvergeOptions = {},
): Promise<ConvergeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONVERGE_TIMEOUT_MS;
  const interval = options.intervalMs ?? 250;
  const start = performance.now();
  let looks = 0;
  for (;;) {
    if (options.signal?.aborted)
      throw new NslabError("E_INTERRUPTED", "interrupted while waiting for routing to converge");
    looks++;
    const missing = lacking(expectations, await look(expectations));
    const elapsed = performance.now() - start;
    if (missing.length === 0) return { ms: elapsed, looks };
    if (elapsed >= timeoutMs)
      throw new NslabError(
        "E_VERIFY",
        `routing did not converge within ${(timeoutMs / 1000).toFixed(0)} s; ${missing.length} of ${expectations.length} router${expectations.length === 1 ? "" : "s"} lack something:\n  ${describeLacking(missing).join("\n  ")}`,
        {
          hint: "look inside a router: nslab exec LAB ROUTER -- vtysh -c 'show ip route' (and 'show ip ospf neighbor' or 'show bgp summary'); a longer --wait helps labs with FRR's default timers",
        },
      );
    options.onWait?.(missing, elapsed);
    await sleep(Math.min(interval, timeoutMs - elapsed), options.signal);
  }
}

/** Look at the routers of a running lab: their namespaces' dumps and what their FRR says. */
export function lookWith(
  driver: Driver,
  vtysh: string,
  inRouter: (netns: string, argv: readonly string[]) => string[],
  parallel = 8,
): LookFn {
  return async (expectations) => {
    const dumps = await driver.dumpMany(expectations.map((e) => e.netns));
    const out = new Map<string, RouterObservation>();
    let next = 0;
    const worker = async () => {
      while (next < expectations.length) {
        const e = expectations[next++]!;
        const dump = dumps.get(e.netns);
        if (!dump || dump instanceof Error) {
          out.set(e.node, {
            error: dump instanceof Error ? dump.message : "its namespace could not be read",
          });
          continue;
        }
        try {
          const neighbors = await readSessions(
            driver.runner,
            (argv) => inRouter(e.netns, argv),
            vtysh,
            e.protocols,
          );
          out.set(e.node, { dump, neighbors });
        } catch (err) {
          out.set(e.node, { dump, error: (err as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, expectations.length) }, worker));
    return out;
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
