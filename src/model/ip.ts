/**
 * IPv4/IPv6 addresses and prefixes as exact integers: parsing with precise error messages,
 * network/broadcast arithmetic and containment. Used by validation, addressing and the ping matrix.
 */
import { isIPv4, isIPv6 } from "node:net";

export type Family = 4 | 6;

/** A host address with its prefix, e.g. 10.1.1.2/24. Plain JSON (it is saved in lab state). */
export interface Cidr {
  family: Family;
  /** The address, normalised (IPv6 compressed, lower case). */
  address: string;
  prefix: number;
}

/** An address as an integer (32 or 128 bits), for arithmetic. */
export function addressValue(c: Pick<Cidr, "family" | "address">): bigint {
  return c.family === 4 ? v4ToBigint(c.address) : v6ToBigint(c.address);
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Parse `a.b.c.d/n` or `x::y/n`; returns a Cidr or an error message. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf("/");
  if (slash < 0) return `'${text}' has no prefix length; write it as address/prefix, e.g. ${example(text)}`;
  const addr = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const parsed = parseAddress(addr);
  if (typeof parsed === "string") return parsed;
  if (!/^\d{1,3}$/.test(prefixText)) return `'${text}' has an invalid prefix length '${prefixText}'`;
  const prefix = Number(prefixText);
  const bits = BITS[parsed.family];
  if (prefix > bits)
    return `'${text}': prefix length ${prefix} is larger than ${bits} for IPv${parsed.family}`;
  return { ...parsed, prefix };
}

/** Parse a bare address (no prefix). */
export function parseAddress(text: string): Omit<Cidr, "prefix"> | string {
  if (isIPv4(text)) return { family: 4, address: text };
  if (isIPv6(text)) {
    if (text.includes("%")) return `'${text}': zone indexes are not allowed`;
    return { family: 6, address: bigintToV6(v6ToBigint(text)) };
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) {
    const bad = text.split(".").find((o) => Number(o) > 255 || (o.length > 1 && o.startsWith("0")));
    return `'${text}' is not a valid IPv4 address${bad ? ` (octet '${bad}' is out of range 0-255)` : ""}`;
  }
  return `'${text}' is not a valid IPv4 or IPv6 address`;
}

function example(text: string): string {
  return text.includes(":") ? `${text}/64` : `${text}/24`;
}

export function v4ToBigint(text: string): bigint {
  let v = 0n;
  for (const o of text.split(".")) v = (v << 8n) | BigInt(Number(o));
  return v;
}

export function v6ToBigint(text: string): bigint {
  let t = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = t.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4?.[1]) {
    const n = v4ToBigint(v4[1]);
    t = `${t.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = t.split("::");
  const h = head ? head.split(":") : [];
  const tl = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - tl.length).fill("0");
  let v = 0n;
  for (const g of [...h, ...fill, ...tl]) v = (v << 16n) | BigInt(Number.parseInt(g, 16));
  return v;
}

export function bigintToV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 0xffn).toString()).join(".");
}

/** RFC 5952 text form: lower case, longest run of zero groups compressed. */
export function bigintToV6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexes.join(":");
  const left = hexes.slice(0, bestStart).join(":");
  const right = hexes.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}

export function formatAddress(family: Family, v: bigint): string {
  return family === 4 ? bigintToV4(v) : bigintToV6(v);
}

/** `10.1.1.2/24` */
export function formatCidr(c: Pick<Cidr, "address" | "prefix">): string {
  return `${c.address}/${c.prefix}`;
}

/** The mask of a prefix as an integer. */
export function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** The network address of a CIDR as an integer. */
export function networkOf(c: Cidr): bigint {
  return addressValue(c) & mask(c.family, c.prefix);
}

/** `10.1.1.0/24` for `10.1.1.2/24`. */
export function subnetOf(c: Cidr): string {
  return `${formatAddress(c.family, networkOf(c))}/${c.prefix}`;
}

/** Whether two host addresses are on the same subnet (same family, prefix and network). */
export function sameSubnet(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.prefix === b.prefix && networkOf(a) === networkOf(b);
}

/** Whether `addr` lies inside the network `net`. */
export function contains(net: Cidr, addr: Pick<Cidr, "family" | "address">): boolean {
  return net.family === addr.family && (addressValue(addr) & mask(net.family, net.prefix)) === networkOf(net);
}

/**
 * Why `c` cannot be a host address on an interface, or undefined. IPv4 network and broadcast
 * addresses are refused (except on /31 and /32); IPv6 the unspecified address and multicast.
 */
export function hostAddressProblem(c: Cidr): string | undefined {
  const text = formatCidr(c);
  const value = addressValue(c);
  if (c.family === 4) {
    if (c.prefix < 31) {
      const net = networkOf(c);
      const bcast = net | (((1n << 32n) - 1n) ^ mask(4, c.prefix));
      if (value === net) return `${text} is the network address of ${subnetOf(c)}, not a host address`;
      if (value === bcast) return `${text} is the broadcast address of ${subnetOf(c)}, not a host address`;
    }
    if (value >> 24n === 0n) return `${text} is in 0.0.0.0/8, which cannot be assigned`;
    if (value >> 28n === 0xen) return `${text} is a multicast address`;
    if (value >> 24n === 127n) return `${text} is a loopback address`;
    return undefined;
  }
  if (value === 0n) return `${text} is the unspecified address`;
  if (value >> 120n === 0xffn) return `${text} is a multicast address`;
  if (value === 1n) return `${text} is the loopback address`;
  return undefined;
}
