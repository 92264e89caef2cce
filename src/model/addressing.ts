/**
 * Automatic addressing: namespace interfaces written without addresses get them from the lab's
 * pools (`addressing: { ipv4: …, ipv6: … }`). Each layer-2 segment gets one subnet: a point-to-point
 * veth pair a /30 (IPv4) and a /64 (IPv6), a bridge segment a /24 (larger when it has more than 254
 * interfaces) and a /64. A segment that already has a manual address of a family takes the rest of
 * its addresses from that subnet; new subnets skip every subnet a manual address lies in.
 * Deterministic: subnets go to segments in order of size, then of first appearance in `links`; on
 * each segment routers get the lowest free addresses (the gateway is .1), then hosts in link order. An interface written with an empty list (`eth0: []`)
 * gets no address.
 */
import type { Problem, SourceLocation } from "../errors.js";
import { addressValue, type Cidr, type Family, formatAddress, networkOf, parseCidr } from "./ip.js";
import { forwards } from "./routing.js";
import type { Segment } from "./segments.js";
import type { AddressingInfo, Interface, Topology } from "./types.js";

/** Prefix lengths nslab allocates. */
export const P2P_PREFIX: Record<Family, number> = { 4: 30, 6: 64 };
export const LAN_PREFIX: Record<Family, number> = { 4: 24, 6: 64 };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** A pool as written, checked. */
export interface Pool {
  cidr: Cidr;
  src: SourceLocation;
}

/** Parse and check a pool (`ipv4`/`ipv6` of `addressing`); an error message when it is unusable. */
export function parsePool(text: string, family: Family): Cidr | string {
  const c = parseCidr(text);
  if (typeof c === "string") return `invalid pool: ${c}`;
  if (c.family !== family)
    return `'${text}' is an IPv${c.family} prefix; ipv${family} needs an IPv${family} pool`;
  if (addressValue(c) !== networkOf(c))
    return `'${text}' has host bits set; write the network, e.g. ${formatAddress(family, networkOf(c))}/${c.prefix}`;
  if (c.prefix > P2P_PREFIX[family])
    return `pool '${text}' is smaller than one point-to-point subnet (/${P2P_PREFIX[family]})`;
  return c;
}

export interface AddressingInput {
  pools: Partial<Record<Family, Pool>>;
  /** `node:iface` written with an empty address list: they stay without addresses. */
  optOut: ReadonlySet<string>;
}

/** Give addresses to the interfaces of `t` that have none (mutates them); report what was done. */
export function allocateAddresses(
  t: Topology,
  segments: readonly Segment[],
  input: AddressingInput,
): { info: AddressingInfo; problems: Problem[] } {
  const info: AddressingInfo = { pools: {}, assigned: [], segments: [] };
  const problems: Problem[] = [];
  const ifaces = new Map<string, Interface>();
  const routers = new Set<string>();
  for (const n of t.nodes)
    if (n.kind === "netns") {
      for (const i of n.interfaces) ifaces.set(`${n.name}:${i.name}`, i);
      if (forwards(n, 4) || forwards(n, 6)) routers.add(n.name);
    }
  for (const family of [4, 6] as const) {
    const pool = input.pools[family];
    if (!pool) continue;
    info.pools[family === 4 ? "ipv4" : "ipv6"] = `${pool.cidr.address}/${pool.cidr.prefix}`;
    allocateFamily(family, pool, segments, ifaces, routers, input.optOut, info, problems);
  }
  return { info, problems };
}

interface Request {
  segment: Segment;
  needing: string[];
  prefix: number;
}

function allocateFamily(
  family: Family,
  pool: Pool,
  segments: readonly Segment[],
  ifaces: Map<string, Interface>,
  routers: ReadonlySet<string>,
  optOut: ReadonlySet<string>,
  info: AddressingInfo,
  problems: Problem[],
): void {
  const used = new Set<bigint>();
  const manual: { net: bigint; size: bigint; text: string; owner: string }[] = [];
  for (const [owner, i] of ifaces)
    for (const a of i.addresses) {
      if (a.family !== family) continue;
      used.add(addressValue(a));
      manual.push({ net: networkOf(a), size: blockSize(family, a.prefix), text: subnetText(a), owner });
    }

  const requests: Request[] = [];
  const nodeOf = (key: string) => key.slice(0, key.indexOf(":"));
  for (const segment of segments) {
    const keys = segment.ends.map((e) => `${e.node}:${e.iface}`);
    // Routers first, so a segment's gateway gets its lowest address (.1), then in link order.
    const needing = keys
      .filter((k) => {
        const i = ifaces.get(k);
        return i && !optOut.has(k) && !i.addresses.some((a) => a.family === family);
      })
      .sort((x, y) => Number(routers.has(nodeOf(y))) - Number(routers.has(nodeOf(x))));
    if (needing.length === 0) continue;
    const existing = keys.flatMap(
      (k) => ifaces.get(k)?.addresses.filter((a) => a.family === family) ?? [],
    )[0];
    if (existing) {
      // Join the subnet the segment already uses.
      const hosts = freeHosts(family, networkOf(existing), existing.prefix, used);
      for (const key of needing) {
        const next = hosts.next();
        if (next.done) {
          problems.push({
            message: `no free address left in ${subnetText(existing)} (segment ${segment.label}) for ${key}`,
            location: ifaces.get(key)?.src,
            hint: "give the segment a larger subnet, or write this interface's address",
          });
          break;
        }
        assign(key, family, next.value, existing.prefix, ifaces, info);
      }
      info.segments.push({
        label: segment.label,
        subnet: subnetText(existing),
        members: keys,
        fromPool: false,
      });
      continue;
    }
    requests.push({ segment, needing, prefix: prefixFor(family, segment, needing.length) });
  }

  // Bigger subnets first keeps every block aligned without gaps; then file order.
  requests.sort((x, y) => x.prefix - y.prefix || x.segment.index - y.segment.index);
  const taken = mergeIntervals(manual.map((m) => [m.net, m.net + m.size] as const));
  const poolStart = networkOf(pool.cidr);
  const poolEnd = poolStart + blockSize(family, pool.cidr.prefix);
  let cursor = poolStart;
  for (const [n, r] of requests.entries()) {
    const size = blockSize(family, r.prefix);
    let block: bigint | undefined;
    if (r.prefix >= pool.cidr.prefix) {
      cursor = alignUp(cursor, size);
      while (cursor + size <= poolEnd) {
        const hit = overlap(taken, cursor, cursor + size);
        if (hit === undefined) {
          block = cursor;
          break;
        }
        // Past the manual subnets (they may be larger than a block), to the next aligned block.
        cursor = alignUp(later(hit, cursor + size), size);
      }
    }
    if (block === undefined) {
      const overlapping = manual.filter((m) => m.net < poolEnd && poolStart < m.net + m.size);
      const left = requests.length - n;
      problems.push({
        message: `the ipv${family} pool ${subnetText(pool.cidr)} has no free /${r.prefix} left for segment ${r.segment.label}${left > 1 ? ` (and ${left - 1} more segment${left > 2 ? "s" : ""})` : ""}${overlapping.length > 0 ? `; manual subnets inside the pool: ${[...new Set(overlapping.map((m) => `${m.text} (${m.owner})`))].join(", ")}` : ""}`,
        location: pool.src,
        hint: "use a larger pool, or one that does not overlap the manual addresses",
      });
      return;
    }
    cursor = block + size;
    const hosts = freeHosts(family, block, r.prefix, used);
    for (const key of r.needing) {
      // Only an invalid topology (one interface in two links) puts more ends on a pair's subnet.
      const next = hosts.next();
      if (next.done) {
        problems.push({
          message: `no free address left in ${formatAddress(family, block)}/${r.prefix} (segment ${r.segment.label}) for ${key}`,
          location: ifaces.get(key)?.src ?? r.segment.src,
        });
        break;
      }
      assign(key, family, next.value, r.prefix, ifaces, info);
    }
    info.segments.push({
      label: r.segment.label,
      subnet: `${formatAddress(family, block)}/${r.prefix}`,
      members: r.segment.ends.map((e) => `${e.node}:${e.iface}`),
      fromPool: true,
    });
  }
}

function prefixFor(family: Family, segment: Segment, hosts: number): number {
  if (segment.kind === "p2p") return P2P_PREFIX[family];
  if (family === 6) return LAN_PREFIX[6];
  // Network and broadcast addresses are not hosts.
  let prefix = LAN_PREFIX[4];
  while (prefix > 1 && 2 ** (32 - prefix) - 2 < hosts) prefix--;
  return prefix;
}

function assign(
  key: string,
  family: Family,
  value: bigint,
  prefix: number,
  ifaces: Map<string, Interface>,
  info: AddressingInfo,
): void {
  const c: Cidr = { family, address: formatAddress(family, value), prefix };
  ifaces.get(key)!.addresses.push(c);
  info.assigned.push({ endpoint: key, cidr: `${c.address}/${c.prefix}` });
}

/** Free host addresses of a subnet, lowest first (IPv4 skips network and broadcast below /31). */
function* freeHosts(family: Family, net: bigint, prefix: number, used: Set<bigint>): Generator<bigint> {
  const size = blockSize(family, prefix);
  const reserved = family === 4 && prefix < 31;
  const first = reserved ? net + 1n : family === 6 && prefix < 127 ? net + 1n : net;
  const last = reserved ? net + size - 2n : net + size - 1n;
  for (let v = first; v <= last; v++) {
    if (used.has(v)) continue;
    used.add(v);
    yield v;
  }
}

function blockSize(family: Family, prefix: number): bigint {
  return 1n << BigInt(BITS[family] - prefix);
}

/** Sorted, disjoint [start, end) intervals covering `intervals`. */
function mergeIntervals(intervals: readonly (readonly [bigint, bigint])[]): [bigint, bigint][] {
  const sorted = [...intervals].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = later(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The end of the taken interval that overlaps [start, end), or undefined (binary search). */
function overlap(taken: readonly [bigint, bigint][], start: bigint, end: bigint): bigint | undefined {
  let lo = 0;
  let hi = taken.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (taken[mid]![1] <= start) lo = mid + 1;
    else hi = mid;
  }
  const t = taken[lo];
  return t && t[0] < end ? t[1] : undefined;
}

function later(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function alignUp(v: bigint, size: bigint): bigint {
  return ((v + size - 1n) / size) * size;
}

function subnetText(c: Cidr): string {
  return `${formatAddress(c.family, networkOf(c))}/${c.prefix}`;
}
