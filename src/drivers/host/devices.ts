/**
 * The host's own interfaces and routes, read with `ip -json` (read-only): a host interface as it is
 * now (name, MAC and permanent MAC, MTU, state, alias, master, its addresses and the routes that use
 * it — what a lab that moves it in gives back) and the root namespace's routes. Reads a namespace
 * other than the root too (`ns`), which is how a moved interface is found again. The parsers are
 * pure and exported for tests.
 */
import type { HostDevice, RootRoute, SavedAddress, SavedRoute } from "../../plan/host-devices.js";
import type { Runner } from "../runner/index.js";

interface JsonLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu: number;
  address?: string;
  permaddr?: string;
  ifalias?: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}

interface JsonAddr {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
  broadcast?: string;
  dynamic?: boolean;
  noprefixroute?: boolean;
  label?: string;
}

interface JsonRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  prefsrc?: string;
  flags?: string[];
}

const TABLES: Record<string, number> = { main: 254, local: 255, default: 253 };

/** A link from `ip -j -d link show` and its `ip -j addr show` entry. */
export function parseDevice(
  link: JsonLink,
  addrs: readonly JsonAddr[],
  routes4: readonly JsonRoute[],
  routes6: readonly JsonRoute[],
): HostDevice {
  const addresses: SavedAddress[] = addrs
    .filter((a) => (a.scope ?? "global") === "global" && !a.dynamic)
    .map((a) => ({
      cidr: `${a.local}/${a.prefixlen}`,
      ...(a.broadcast ? { broadcast: a.broadcast } : {}),
      ...(a.noprefixroute ? { noprefixroute: true } : {}),
      ...(a.family === "inet" && a.label && a.label !== link.ifname ? { label: a.label } : {}),
    }));
  const routes = [...savedRoutes(routes4, 4), ...savedRoutes(routes6, 6)];
  return {
    name: link.ifname,
    ifindex: link.ifindex,
    kind: link.linkinfo?.info_kind ?? null,
    mac: link.address ?? null,
    ...(link.permaddr ? { permaddr: link.permaddr } : {}),
    mtu: link.mtu,
    up: (link.flags ?? []).includes("UP"),
    alias: link.ifalias ?? null,
    master: link.master ?? null,
    addresses,
    routes,
  };
}

/** The routes a user or a daemon put on an interface (not the kernel's own, not local/broadcast). */
export function savedRoutes(routes: readonly JsonRoute[], family: 4 | 6): SavedRoute[] {
  return routes
    .filter(
      (r) =>
        r.protocol !== "kernel" &&
        (r.type === undefined || r.type === "unicast") &&
        !(
          family === 6 &&
          (r.dst.startsWith("fe80:") || r.dst.startsWith("ff00:") || r.dst.startsWith("multicast"))
        ),
    )
    .map((r) => ({
      family,
      dst: r.dst,
      ...(r.gateway ? { gateway: r.gateway } : {}),
      ...(r.table && r.table !== "main" ? { table: r.table } : {}),
      ...(r.metric !== undefined ? { metric: r.metric } : {}),
      ...(r.protocol && r.protocol !== "boot" ? { protocol: r.protocol } : {}),
      ...(r.scope && r.scope !== "global" && !r.gateway ? { scope: r.scope } : {}),
      ...(r.prefsrc ? { prefsrc: r.prefsrc } : {}),
      ...((r.flags ?? []).includes("onlink") ? { onlink: true } : {}),
    }));
}

/** Root routes of `ip -j route show table all` (one family). */
export function parseRootRoutes(routes: readonly JsonRoute[], family: 4 | 6): RootRoute[] {
  return routes
    .filter((r) => r.type === undefined || r.type === "unicast")
    .map((r) => ({
      family,
      dst: r.dst === "default" ? (family === 4 ? "0.0.0.0/0" : "::/0") : r.dst,
      ...(r.dev ? { dev: r.dev } : {}),
      table: r.table === undefined ? 254 : (TABLES[r.table] ?? Number(r.table)),
    }));
}

async function ipJson<T>(runner: Runner, ns: string | null, args: string[]): Promise<T | undefined> {
  const argv = ["ip", ...(ns ? ["-n", ns] : []), "-j", ...args];
  const r = await runner.run(argv, { allowFailure: true, timeoutMs: 30_000 });
  if (r.exitCode !== 0) return undefined;
  try {
    return JSON.parse(r.stdout || "[]") as T;
  } catch {
    return undefined;
  }
}

/** Interface `name` of namespace `ns` (null: root) as it is now, or null when there is none. */
export async function probeDevice(
  runner: Runner,
  name: string,
  ns: string | null = null,
): Promise<HostDevice | null> {
  const links = await ipJson<JsonLink[]>(runner, ns, ["-d", "link", "show", "dev", name]);
  const link = links?.[0];
  if (!link) return null;
  const [addrs, r4, r6] = await Promise.all([
    ipJson<(JsonLink & { addr_info?: JsonAddr[] })[]>(runner, ns, ["addr", "show", "dev", name]),
    ipJson<JsonRoute[]>(runner, ns, ["-4", "route", "show", "table", "all", "dev", name]),
    ipJson<JsonRoute[]>(runner, ns, ["-6", "route", "show", "table", "all", "dev", name]),
  ]);
  return parseDevice(link, addrs?.[0]?.addr_info ?? [], r4 ?? [], r6 ?? []);
}

/** A link as seen when looking for a moved interface. */
export interface SeenDevice {
  name: string;
  ifindex: number;
  mac: string | null;
  permaddr?: string;
  alias: string | null;
  mtu: number;
}

/** Every link of a namespace (null: root) with its name, MACs and alias: to find a moved interface. */
export async function listDevices(runner: Runner, ns: string | null): Promise<SeenDevice[]> {
  const links = (await ipJson<JsonLink[]>(runner, ns, ["-d", "link", "show"])) ?? [];
  return links.map((l) => ({
    name: l.ifname,
    ifindex: l.ifindex,
    mac: l.address ?? null,
    ...(l.permaddr ? { permaddr: l.permaddr } : {}),
    alias: l.ifalias ?? null,
    mtu: l.mtu,
  }));
}

/** Give the namespace of process `pid` the name `name` (`ip netns attach`), to reach into it with `ip -n`. */
export async function attachNetns(runner: Runner, name: string, pid: number): Promise<boolean> {
  return (
    (await runner.run(["ip", "netns", "attach", name, String(pid)], { allowFailure: true })).exitCode === 0
  );
}

/** Take such a name away again (the namespace stays, held by its process). */
export async function detachNetns(runner: Runner, name: string): Promise<void> {
  await runner.run(["ip", "netns", "del", name], { allowFailure: true });
}

/** The root namespace's unicast routes of every table, both families. */
export async function probeRootRoutes(runner: Runner): Promise<RootRoute[]> {
  const [r4, r6] = await Promise.all([
    ipJson<JsonRoute[]>(runner, null, ["-4", "route", "show", "table", "all"]),
    ipJson<JsonRoute[]>(runner, null, ["-6", "route", "show", "table", "all"]),
  ]);
  return [...parseRootRoutes(r4 ?? [], 4), ...parseRootRoutes(r6 ?? [], 6)];
}
