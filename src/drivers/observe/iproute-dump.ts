/**
 * A namespace's links, addresses and routes read with `ip -json` (the fallback when the native
 * agent is not built), in the same shape the agent's `dump` returns.
 */

import type { DumpAddr, DumpLink, DumpOperstate, DumpRoute, NsDump } from "../../plan/observed.js";
import { JsonStreamSplitter } from "../ovs/jsonrpc.js";
import type { Runner } from "../runner/index.js";

interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  group?: string;
  address?: string;
  ifalias?: string;
  master?: string;
  link_index?: number;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string };
  stats64?: { rx?: Record<string, number>; tx?: Record<string, number> };
}
interface IpAddrLink {
  ifindex: number;
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  protocol?: string;
  scope?: string;
  type?: string;
}

const PROTOCOLS: Record<string, number> = { redirect: 1, kernel: 2, boot: 3, static: 4, ra: 9, dhcp: 16 };
const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254 };
const IFF: Record<string, number> = {
  UP: 1,
  BROADCAST: 2,
  LOOPBACK: 8,
  POINTOPOINT: 0x10,
  NOARP: 0x80,
  PROMISC: 0x100,
  MULTICAST: 0x1000,
  LOWER_UP: 0x10000,
};

/** Dump namespace `ns` (`null` = root) with two `ip -json` processes; retried when the kernel
 * reports the dump as interrupted by a concurrent change. */
export async function iprouteDump(runner: Runner, ns: string | null): Promise<NsDump> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await dumpOnce(runner, ns);
    } catch (e) {
      if (attempt >= 10 || !/interrupted|inconsistent/i.test(String((e as Error).message))) throw e;
      await new Promise((r) => setTimeout(r, 2 << attempt));
    }
  }
}

async function dumpOnce(runner: Runner, ns: string | null): Promise<NsDump> {
  const n = ns === null ? [] : ["-n", ns];
  const [main, v6] = await Promise.all([
    runner.run(["ip", ...n, "-json", "-details", "-statistics", "-batch", "-"], {
      input: "link show\naddr show\nroute show table main\n",
    }),
    runner.run(["ip", ...n, "-json", "-6", "route", "show", "table", "main"]),
  ]);
  const values = new JsonStreamSplitter().push(main.stdout) as unknown[];
  const links = (values[0] ?? []) as IpLink[];
  const addrLinks = (values[1] ?? []) as IpAddrLink[];
  const routes4 = (values[2] ?? []) as IpRoute[];
  const routes6 = JSON.parse(v6.stdout || "[]") as IpRoute[];
  const byName = new Map(links.map((l) => [l.ifname, l.ifindex]));
  return {
    links: links.map((l) => toLink(l, byName)),
    addrs: addrLinks.flatMap((l) =>
      (l.addr_info ?? []).map(
        (a): DumpAddr => ({
          ifindex: l.ifindex,
          family: a.family === "inet6" ? 6 : 4,
          cidr: `${a.local}/${a.prefixlen}`,
          scope:
            a.scope === "global" || a.scope === "link" || a.scope === "host"
              ? a.scope
              : (SCOPES[a.scope] ?? 0),
        }),
      ),
    ),
    routes: [
      ...routes4.map((r) => toRoute(r, 4, byName)),
      ...routes6
        .filter((r) => !r.dst.startsWith("ff00::") && r.type !== "multicast")
        .map((r) => toRoute(r, 6, byName)),
    ],
  };
}

function toLink(l: IpLink, byName: Map<string, number>): DumpLink {
  const flags = (l.flags ?? []).reduce((f, name) => f | (IFF[name] ?? 0), 0);
  const rx = l.stats64?.rx ?? {};
  const tx = l.stats64?.tx ?? {};
  return {
    ifindex: l.ifindex,
    name: l.ifname,
    kind: l.linkinfo?.info_kind ?? null,
    flags,
    up: (l.flags ?? []).includes("UP"),
    lowerUp: (l.flags ?? []).includes("LOWER_UP"),
    operstate: (l.operstate ?? "UNKNOWN") as DumpOperstate,
    mtu: l.mtu ?? 0,
    mac: l.address ?? null,
    alias: l.ifalias ?? null,
    group: l.group === "default" || l.group === undefined ? 0 : Number(l.group),
    master: l.master ? (byName.get(l.master) ?? null) : null,
    link: l.link_index ?? null,
    linkNetnsid: l.link_netnsid ?? null,
    stats: {
      rxBytes: rx.bytes ?? 0,
      txBytes: tx.bytes ?? 0,
      rxPackets: rx.packets ?? 0,
      txPackets: tx.packets ?? 0,
      rxErrors: rx.errors ?? 0,
      txErrors: tx.errors ?? 0,
      rxDropped: rx.dropped ?? 0,
      txDropped: tx.dropped ?? 0,
    },
  };
}

function toRoute(r: IpRoute, family: 4 | 6, byName: Map<string, number>): DumpRoute {
  const dst =
    r.dst === "default"
      ? family === 4
        ? "0.0.0.0/0"
        : "::/0"
      : r.dst.includes("/")
        ? r.dst
        : `${r.dst}/${family === 4 ? 32 : 128}`;
  return {
    family,
    dst,
    gateway: r.gateway ?? null,
    oif: r.dev ? (byName.get(r.dev) ?? null) : null,
    metric: r.metric ?? null,
    protocol: PROTOCOLS[r.protocol ?? "boot"] ?? 0,
    scope: SCOPES[r.scope ?? "global"] ?? 0,
    table: 254,
  };
}
