/**
 * Whole-topology rules, each a small function returning every problem it finds. They run on the
 * resolved topology (after names, addresses and references were checked one by one).
 */
import { formatLocation, type Problem } from "../errors.js";
import { contains } from "./ip.js";
import type { Link, Topology } from "./types.js";

/** What the rules know beyond the topology itself. */
export interface RuleContext {
  /** `node:iface` of every endpoint written in a link, including links that failed to resolve. */
  mentioned: ReadonlySet<string>;
}

/** A rule: looks at the whole topology, reports every problem of its kind. */
export type Rule = (t: Topology, ctx: RuleContext) => Problem[];

/** Linux bridges accept at most 1023 ports (BR_MAX_PORTS - 1; port numbers are 10 bits, 0 unused). */
export const LINUX_BRIDGE_MAX_PORTS = 1023;
export const MTU_MIN = 68;
export const MTU_MAX = 65535;
export const MTU_MIN_IPV6 = 1280;

/** `lo` of a namespace node: its loopback, which no link ends on. */
export function isLoopback(node: { kind: string }, iface: string): boolean {
  return node.kind === "netns" && iface === "lo";
}

const where = (src: Problem["location"]) => (src ? formatLocation(src) : "elsewhere");

/** Every `node:interface` is the end of at most one link, and no link connects an end to itself. */
export const endpointsUsedOnce: Rule = (t) => {
  const problems: Problem[] = [];
  const seen = new Map<string, Link>();
  for (const link of t.links) {
    const a = `${link.a.node}:${link.a.iface}`;
    const b = `${link.b.node}:${link.b.iface}`;
    if (a === b) {
      problems.push({
        message: `link connects ${a} to itself`,
        location: link.src,
        hint: "a veth pair needs two different ends",
      });
      continue;
    }
    for (const ep of [a, b]) {
      const first = seen.get(ep);
      if (first)
        problems.push({
          message: `${ep} is already an end of the link at ${where(first.src)}`,
          location: link.src,
        });
      else seen.set(ep, link);
    }
  }
  return problems;
};

/** Interfaces declared under a node must be connected by some link (catches typos). */
export const declaredInterfacesAreLinked: Rule = (t, ctx) => {
  const problems: Problem[] = [];
  for (const node of t.nodes)
    for (const iface of node.interfaces)
      if (!ctx.mentioned.has(`${node.name}:${iface.name}`) && !isLoopback(node, iface.name))
        problems.push({
          message: `interface '${iface.name}' of node '${node.name}' is not an end of any link`,
          location: iface.src,
          hint: `add a link with endpoint ${node.name}:${iface.name}, or remove the interface`,
        });
  return problems;
};

/**
 * Names that live in the root namespace (bridges, OVS bridges, bridge ports) must not collide — on
 * each machine, in a lab spread over several (each has a root namespace of its own).
 */
export const rootNamesUnique: Rule = (t) => {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  const claim = (host: string | undefined, ifname: string, what: string, src: Problem["location"]) => {
    const key = `${host ?? ""}\u0000${ifname}`;
    const first = seen.get(key);
    if (first)
      problems.push({
        message: `${what} '${ifname}' collides with ${first} in the root namespace${host !== undefined ? ` of host '${host}'` : ""}`,
        location: src,
      });
    else seen.set(key, `${what} at ${where(src)}`);
  };
  for (const node of t.nodes) {
    if (node.kind === "netns") continue;
    claim(node.host, node.ifname, node.kind === "bridge" ? "bridge" : "OVS bridge", node.src);
  }
  for (const node of t.nodes) {
    if (node.kind === "netns") continue;
    for (const iface of node.interfaces) claim(node.host, iface.ifname, `port of ${node.name}`, iface.src);
  }
  return problems;
};

/** A VNI written on a link is that link's alone. */
export const vnisUnique: Rule = (t) => {
  const problems: Problem[] = [];
  const seen = new Map<number, Link>();
  for (const link of t.links) {
    if (link.vni === undefined) continue;
    const first = seen.get(link.vni);
    if (first)
      problems.push({
        message: `VNI ${link.vni} is also the link at ${where(first.src)}'s`,
        location: link.src,
        hint: "each link between machines needs its own VNI; leave 'vni' out to let nslab choose",
      });
    else seen.set(link.vni, link);
  }
  return problems;
};

/** No address is used twice in a lab, and no MAC either. */
export const addressesAndMacsUnique: Rule = (t) => {
  const problems: Problem[] = [];
  const addrs = new Map<string, string>();
  const macs = new Map<string, string>();
  for (const node of t.nodes)
    for (const iface of node.interfaces) {
      const owner = `${node.name}:${iface.name}`;
      iface.addresses.forEach((c, i) => {
        const key = `${c.family}/${c.address}`;
        const first = addrs.get(key);
        if (first)
          problems.push({
            message: `address ${c.address} of ${owner} is already used by ${first}`,
            location: iface.at?.addresses?.[i] ?? iface.src,
          });
        else addrs.set(key, owner);
      });
      if (iface.mac) {
        const first = macs.get(iface.mac);
        if (first)
          problems.push({
            message: `MAC ${iface.mac} of ${owner} is already used by ${first}`,
            location: iface.at?.mac ?? iface.src,
          });
        else macs.set(iface.mac, owner);
      }
    }
  return problems;
};

/** MTUs are within what Ethernet devices accept; interfaces with IPv6 addresses need ≥ 1280. */
export const mtuInRange: Rule = (t) => {
  const problems: Problem[] = [];
  const check = (mtu: number | undefined, what: string, src: Problem["location"], ipv6: boolean) => {
    if (mtu === undefined) return;
    if (mtu < MTU_MIN || mtu > MTU_MAX)
      problems.push({
        message: `MTU ${mtu} of ${what} is out of range ${MTU_MIN}–${MTU_MAX}`,
        location: src,
      });
    else if (ipv6 && mtu < MTU_MIN_IPV6)
      problems.push({
        message: `MTU ${mtu} of ${what} is below ${MTU_MIN_IPV6}, the minimum for IPv6`,
        location: src,
      });
  };
  for (const node of t.nodes) {
    if (node.kind === "bridge") check(node.mtu, `bridge ${node.name}`, node.src, false);
    for (const iface of node.interfaces)
      check(
        iface.mtu,
        `${node.name}:${iface.name}`,
        iface.at?.mtu ?? iface.src,
        iface.addresses.some((a) => a.family === 6),
      );
  }
  const hasV6 = new Set(
    t.nodes.flatMap((n) =>
      n.interfaces.filter((i) => i.addresses.some((a) => a.family === 6)).map((i) => `${n.name}:${i.name}`),
    ),
  );
  for (const link of t.links) {
    if (link.mtu === undefined) continue;
    const v6 = hasV6.has(`${link.a.node}:${link.a.iface}`) || hasV6.has(`${link.b.node}:${link.b.iface}`);
    check(link.mtu, "link", link.src, v6);
  }
  return problems;
};

/** Routes name existing interfaces, and a gateway must be on a subnet of the node (or `dev` given). */
export const routesResolvable: Rule = (t) => {
  const problems: Problem[] = [];
  for (const node of t.nodes) {
    if (node.kind !== "netns") continue;
    for (const r of node.routes) {
      const dev = r.dev === undefined ? undefined : node.interfaces.find((i) => i.name === r.dev);
      if (r.dev !== undefined && !dev) {
        problems.push({
          message: `route to ${r.to}: node '${node.name}' has no interface '${r.dev}'`,
          location: r.src,
        });
        continue;
      }
      if (r.via === undefined) continue;
      const via = r.via;
      const candidates = dev ? [dev] : node.interfaces;
      const onLink = candidates.some((i) =>
        i.addresses.some((a) => a.family === r.family && contains(a, { family: r.family, address: via })),
      );
      if (!onLink)
        problems.push({
          message: `route to ${r.to}: gateway ${via} is not on any subnet of ${dev ? `${node.name}:${dev.name}` : `node '${node.name}'`}`,
          location: r.src,
          hint: `give an interface of ${node.name} an address in the gateway's subnet`,
        });
    }
  }
  return problems;
};

/** Sysctls must be per-namespace networking settings (`net.*`), never host-wide ones. */
export const sysctlsAreNetworking: Rule = (t) => {
  const problems: Problem[] = [];
  for (const node of t.nodes) {
    if (node.kind !== "netns") continue;
    for (const s of node.sysctls) {
      if (
        !/^net\.[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)+$/.test(s.key) &&
        !/^net\/[A-Za-z0-9_]+(\/[A-Za-z0-9_.-]+)+$/.test(s.key)
      )
        problems.push({
          message: `sysctl '${s.key}' is not a per-namespace networking setting`,
          location: s.src,
          hint: "only net.* keys can be set inside a namespace without changing the host",
        });
      else if (s.key.split(/[./]/).includes(".."))
        problems.push({ message: `sysctl '${s.key}' is not valid`, location: s.src });
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
      if (/[\u0000-\u001f\u007f]/.test(s.value))
        problems.push({ message: `sysctl '${s.key}' has a control character in its value`, location: s.src });
    }
  }
  return problems;
};

/** A Linux bridge has at most 1023 ports. */
export const bridgePortLimit: Rule = (t) =>
  t.nodes
    .filter((n) => n.kind === "bridge" && n.interfaces.length > LINUX_BRIDGE_MAX_PORTS)
    .map((n) => ({
      message: `bridge '${n.name}' would have ${n.interfaces.length} ports; Linux bridges allow at most ${LINUX_BRIDGE_MAX_PORTS}`,
      location: n.src,
      hint: "split the hosts over several bridges (e.g. a tree topology) or use an ovs-bridge",
    }));

/** Every rule, in the order their problems read best. */
export const RULES: readonly Rule[] = [
  endpointsUsedOnce,
  declaredInterfacesAreLinked,
  rootNamesUnique,
  vnisUnique,
  addressesAndMacsUnique,
  mtuInRange,
  routesResolvable,
  sysctlsAreNetworking,
  bridgePortLimit,
];

/** Run every rule. */
export function checkTopology(t: Topology, ctx: RuleContext): Problem[] {
  return RULES.flatMap((rule) => rule(t, ctx));
}
