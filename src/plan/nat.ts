/**
 * The operations of NAT nodes (`kind: nat`), in the shape that keeps working where br_netfilter
 * sends bridged frames through the host's netfilter hooks: the node is a namespace of its own
 * whose lab side is an ordinary interface; a transit veth joins it to the root namespace. The node
 * masquerades the lab to its transit address (a table inside the node, gone with it); the root
 * masquerades only that address, and only out of the uplink (`table ip nslab-LAB`) — a routed
 * flow that never crosses a bridge, so it never shares a conntrack entry with bridged frames.
 * A `table bridge nslab-LAB` keeps the lab's bridged frames out of the host's conntrack. Pure.
 */
import type { Problem } from "../errors.js";
import { NAT_TRANSIT_IFNAME, natNodes, transitEnds } from "../model/nat.js";
import type { NetnsNode, Topology } from "../model/types.js";
import { labTable } from "./fw-ops.js";
import type { HostFacts } from "./host.js";
import type { NsDump } from "./observed.js";
import { linkGroupFor, markerFor, type Op, type OpOf } from "./ops.js";

type NatNode = NetnsNode & { nat: NonNullable<NetnsNode["nat"]> };

/** The device a NAT node's traffic leaves through, or why it cannot be known. */
export function resolveUplink(n: NatNode, host: HostFacts): string | Problem {
  if (n.nat.uplink !== "auto") return n.nat.uplink;
  const recorded = host.natUplinks?.[n.name];
  if (recorded) return recorded;
  if (typeof host.defaultUplink === "string") return host.defaultUplink;
  return {
    message:
      host.defaultUplink === null
        ? `NAT node '${n.name}' has 'uplink: auto', but this host has no IPv4 default route`
        : `NAT node '${n.name}' has 'uplink: auto', and the host's default route was not read`,
    location: n.nat.at?.uplink ?? n.src,
    hint: "name the host interface the lab's traffic should leave through: uplink: IFNAME",
  };
}

/** Problems planning the NAT nodes of `t` on `host` (an `auto` uplink the host cannot name). */
export function natPlanProblems(t: Topology, host: HostFacts): Problem[] {
  return natNodes(t).flatMap((n) => {
    const u = resolveUplink(n, host);
    return typeof u === "string" ? [] : [u];
  });
}

/** The transit veth of a NAT node, created from the root end (the node end is brought up inside). */
export function transitLink(t: Topology, n: NatNode): Op {
  return {
    op: "veth.add",
    a: { name: n.nat.rootIfname, ns: null },
    // Not `up` at creation: the kernel refuses to open a veth end before its pair exists (ENOTCONN).
    b: { name: NAT_TRANSIT_IFNAME, ns: n.netns },
    marker: markerFor(t.name),
    group: linkGroupFor(t.name),
    src: n.src,
  } as Op;
}

/** Inside a NAT node: its transit end's address and default route, and its masquerade table. */
export function natInside(t: Topology, n: NatNode): Op[] {
  const { root, node } = transitEnds(n.nat.transit);
  const ns = n.netns;
  const src = n.src ? { src: n.src } : {};
  const dev = NAT_TRANSIT_IFNAME;
  return [
    ...(n.ipv6 === false
      ? ([
          { op: "link.addrgen.none", ns, dev, ...src },
          { op: "link.up", ns, dev, ...src },
        ] as Op[])
      : ([{ op: "link.up", ns, dev, ...src }] as Op[])),
    { op: "addr.add", ns, dev, cidr: `${node}/30`, ...src },
    { op: "route.add", ns, to: "0.0.0.0/0", via: root, dev, ...src },
    { op: "nft.table.add", ns, family: "ip", table: "nslab", comment: markerFor(t.name), ...src },
    {
      op: "nft.chain.add",
      ns,
      family: "ip",
      table: "nslab",
      chain: "postrouting",
      base: { type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" },
      rules: [`oifname "${dev}" masquerade`],
      ...src,
    },
  ];
}

/** The root end of a NAT node's transit link: its address, and IPv4 forwarding on it. */
export function natRootEnd(n: NatNode): Op[] {
  const src = n.src ? { src: n.src } : {};
  const dev = n.nat.rootIfname;
  return [
    { op: "addr.add", ns: null, dev, cidr: `${transitEnds(n.nat.transit).root}/30`, ...src },
    { op: "sysctl.set", ns: null, key: `net/ipv4/conf/${dev}/forwarding`, value: "1", ...src },
  ];
}

/** The chain of the lab's root table that masquerades NAT node `node` out of its uplink. */
export const rootNatChain = (node: string): string => `nat-${node}`;

/** The chain of the lab's root `bridge nslab-LAB` table that keeps its bridged frames untracked. */
export const NOTRACK_CHAIN = "lab-notrack";

/** Whether a NAT lab has the root `bridge nslab-LAB` table (it has Linux bridges). */
export const hasNotrackTable = (t: Topology): boolean =>
  natNodes(t).length > 0 && t.nodes.some((n) => n.kind === "bridge");

/**
 * The lab's own tables in the root namespace: `ip nslab-LAB` with one masquerade chain per NAT node
 * (the transit address, out of the uplink only), and `bridge nslab-LAB`, which keeps the lab's
 * bridged frames (between ports in its link group, not for the host) out of the host's conntrack.
 */
export function natRootTables(t: Topology, host: HostFacts): Op[] {
  const nats = natNodes(t);
  if (nats.length === 0) return [];
  const table = labTable(t.name);
  const comment = markerFor(t.name);
  const out: Op[] = [{ op: "nft.table.add", ns: null, family: "ip", table, comment }];
  for (const n of nats) {
    const uplink = resolveUplink(n, host);
    if (typeof uplink !== "string") throw new Error(`internal: ${uplink.message}`); // checked before
    const masq: OpOf<"nat.masquerade"> = {
      op: "nat.masquerade",
      table,
      chain: rootNatChain(n.name),
      source: transitEnds(n.nat.transit).node,
      transit: n.nat.rootIfname,
      uplink,
      comment,
      ...(n.src ? { src: n.src } : {}),
    };
    out.push(masq);
  }
  if (hasNotrackTable(t))
    out.push(
      { op: "nft.table.add", ns: null, family: "bridge", table, comment },
      {
        op: "nft.chain.add",
        ns: null,
        family: "bridge",
        table,
        chain: NOTRACK_CHAIN,
        base: { type: "filter", hook: "prerouting", priority: -300, policy: "accept" },
        rules: [`meta iifgroup ${linkGroupFor(t.name)} meta pkttype other notrack comment "${comment}"`],
      },
    );
  return out;
}

/** The uplink of each NAT node of a plan (recorded with the lab: `uplink: auto` is resolved once). */
export function natUplinksByNode(ops: readonly Op[], t: Topology): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of natNodes(t)) {
    const m = ops.find((o) => o.op === "nat.masquerade" && o.transit === n.nat.rootIfname);
    if (m?.op === "nat.masquerade") out[n.name] = m.uplink;
  }
  return out;
}

/** The uplinks whose forwarding a plan needs (the shared host setting NAT labs hold). */
export function natUplinks(ops: readonly Op[]): string[] {
  return [...new Set(ops.flatMap((o) => (o.op === "nat.masquerade" ? [o.uplink] : [])))].sort();
}

/** The sysctl key of an uplink's IPv4 forwarding flag (the path form: device names may hold '.'). */
export function forwardingKey(dev: string): string {
  return `net/ipv4/conf/${dev}/forwarding`;
}

/**
 * What the root namespace must allow for the NAT nodes of `ops`: the uplink exists and is not a
 * lab's; no route of the host covers or falls in a transit subnet (except the lab's own transit
 * links, when it is up already).
 */
export function natHostConflicts(ops: readonly Op[], root: NsDump, lab: string): Problem[] {
  const problems: Problem[] = [];
  const links = new Map(root.links.map((l) => [l.name, l]));
  const byIndex = new Map(root.links.map((l) => [l.ifindex, l]));
  for (const m of ops) {
    if (m.op !== "nat.masquerade") continue;
    const where = { location: m.src };
    const up = links.get(m.uplink);
    if (!up)
      problems.push({
        message: `the uplink '${m.uplink}' does not exist in the root namespace`,
        ...where,
        hint: "name an existing host interface (ip link), or use uplink: auto",
      });
    else if (m.uplink === "lo" || up.alias?.startsWith("nslab:"))
      problems.push({
        message: `the uplink '${m.uplink}' is ${m.uplink === "lo" ? "the loopback device" : `a link of nslab's (${up.alias})`}, not a way out of the host`,
        ...where,
        hint: "name a host interface that leads out (ip route show default)",
      });
  }
  const transits = ops.flatMap((o) => (o.op === "addr.add" && o.ns === null ? [o] : []));
  for (const a of transits) {
    const net = a.cidr;
    for (const r of root.routes) {
      if (r.family !== 4 || r.dst === "0.0.0.0/0") continue;
      const dev = r.oif !== null ? byIndex.get(r.oif) : undefined;
      if (dev?.name === a.dev && dev.alias === markerFor(lab)) continue; // our own transit link
      if (overlaps(net, r.dst))
        problems.push({
          message: `the NAT transit subnet of ${a.dev} (${net}) overlaps the host's route to ${r.dst}${dev ? ` (dev ${dev.name}${dev.alias?.startsWith("nslab:") ? `, lab '${dev.alias.slice(6)}'` : ""})` : ""}`,
          location: a.src,
          hint: "give the NAT node another 'transit:' /30 (e.g. in 198.19.128.0/17)",
        });
    }
  }
  return problems;
}

function toRange(cidr: string): [number, number] {
  const [addr, len] = cidr.split("/");
  const n = addr!.split(".").reduce((v, x) => v * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(len ?? 32));
  const base = n - (n % size);
  return [base, base + size - 1];
}

/** Whether two IPv4 prefixes share an address. */
export function overlaps(a: string, b: string): boolean {
  const [a0, a1] = toRange(a);
  const [b0, b1] = toRange(b);
  return a0 <= b1 && b0 <= a1;
}
