/**
 * `uplink: auto`: the device of the host's IPv4 default route in the main table — the one the
 * kernel uses (the lowest metric; of equals, the first listed; of a multipath route, its first
 * next hop). Read with one `ip -j -4 route show table main default`; never sends anything.
 */
import { type Runner, systemRunner } from "../runner/index.js";

/** One entry of `ip -j route show` (the fields used here). */
export interface RouteJson {
  dst?: string;
  dev?: string;
  metric?: number;
  type?: string;
  nexthops?: { dev?: string }[];
}

/** The uplink `auto` means, from `ip -j -4 route show table main default`; null when there is none. */
export function chooseUplink(routes: readonly RouteJson[]): string | null {
  let best: { dev: string; metric: number } | undefined;
  for (const r of routes) {
    if (r.dst !== "default" || (r.type !== undefined && r.type !== "unicast")) continue;
    const dev = r.dev ?? r.nexthops?.find((h) => h.dev)?.dev;
    if (!dev) continue;
    const metric = r.metric ?? 0;
    if (!best || metric < best.metric) best = { dev, metric };
  }
  return best?.dev ?? null;
}

/** The device of the host's IPv4 default route, or null. */
export async function defaultUplink(runner: Runner = systemRunner): Promise<string | null> {
  const r = await runner.run(["ip", "-j", "-4", "route", "show", "table", "main", "default"], {
    allowFailure: true,
    timeoutMs: 10_000,
  });
  if (r.exitCode !== 0) return null;
  return chooseUplink(JSON.parse(r.stdout.trim() || "[]") as RouteJson[]);
}
