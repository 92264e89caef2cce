/**
 * The management network (`management:`), as containerlab's: a lab-owned bridge in the root
 * namespace with the first address of each subnet for the host, and an interface `mgmt0` in every
 * namespace node (unless it says `management: false`) with the next addresses, or its own. The
 * subnets must not overlap the lab's own networks. Pure.
 */
import type { Problem, SourceLocation } from "../errors.js";
import type { TopologySource } from "../sources/source.js";
import { parsePool } from "./addressing.js";
import {
  addressValue,
  type Cidr,
  contains,
  type Family,
  formatAddress,
  formatCidr,
  mask,
  networkOf,
  parseAddress,
  subnetOf,
} from "./ip.js";
import { checkName } from "./names.js";
import type { Interface, Management, NetnsNode, Topology } from "./types.js";

/** The node interface on the management network. */
export const MGMT_IFACE = "mgmt0";

const KEY: Record<Family, "ipv4" | "ipv6"> = { 4: "ipv4", 6: "ipv6" };

/**
 * Add the management network of `spec` to `t` (the bridge, each node's `mgmt0`), reporting every
 * problem; `mentioned` learns the `mgmt0` ends (they are linked, through the bridge).
 */
export function resolveManagement(
  t: Topology,
  spec: TopologySource,
  problems: Problem[],
  mentioned: Set<string>,
): void {
  const raw = spec.raw.management;
  const fail = (message: string, location: SourceLocation, hint?: string) =>
    problems.push({ message, location, ...(hint ? { hint } : {}) });
  const netns = t.nodes.filter((n): n is NetnsNode => n.kind === "netns");
  const nodeSetting = (n: NetnsNode) => {
    const rn = spec.raw.nodes[n.name];
    return rn && "management" in rn ? rn.management : undefined;
  };
  if (!raw) {
    for (const a of t.attachments ?? [])
      if (a.kind === "mgmt-net")
        fail(
          `a mgmt-net link needs the lab's management network, and this lab has none`,
          a.host.src ?? a.src ?? spec.locate(["links"]),
          "add e.g. `management: { ipv4: 198.18.200.0/24 }`",
        );
    for (const n of netns)
      if (nodeSetting(n) !== undefined)
        fail(
          `node '${n.name}' sets 'management', but the lab has no management network`,
          spec.locate(["nodes", n.name, "management"], { key: true }),
          "add e.g. `management: { ipv4: 198.18.200.0/24 }` at the top level",
        );
    return;
  }
  const src = spec.locate(["management"], { key: true });
  const subnets: Partial<Record<Family, Cidr>> = {};
  for (const family of [4, 6] as const) {
    const text = raw[KEY[family]];
    if (text === undefined) continue;
    const c = parsePool(text, family);
    if (typeof c === "string")
      fail(
        c.replace("pool", "subnet").replace("invalid subnet", "invalid management subnet"),
        spec.locate(["management", KEY[family]]),
      );
    else subnets[family] = c;
  }
  if (raw.ipv4 === undefined && raw.ipv6 === undefined)
    fail("the management network needs a subnet", src, "write e.g. `management: { ipv4: 198.18.200.0/24 }`");
  const prefix = t.prefix;
  const bridge = raw.bridge ?? `${prefix}mgmt`;
  const bridgeProblem = checkName(bridge, "bridge");
  if (bridgeProblem)
    fail(
      `management bridge: ${bridgeProblem}`,
      spec.locate(raw.bridge !== undefined ? ["management", "bridge"] : ["management"], {
        key: raw.bridge === undefined,
      }),
      raw.bridge === undefined ? "name it: management: { bridge: NAME }" : undefined,
    );

  const hostAddresses: Cidr[] = [];
  const used = new Map<Family, Set<bigint>>([
    [4, new Set()],
    [6, new Set()],
  ]);
  for (const family of [4, 6] as const) {
    const net = subnets[family];
    if (!net) continue;
    const host = { family, address: formatAddress(family, networkOf(net) + 1n), prefix: net.prefix };
    hostAddresses.push(host);
    used.get(family)!.add(addressValue(host));
  }

  // Nodes' own addresses first, so the automatic ones go around them.
  const members = netns.filter((n) => nodeSetting(n) !== false);
  const own = new Map<string, Cidr[]>();
  for (const n of members) {
    const setting = nodeSetting(n);
    if (!setting) continue;
    for (const family of [4, 6] as const) {
      const text = setting[KEY[family]];
      if (text === undefined) continue;
      const where = spec.locate(["nodes", n.name, "management", KEY[family]]);
      const net = subnets[family];
      const a = parseAddress(text);
      if (typeof a === "string") fail(`invalid management address: ${a}`, where);
      else if (a.family !== family) fail(`'${text}' is not an IPv${family} address`, where);
      else if (!net) fail(`the management network has no ${KEY[family]} subnet for '${text}'`, where);
      else if (!contains(net, a)) fail(`${text} is not in the management subnet ${subnetOf(net)}`, where);
      else if (used.get(family)!.has(addressValue(a)) || !isHost(net, addressValue(a)))
        fail(
          `${text} is ${used.get(family)!.has(addressValue(a)) ? "already taken on the management network" : "not a host address of the management subnet"}`,
          where,
          `the host has ${formatAddress(family, networkOf(net) + 1n)}; nodes take the addresses after it`,
        );
      else {
        used.get(family)!.add(addressValue(a));
        own.set(n.name, [...(own.get(n.name) ?? []), { ...a, prefix: net.prefix }]);
      }
    }
  }
  const next = new Map<Family, bigint>([
    [4, subnets[4] ? networkOf(subnets[4]) + 2n : 0n],
    [6, subnets[6] ? networkOf(subnets[6]) + 2n : 0n],
  ]);
  const ports: Management["ports"] = [];
  let full = false;
  members.forEach((n, k) => {
    const port = `${bridge}-${k}`;
    const portProblem = checkName(port, "interface");
    if (portProblem && !bridgeProblem) {
      fail(
        `management port of node '${n.name}': ${portProblem}`,
        src,
        "shorten the management bridge's name (management: { bridge: NAME }) or the prefix",
      );
    }
    const clash = n.interfaces.find((i) => i.name === MGMT_IFACE);
    if (clash) {
      fail(
        `interface '${MGMT_IFACE}' of node '${n.name}' is the node's interface on the management network`,
        clash.src ?? n.src ?? src,
        "rename this interface, or keep the node off the management network (management: false)",
      );
      return;
    }
    const addresses = [...(own.get(n.name) ?? [])];
    for (const family of [4, 6] as const) {
      const net = subnets[family];
      if (!net || addresses.some((a) => a.family === family)) continue;
      let v = next.get(family)!;
      while (used.get(family)!.has(v)) v++;
      if (!isHost(net, v)) {
        if (!full)
          fail(
            `the management subnet ${subnetOf(net)} has no address left for node '${n.name}' (${members.length} nodes and the host need one each)`,
            spec.locate(["management", KEY[family]]),
            "use a larger subnet",
          );
        full = true;
        continue;
      }
      used.get(family)!.add(v);
      next.set(family, v + 1n);
      addresses.push({ family, address: formatAddress(family, v), prefix: net.prefix });
    }
    const iface: Interface = {
      name: MGMT_IFACE,
      ifname: MGMT_IFACE,
      addresses,
      management: true,
      ...(n.src ? { src: n.src } : {}),
    };
    n.interfaces.push(iface);
    mentioned.add(`${n.name}:${MGMT_IFACE}`);
    ports.push({ node: n.name, iface: MGMT_IFACE, port });
  });
  t.management = {
    bridge,
    subnets: {
      ...(subnets[4]
        ? {
            ipv4: formatCidr({ address: formatAddress(4, networkOf(subnets[4])), prefix: subnets[4].prefix }),
          }
        : {}),
      ...(subnets[6]
        ? {
            ipv6: formatCidr({ address: formatAddress(6, networkOf(subnets[6])), prefix: subnets[6].prefix }),
          }
        : {}),
    },
    hostAddresses,
    ports,
    src,
  };
  for (const [family, net] of Object.entries(subnets) as unknown as [string, Cidr][])
    problems.push(...overlaps(t, net, spec.locate(["management", KEY[Number(family) as Family]])));
}

/** Whether `v` is a usable host address of `net` (not its network or broadcast address). */
function isHost(net: Cidr, v: bigint): boolean {
  const first = networkOf(net);
  const bits = BigInt(net.family === 4 ? 32 : 128);
  const last = first | (((1n << bits) - 1n) ^ mask(net.family, net.prefix));
  return v > first && (net.family === 6 ? v <= last : v < last);
}

/** The lab's own subnets (interfaces, host ends, pools) that overlap the management subnet `net`. */
function overlaps(t: Topology, net: Cidr, at: SourceLocation): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const check = (c: Cidr, what: string, where: SourceLocation | undefined) => {
    if (c.family !== net.family || !intersects(net, c)) return;
    const key = `${what} ${subnetOf(c)}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({
      message: `the management subnet ${subnetOf(net)} overlaps ${subnetOf(c)} of ${what}`,
      location: at,
      hint: `choose a management subnet apart from the lab's networks${where ? ` (that one is written at line ${where.line})` : ""}`,
    });
  };
  for (const n of t.nodes)
    for (const i of n.interfaces)
      if (!i.management)
        i.addresses.forEach((c, k) => {
          check(c, `${n.name}:${i.name}`, i.at?.addresses?.[k] ?? i.src);
        });
  for (const a of t.attachments ?? [])
    if (a.kind === "host") for (const c of a.host.addresses) check(c, `host:${a.host.name}`, a.host.src);
  for (const pool of Object.values(t.addressing?.pools ?? {})) {
    const [address, prefix] = pool.split("/") as [string, string];
    const family = address.includes(":") ? 6 : 4;
    check({ family, address, prefix: Number(prefix) }, `the addressing pool`, undefined);
  }
  return problems;
}

/** Whether two prefixes share any address. */
function intersects(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (addressValue(a) & mask(a.family, p)) === (addressValue(b) & mask(b.family, p));
}
