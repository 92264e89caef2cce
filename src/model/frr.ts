/**
 * FRR in routers, as the topology asks for it: which routers run it (`frr:` on a router, or every
 * router with `routing: ospf|bgp`), with which daemons and configuration (the user's frr.conf, or
 * one nslab writes), their router IDs and BGP AS numbers. Pure: the files named are read at `up`.
 */
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { Problem } from "../errors.js";
import type { RawTopology } from "../sources/nslab/schema.js";
import type { Locate } from "../sources/source.js";
import { didYouMean } from "../sources/suggest.js";
import type { FrrRouter, NetnsNode, Topology } from "./types.js";

/** FRR's daemons (FRR 8 to 10), in the order FRR starts them: zebra, then mgmtd and staticd, then the rest. */
export const FRR_DAEMON_NAMES = [
  "zebra",
  "mgmtd",
  "staticd",
  "bgpd",
  "ripd",
  "ripngd",
  "ospfd",
  "ospf6d",
  "isisd",
  "babeld",
  "pimd",
  "pim6d",
  "ldpd",
  "nhrpd",
  "eigrpd",
  "sharpd",
  "pbrd",
  "bfdd",
  "fabricd",
  "vrrpd",
  "pathd",
] as const;

/** Private AS numbers given to routers without `as:` (RFC 6996): 2-byte while they suffice. */
export const PRIVATE_AS_16 = 64512;
const PRIVATE_AS_16_LAST = 65534;
export const PRIVATE_AS_32 = 4200000000;

/** Where the files a topology names are looked for: beside the topology file (else the working directory). */
export function fileNamed(name: string, topologyFile: string | undefined): string {
  if (isAbsolute(name)) return name;
  return topologyFile ? resolvePath(topologyFile, "..", name) : resolvePath(name);
}

/**
 * Give the routers of `t` their FRR settings (`node.frr`); problems go to `problems`. Runs after
 * names and addresses were resolved (router IDs come from the addresses).
 */
export function resolveFrr(t: Topology, raw: RawTopology, locate: Locate, problems: Problem[]): void {
  const generated = raw.routing === "ospf" || raw.routing === "bgp" ? raw.routing : undefined;
  const routers: NetnsNode[] = [];
  for (const node of t.nodes) {
    if (node.kind !== "netns" || !node.router) continue;
    const spec = raw.nodes[node.name];
    if (spec?.kind !== "router") continue;
    const path = ["nodes", node.name];
    if (spec.as !== undefined && raw.routing !== "bgp")
      problems.push({
        message: `'as' is the BGP AS number of router '${node.name}', used with routing: bgp`,
        location: locate([...path, "as"]),
        hint: "set routing: bgp at the top of the file, or remove 'as'",
      });
    if (!spec.frr && !generated) continue;
    const frr: FrrRouter = {
      daemons: { kind: "list", names: [] },
      routerId: routerId(node, routers.length),
      src: locate(spec.frr ? [...path, "frr"] : path, { key: true }),
    };
    const own = spec.frr;
    if (own?.config !== undefined) {
      frr.config = fileNamed(own.config, t.file);
      frr.at = { ...frr.at, config: locate([...path, "frr", "config"]) };
    } else if (generated) frr.generated = generated;
    if (typeof own?.daemons === "string") {
      frr.daemons = { kind: "file", path: fileNamed(own.daemons, t.file) };
      frr.at = { ...frr.at, daemons: locate([...path, "frr", "daemons"]) };
    } else if (own?.daemons) {
      const names: string[] = [];
      own.daemons.forEach((name, i) => {
        if ((FRR_DAEMON_NAMES as readonly string[]).includes(name)) {
          if (!names.includes(name)) names.push(name);
        } else
          problems.push({
            message: `'${name}' is not an FRR daemon`,
            location: locate([...path, "frr", "daemons", i]),
            hint: didYouMean(name, FRR_DAEMON_NAMES) ?? `FRR's daemons: ${FRR_DAEMON_NAMES.join(", ")}`,
          });
      });
      frr.daemons = { kind: "list", names };
    }
    node.frr = frr;
    routers.push(node);
  }
  if (generated === "bgp") assignAs(routers, raw, locate, problems);
}

/**
 * The router ID: the router's first IPv4 loopback address, else its first IPv4 address, else (an
 * IPv6-only router) a number of its own, 0.0.x.y (never an assignable IPv4 address, so never taken).
 */
function routerId(node: NetnsNode, index: number): string {
  const lo = node.interfaces.find((i) => i.name === "lo")?.addresses.find((a) => a.family === 4);
  if (lo) return lo.address;
  for (const i of node.interfaces) {
    const a = i.addresses.find((x) => x.family === 4);
    if (a) return a.address;
  }
  const n = index + 1;
  return `0.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Routers with `as:` keep it; the others get private AS numbers in node order, skipping taken ones. */
function assignAs(routers: NetnsNode[], raw: RawTopology, locate: Locate, problems: Problem[]): void {
  const taken = new Set<number>();
  for (const r of routers) {
    const as = raw.nodes[r.name]?.kind === "router" ? (raw.nodes[r.name] as { as?: number }).as : undefined;
    if (as !== undefined) {
      r.frr!.as = as;
      taken.add(as);
    }
  }
  const need = routers.filter((r) => r.frr!.as === undefined).length;
  // 1,023 2-byte private AS numbers; beyond that, 4-byte ones for everybody.
  let next = need + taken.size <= PRIVATE_AS_16_LAST - PRIVATE_AS_16 + 1 ? PRIVATE_AS_16 : PRIVATE_AS_32;
  for (const r of routers) {
    if (r.frr!.as !== undefined) continue;
    while (taken.has(next)) next++;
    r.frr!.as = next;
    taken.add(next++);
  }
  for (const r of routers)
    if (r.frr!.as === 23456)
      problems.push({
        message: `AS 23456 of router '${r.name}' is AS_TRANS, reserved for 4-byte AS transition`,
        location: locate(["nodes", r.name, "as"]),
      });
}
