/**
 * containerlab links → nslab links: the brief form (`endpoints: ["a:e1", "b:e1"]`, link-level
 * `ipv4`/`ipv6` lists in endpoint order) and the extended `type: veth` form (endpoints as maps with
 * their own `mac`, `ipv4`, `ipv6`); addresses and MACs go onto the nslab interfaces. Pure.
 */
import { RESERVED_KEYS } from "../../util/keys.js";
import {
  type Conversion,
  type Fields,
  isMap,
  type NslabKind,
  type Path,
  reservedInterface,
  shown,
} from "./conversion.js";
import { convertExternalLink, EXTERNAL_ENDS, EXTERNAL_TYPES } from "./external.js";

/** One link → `{ endpoints, mtu? }`, its addresses and MACs put on the interfaces. */
export function convertLink(
  c: Conversion,
  raw: unknown,
  i: number,
  nodes: Fields,
  kindOf: Map<string, NslabKind>,
  linked: Map<string, Set<string>>,
): Fields | undefined {
  const path: Path = ["topology", "links", i];
  if (!isMap(raw)) {
    c.error("a link must be a map with 'endpoints'", path);
    return undefined;
  }
  const type = raw.type;
  if (typeof type === "string" && EXTERNAL_TYPES.has(type))
    return convertExternalLink(c, raw, path, nodes, kindOf, linked);
  if (type !== undefined && type !== "veth") {
    c.error(
      `link type '${shown(type)}' cannot be imported: nslab links are veth pairs (type: veth or the brief form)`,
      [...path, "type"],
    );
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (!["type", "endpoints", "mtu", "ipv4", "ipv6", "vars", "labels"].includes(key))
      c.warn(`link field '${key}' is ignored`, [...path, key], true);
  if (raw.vars !== undefined || raw.labels !== undefined)
    c.warn(
      "link 'vars' and 'labels' are ignored (they feed containerlab's templates)",
      [...path, raw.vars !== undefined ? "vars" : "labels"],
      true,
    );
  const eps = raw.endpoints;
  if (!Array.isArray(eps) || eps.length !== 2) {
    c.error("'endpoints' must list exactly two endpoints", eps === undefined ? path : [...path, "endpoints"]);
    return undefined;
  }
  const ends: { node: string; iface: string; mac?: unknown; ipv4?: unknown; ipv6?: unknown; at: Path }[] = [];
  for (const [j, ep] of eps.entries()) {
    const at: Path = [...path, "endpoints", j];
    if (type === "veth") {
      if (!isMap(ep) || typeof ep.node !== "string" || typeof ep.interface !== "string") {
        c.error("an endpoint of a veth link is a map with 'node' and 'interface'", at);
        return undefined;
      }
      ends.push({ node: ep.node, iface: ep.interface, mac: ep.mac, ipv4: ep.ipv4, ipv6: ep.ipv6, at });
    } else {
      if (typeof ep !== "string") {
        c.error("a brief endpoint is a string node:interface", at);
        return undefined;
      }
      const colon = ep.indexOf(":");
      if (colon < 0) {
        c.error(`endpoint '${ep}' must be written node:interface`, at);
        return undefined;
      }
      const list = (v: unknown) => (Array.isArray(v) ? v[j] : undefined);
      ends.push({
        node: ep.slice(0, colon),
        iface: ep.slice(colon + 1),
        ipv4: list(raw.ipv4),
        ipv6: list(raw.ipv6),
        at,
      });
    }
  }
  for (const family of ["ipv4", "ipv6"] as const)
    if (type !== "veth" && raw[family] !== undefined && !Array.isArray(raw[family]))
      c.error(`'${family}' must be a list of addresses in endpoint order`, [...path, family]);
  for (const e of ends) {
    if (EXTERNAL_ENDS.has(e.node)) {
      // Outside the lab: nslab writes these ends as containerlab does; addresses are the node's side only.
      if (e.ipv4 !== undefined || e.ipv6 !== undefined)
        c.warn(
          `the addresses given for '${e.node}:${e.iface}' are ignored: it is not a node's interface`,
          e.at,
        );
      continue;
    }
    if (RESERVED_KEYS.has(e.iface)) {
      c.error(reservedInterface(e.iface), e.at);
      return undefined;
    }
    const set = linked.get(e.node) ?? new Set<string>();
    set.add(e.iface);
    linked.set(e.node, set);
    const kind = kindOf.get(e.node);
    if (!kind) continue; // unknown node: the nslab resolver reports it at this endpoint
    for (const [field, family] of [
      ["ipv4", 4],
      ["ipv6", 6],
    ] as const) {
      const value = e[field];
      if (value === undefined || value === null || value === "") continue;
      const where: Path = type === "veth" ? [...e.at, field] : [...path, field, e === ends[0] ? 0 : 1];
      if (typeof value !== "string") {
        c.error(
          `'${field}' must be an address with prefix length, e.g. ${family === 4 ? "192.168.0.1/24" : "2001:db8::1/64"}`,
          where,
        );
        continue;
      }
      if (kind !== "netns") {
        c.error(`endpoint ${e.node}:${e.iface} is a bridge port; bridge ports have no addresses`, where);
        continue;
      }
      c.addAddress(nodes, e.node, e.iface, value, where);
    }
    if (e.mac !== undefined) {
      const iface = c.iface(nodes, e.node, e.iface, e.at);
      iface.mac = e.mac;
      c.from(["nodes", e.node, "interfaces", e.iface, "mac"], [...e.at, "mac"]);
    }
  }
  const link: Fields = { endpoints: ends.map((e) => `${e.node}:${e.iface}`) };
  if (raw.mtu !== undefined) link.mtu = raw.mtu;
  return link;
}
