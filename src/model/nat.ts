/**
 * NAT gateways (`kind: nat`) in the model: the transit subnet and root-side name each gets (derived
 * from the lab and node names, so the same lab always gets the same ones), the default routes of
 * the hosts that use it, and the rules a NAT node must follow. Pure.
 */
import type { Problem, SourceLocation } from "../errors.js";
import { fnv1a32 } from "../util/hash.js";
import { bigintToV4, type Cidr, parseAddress, parseCidr, subnetOf, v4ToBigint } from "./ip.js";
import { checkName } from "./names.js";
import { forwards } from "./routing.js";
import type { Segment } from "./segments.js";
import type { NatGateway, NetnsNode, Topology } from "./types.js";

/** Where transit subnets come from: benchmarking space (RFC 2544), never routed on the Internet. */
export const TRANSIT_POOL = "198.19.128.0/17";
/** The node end of the transit link, inside the NAT node. */
export const NAT_TRANSIT_IFNAME = "up0";

/** The default transit /30 of NAT node `node` of lab `lab`: one of the 8192 in {@link TRANSIT_POOL}. */
export function defaultTransit(lab: string, node: string): string {
  const index = fnv1a32(`${lab}/${node}`) % 8192;
  return `${bigintToV4(v4ToBigint("198.19.128.0") + BigInt(index * 4))}/30`;
}

/** The root-namespace end of the transit link: `PREFIX` + `nt` + 6 hex digits of the lab and node. */
export function transitRootName(prefix: string, lab: string, node: string): string {
  return `${prefix}nt${(fnv1a32(`${node}@${lab}`) & 0xffffff).toString(16).padStart(6, "0")}`;
}

/** A transit subnet as written: a /30 network; the message when it is not. */
export function parseTransit(text: string): string | { error: string } {
  const c = parseCidr(text);
  if (typeof c === "string") return { error: `invalid transit subnet: ${c}` };
  if (c.family !== 4 || c.prefix !== 30)
    return { error: `transit subnet ${text} must be an IPv4 /30 (the host's end and the node's end)` };
  const net = subnetOf(c);
  if (net !== text) return { error: `transit subnet ${text} is not a network address; did you mean ${net}?` };
  return net;
}

/** The two ends of a transit /30: the root namespace's (first) and the node's (second). */
export function transitEnds(transit: string): { root: string; node: string } {
  const base = v4ToBigint(transit.split("/")[0]!);
  return { root: bigintToV4(base + 1n), node: bigintToV4(base + 2n) };
}

/** At most this many name servers: the C library's resolver reads no more (MAXNS). */
export const MAX_NAMESERVERS = 3;

/** A `dns:` list as written: IP addresses, at most {@link MAX_NAMESERVERS}; the messages when not. */
export function parseDns(list: readonly string[]): { servers: string[]; errors: string[] } {
  const servers: string[] = [];
  const errors: string[] = [];
  for (const text of list) {
    const a = parseAddress(text);
    if (typeof a === "string") errors.push(`dns: ${a}`);
    else if (a.family === 4 && text.startsWith("127."))
      errors.push(`dns: ${text} is a loopback address: inside a node it is the node itself`);
    else if (a.family === 6 && a.address === "::1")
      errors.push("dns: ::1 is the loopback address: inside a node it is the node itself");
    else if (!servers.includes(a.address)) servers.push(a.address);
  }
  if (servers.length > MAX_NAMESERVERS)
    errors.push(
      `dns: ${servers.length} name servers; the resolver of a node's programs reads only the first ${MAX_NAMESERVERS}`,
    );
  return { servers, errors };
}

/**
 * The gateway of a `kind: nat` node as written: `uplink` (default auto), the transit /30 (derived
 * from the lab and node names when not given), the root end's name, and its `dns:` servers.
 * `at(field)` locates a field of the node (`undefined`: the node itself).
 */
export function natGateway(
  lab: string,
  prefix: string,
  node: string,
  raw: { uplink?: string | undefined; transit?: string | undefined; dns?: string[] | undefined },
  at: (field?: "uplink" | "transit" | "dns") => SourceLocation,
): { gateway: NatGateway; problems: Problem[] } {
  const problems: Problem[] = [];
  const where: NonNullable<NatGateway["at"]> = {};
  let uplink = "auto";
  if (raw.uplink !== undefined) {
    where.uplink = at("uplink");
    uplink = raw.uplink;
    const p = uplink === "auto" ? undefined : checkName(uplink, "interface");
    if (p)
      problems.push({
        message: `uplink: ${p}`,
        location: where.uplink,
        hint: "use 'auto' (the device of the host's default route) or an interface name",
      });
  }
  let transit = defaultTransit(lab, node);
  if (raw.transit !== undefined) {
    where.transit = at("transit");
    const parsed = parseTransit(raw.transit);
    if (typeof parsed === "string") transit = parsed;
    else
      problems.push({
        message: parsed.error,
        location: where.transit,
        hint: "e.g. transit: 198.19.200.0/30",
      });
  }
  let dns: string[] | undefined;
  if (raw.dns !== undefined) {
    where.dns = at("dns");
    const parsed = parseDns(raw.dns);
    for (const e of parsed.errors)
      problems.push({ message: e, location: where.dns, hint: "e.g. dns: [198.18.0.53]" });
    if (parsed.errors.length === 0 && parsed.servers.length > 0) dns = parsed.servers;
  }
  const rootIfname = transitRootName(prefix, lab, node);
  const p = checkName(rootIfname, "interface");
  // (The hint about shorter prefixes is the resolver's.)
  if (p) problems.push({ message: `NAT node '${node}': its link to the host: ${p}`, location: at() });
  return {
    gateway: {
      uplink,
      transit,
      rootIfname,
      ...(dns ? { dns } : {}),
      ...(Object.keys(where).length > 0 ? { at: where } : {}),
    },
    problems,
  };
}

/** The NAT nodes of a topology. */
export function natNodes(t: Topology): (NetnsNode & { nat: NonNullable<NetnsNode["nat"]> })[] {
  return t.nodes.filter(
    (n): n is NetnsNode & { nat: NonNullable<NetnsNode["nat"]> } => n.kind === "netns" && !!n.nat,
  );
}

/**
 * Default routes through the NAT gateways: a host (a node that does not forward IPv4) that shares a
 * subnet with a NAT node and has no IPv4 default route of its own gets `default via` the NAT's
 * address there; with `routing: static`, routers without one get a default route towards the
 * nearest NAT node (fewest routers; ties to the one written first). Returns how many were added.
 */
export function addNatRoutes(t: Topology, segments: readonly Segment[], src?: SourceLocation): number {
  const nats = natNodes(t);
  if (nats.length === 0) return 0;
  const byName = new Map(t.nodes.flatMap((n) => (n.kind === "netns" ? [[n.name, n] as const] : [])));
  // Members of each segment with their IPv4 addresses there.
  const ifaceAddrs = (node: string, iface: string): Cidr[] =>
    byName
      .get(node)
      ?.interfaces.find((i) => i.name === iface)
      ?.addresses.filter((a) => a.family === 4) ?? [];
  const neighbours = (node: string): { node: string; theirs: Cidr; mine: Cidr }[] => {
    const out: { node: string; theirs: Cidr; mine: Cidr }[] = [];
    for (const s of segments) {
      const mineHere = s.ends.filter((e) => e.node === node).flatMap((e) => ifaceAddrs(e.node, e.iface));
      if (mineHere.length === 0) continue;
      for (const e of s.ends) {
        if (e.node === node) continue;
        for (const theirs of ifaceAddrs(e.node, e.iface)) {
          const mine = mineHere.find((m) => subnetOf(m) === subnetOf(theirs));
          if (mine) out.push({ node: e.node, theirs, mine });
        }
      }
    }
    return out;
  };
  const hasDefault = (n: NetnsNode) => n.routes.some((r) => r.family === 4 && r.to === "0.0.0.0/0");
  let added = 0;
  const addDefault = (n: NetnsNode, via: string) => {
    n.routes.push({ family: 4, to: "0.0.0.0/0", via, computed: true, ...(src ? { src } : {}) });
    added++;
  };
  const isNat = (n: NetnsNode) => !!n.nat;
  // Routers, breadth first from the NAT nodes (routing: static only).
  const reached = new Set(nats.map((n) => n.name));
  if (t.routing === "static") {
    let frontier = nats.map((n) => n.name);
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const from of frontier)
        for (const nb of neighbours(from)) {
          const r = byName.get(nb.node);
          if (!r || reached.has(r.name) || isNat(r) || !forwards(r, 4)) continue;
          reached.add(r.name);
          next.push(r.name);
          // nb.theirs is the router's address; the gateway is `from`'s address on that subnet.
          if (!hasDefault(r)) addDefault(r, neighbourAddress(neighbours(r.name), from));
        }
      frontier = next;
    }
  }
  for (const nat of nats)
    for (const nb of neighbours(nat.name)) {
      const h = byName.get(nb.node);
      if (!h || isNat(h) || forwards(h, 4) || hasDefault(h)) continue;
      addDefault(h, nb.mine.address);
    }
  return added;
}

function neighbourAddress(list: { node: string; theirs: Cidr }[], node: string): string {
  const hit = list.find((x) => x.node === node);
  if (!hit) throw new Error(`internal: ${node} is not a neighbour`);
  return hit.theirs.address;
}

/** What is wrong with the NAT nodes of `t` (each problem at its line). */
export function natProblems(t: Topology): Problem[] {
  const problems: Problem[] = [];
  const transits = new Map<string, string>();
  for (const n of natNodes(t)) {
    if (n.interfaces.some((i) => i.name === NAT_TRANSIT_IFNAME))
      problems.push({
        message: `NAT node '${n.name}' has an interface named '${NAT_TRANSIT_IFNAME}', the name of its link to the host`,
        location: n.interfaces.find((i) => i.name === NAT_TRANSIT_IFNAME)?.src ?? n.src,
        hint: "name the interface otherwise (e.g. eth0)",
      });
    if (!n.interfaces.some((i) => i.addresses.some((a) => a.family === 4)))
      problems.push({
        message: `NAT node '${n.name}' has no IPv4 address on the lab side: nothing can use it as a gateway`,
        location: n.src,
        hint: "give one of its interfaces an IPv4 address (or use automatic addressing)",
      });
    const own = n.routes.find((r) => r.family === 4 && r.to === "0.0.0.0/0" && !r.computed);
    if (own)
      problems.push({
        message: `NAT node '${n.name}' has a default route of its own; its default route is its link to the host`,
        location: own.src ?? n.src,
        hint: "remove the route (routes to lab subnets behind routers are fine)",
      });
    const other = transits.get(n.nat.transit);
    if (other)
      problems.push({
        message: `NAT nodes '${other}' and '${n.name}' have the same transit subnet ${n.nat.transit}`,
        location: n.nat.at?.transit ?? n.src,
        hint: "give one of them another 'transit:' /30",
      });
    transits.set(n.nat.transit, n.name);
  }
  return problems;
}
