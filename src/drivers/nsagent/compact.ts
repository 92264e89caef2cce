/**
 * The compact form of the agent's dumps (`nsdumpc`, `bridgedumpc`): `[links, addrs, routes]`, each
 * member an array of its fields in the order of the object form ({@link NsDump}) — a third of the
 * bytes, no keys to parse, and, for a reader that makes its own objects from them, no second set.
 * Pure functions: the outline check and the conversions between the two forms.
 */
import type {
  DumpAddr,
  DumpLink,
  DumpLinkStats,
  DumpOperstate,
  DumpRoute,
  NsDump,
} from "../../plan/observed.js";

const OPERSTATES: readonly DumpOperstate[] = [
  "UNKNOWN",
  "NOTPRESENT",
  "DOWN",
  "LOWERLAYERDOWN",
  "TESTING",
  "DORMANT",
  "UP",
];
/** `IFF_UP` and `IFF_LOWER_UP` of a link's flags. */
const IFF_UP = 1;
const IFF_LOWER_UP = 1 << 16;

/** One link of a compact dump: the fields of {@link DumpLink} in order, flags raw, operstate 0–6. */
export type CompactLink = [
  ifindex: number,
  name: string,
  kind: string | null,
  flags: number,
  operstate: number,
  mtu: number,
  mac: string | null,
  alias: string | null,
  group: number,
  master: number | null,
  link: number | null,
  linkNetnsid: number | null,
  rxBytes: number,
  txBytes: number,
  rxPackets: number,
  txPackets: number,
  rxErrors: number,
  txErrors: number,
  rxDropped: number,
  txDropped: number,
];
/** One address of a compact dump (scope as its number). */
export type CompactAddr = [ifindex: number, family: 4 | 6, cidr: string, scope: number];
/** One route of a compact dump. */
export type CompactRoute = [
  family: 4 | 6,
  dst: string,
  gateway: string | null,
  oif: number | null,
  metric: number | null,
  protocol: number,
  scope: number,
  table: number,
];

function scopeName(scope: number): DumpAddr["scope"] {
  return scope === 0 ? "global" : scope === 253 ? "link" : scope === 254 ? "host" : scope;
}

/** A compact dump as the agent answers `nsdumpc` and `bridgedumpc`: `[links, addrs, routes]`. */
export type CompactDump = [links: CompactLink[], addrs: CompactAddr[], routes: CompactRoute[]];

/**
 * Check the outline of a compact dump (`[links, addrs, routes]`, each member an array of its
 * fields in the order of the object form); throws TypeError when it is not that. The members are
 * trusted as the agent wrote them.
 */
export function asCompactDump(data: unknown): CompactDump {
  if (
    !Array.isArray(data) ||
    data.length !== 3 ||
    !Array.isArray(data[0]) ||
    !Array.isArray(data[1]) ||
    !Array.isArray(data[2])
  )
    throw new TypeError("nsagent: compact dump reply is not [links, addrs, routes]");
  return data as CompactDump;
}

/** The operstate of a compact link by its name (its index in the kernel's list). */
export function operstateOf(code: number): DumpOperstate {
  return OPERSTATES[code] ?? "UNKNOWN";
}

/** A dump in the object form as a compact one (what an agent older than `nsdumpc`, or iproute2, gave). */
export function toCompactDump(d: NsDump): CompactDump {
  const s = (l: DumpLink) => l.stats;
  return [
    d.links.map(
      (l): CompactLink => [
        l.ifindex,
        l.name,
        l.kind,
        l.flags,
        Math.max(0, OPERSTATES.indexOf(l.operstate)),
        l.mtu,
        l.mac,
        l.alias,
        l.group,
        l.master,
        l.link,
        l.linkNetnsid,
        s(l).rxBytes,
        s(l).txBytes,
        s(l).rxPackets,
        s(l).txPackets,
        s(l).rxErrors,
        s(l).txErrors,
        s(l).rxDropped,
        s(l).txDropped,
      ],
    ),
    d.addrs.map(
      (a): CompactAddr => [
        a.ifindex,
        a.family,
        a.cidr,
        a.scope === "global" ? 0 : a.scope === "link" ? 253 : a.scope === "host" ? 254 : a.scope,
      ],
    ),
    d.routes.map(
      (r): CompactRoute => [r.family, r.dst, r.gateway, r.oif, r.metric, r.protocol, r.scope, r.table],
    ),
  ];
}

/** A compact link's counters. */
export function linkStats(l: CompactLink): DumpLinkStats {
  return {
    rxBytes: l[12],
    txBytes: l[13],
    rxPackets: l[14],
    txPackets: l[15],
    rxErrors: l[16],
    txErrors: l[17],
    rxDropped: l[18],
    txDropped: l[19],
  };
}

/**
 * A compact dump (`nsdumpc`, `bridgedumpc`: see {@link asCompactDump}) as the {@link NsDump} `dump`
 * answers. Throws TypeError when its outline is not that.
 */
export function fromCompactDump(data: unknown): NsDump {
  asCompactDump(data);
  const [compactLinks, compactAddrs, compactRoutes] = data as CompactDump;
  const links = compactLinks.map(
    (l): DumpLink => ({
      ifindex: l[0],
      name: l[1],
      kind: l[2],
      flags: l[3],
      up: (l[3] & IFF_UP) !== 0,
      lowerUp: (l[3] & IFF_LOWER_UP) !== 0,
      operstate: OPERSTATES[l[4]] ?? "UNKNOWN",
      mtu: l[5],
      mac: l[6],
      alias: l[7],
      group: l[8],
      master: l[9],
      link: l[10],
      linkNetnsid: l[11],
      stats: linkStats(l),
    }),
  );
  const addrs = compactAddrs.map(
    (a): DumpAddr => ({ ifindex: a[0], family: a[1], cidr: a[2], scope: scopeName(a[3]) }),
  );
  const routes = compactRoutes.map(
    (r): DumpRoute => ({
      family: r[0],
      dst: r[1],
      gateway: r[2],
      oif: r[3],
      metric: r[4],
      protocol: r[5],
      scope: r[6],
      table: r[7],
    }),
  );
  return { links, addrs, routes };
}
