/**
 * containerlab's links out of the lab and its management network → nslab: the extended link types
 * `host`, `mgmt-net`, `macvlan` (bridge mode) and `dummy` (`endpoint:` + `host-interface:`), the
 * brief `host:IF` / `mgmt-net:IF` / `macvlan:IF` ends (nslab writes them the same way), and `mgmt:`
 * with the nodes' `mgmt-ipv4`/`mgmt-ipv6` → `management:` (containerlab's default subnets when the
 * file gives none). A management network is created only when the file uses one (a subnet under
 * `mgmt:`, a node's management address, or a mgmt-net link). Pure.
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

/** containerlab link types that reach outside the lab. */
export const EXTERNAL_TYPES = new Set(["host", "mgmt-net", "macvlan", "dummy"]);

/** Brief endpoint words naming something outside the lab (`host:IF` …); nslab takes them as written. */
export const EXTERNAL_ENDS = new Set(["host", "mgmt-net", "macvlan"]);

/** containerlab's default management subnets (core/config.go: dockerNetIPv4Addr, dockerNetIPv6Addr). */
const DEFAULT_V4 = "172.20.20.0/24";
const DEFAULT_V6 = "2001:172:20:20::/64";

/** Node fields holding a node's management addresses (the underscore forms are containerlab's deprecated ones). */
export const MGMT_NODE_FIELDS: Record<string, "ipv4" | "ipv6"> = {
  "mgmt-ipv4": "ipv4",
  mgmt_ipv4: "ipv4",
  "mgmt-ipv6": "ipv6",
  mgmt_ipv6: "ipv6",
};

/** An extended `type: host | mgmt-net | macvlan | dummy` link → `{ endpoints, mtu? }`. */
export function convertExternalLink(
  c: Conversion,
  raw: Fields,
  path: Path,
  nodes: Fields,
  kindOf: Map<string, NslabKind>,
  linked: Map<string, Set<string>>,
): Fields | undefined {
  const type = raw.type as string;
  const allowed = ["type", "endpoint", "host-interface", "mtu", "mode", "vars", "labels"];
  for (const key of Object.keys(raw))
    if (!allowed.includes(key)) c.warn(`link field '${key}' is ignored`, [...path, key], true);
  const ep = raw.endpoint;
  const at: Path = [...path, "endpoint"];
  if (!isMap(ep) || typeof ep.node !== "string" || typeof ep.interface !== "string") {
    c.error(`a ${type} link has one 'endpoint': a map with 'node' and 'interface'`, raw.endpoint ? at : path);
    return undefined;
  }
  let other = "dummy";
  if (type !== "dummy") {
    const hostIf = raw["host-interface"];
    if (typeof hostIf !== "string" || hostIf === "") {
      c.error(
        `a ${type} link needs 'host-interface' (${type === "macvlan" ? "the parent interface on the host" : "the interface's name on the host"})`,
        path,
      );
      return undefined;
    }
    other = `${type}:${hostIf}`;
  }
  if (type === "macvlan" && raw.mode !== undefined && raw.mode !== "bridge") {
    c.error(`macvlan mode '${shown(raw.mode)}' cannot be imported: nslab makes bridge-mode macvlans`, [
      ...path,
      "mode",
    ]);
    return undefined;
  }
  if (RESERVED_KEYS.has(ep.interface)) {
    c.error(reservedInterface(ep.interface), at);
    return undefined;
  }
  const set = linked.get(ep.node) ?? new Set<string>();
  set.add(ep.interface);
  linked.set(ep.node, set);
  if (ep.mac !== undefined && kindOf.get(ep.node) === "netns") {
    const iface = c.iface(nodes, ep.node, ep.interface, at);
    iface.mac = ep.mac;
    c.from(["nodes", ep.node, "interfaces", ep.interface, "mac"], [...at, "mac"]);
  }
  const link: Fields = { endpoints: [`${ep.node}:${ep.interface}`, other] };
  if (raw.mtu !== undefined) link.mtu = raw.mtu;
  return link;
}

/**
 * `management:` for the document when the file uses a management network: subnets from `mgmt:`
 * (containerlab's defaults when it names none), each node's own addresses, `management: false` for
 * nodes that share the host's network (`network-mode: host`).
 */
export function convertManagement(
  c: Conversion,
  mgmt: unknown,
  doc: Fields,
  out: Fields,
  mgmtAddresses: Map<string, Partial<Record<"ipv4" | "ipv6", { value: unknown; at: Path }>>>,
  hostNetwork: readonly string[],
  mgmtNetLinks: boolean,
): void {
  const m = isMap(mgmt) ? mgmt : {};
  const v4 = m["ipv4-subnet"];
  const v6 = m["ipv6-subnet"];
  const wanted = v4 !== undefined || v6 !== undefined || mgmtAddresses.size > 0 || mgmtNetLinks;
  for (const key of Object.keys(m))
    if (!["ipv4-subnet", "ipv6-subnet", "bridge"].includes(key) || !wanted)
      c.warn(
        wanted
          ? `'mgmt.${key}' is ignored (nslab's management network is a bridge in the root namespace)`
          : `'mgmt.${key}' is ignored: this lab uses no management network (no subnet, management address or mgmt-net link)`,
        ["mgmt", key],
        true,
      );
  if (!wanted) return;
  const management: Fields = {};
  if (v4 === undefined && v6 === undefined) {
    management.ipv4 = DEFAULT_V4;
    management.ipv6 = DEFAULT_V6;
    c.from(["management"], isMap(mgmt) ? ["mgmt"] : []);
  } else {
    if (v4 !== undefined) management.ipv4 = v4;
    if (v6 !== undefined) management.ipv6 = v6;
    c.from(["management"], ["mgmt"]);
    if (v4 !== undefined) c.from(["management", "ipv4"], ["mgmt", "ipv4-subnet"]);
    if (v6 !== undefined) c.from(["management", "ipv6"], ["mgmt", "ipv6-subnet"]);
  }
  if (m.bridge !== undefined) {
    management.bridge = m.bridge;
    c.from(["management", "bridge"], ["mgmt", "bridge"]);
  }
  doc.management = management;
  for (const [name, a] of mgmtAddresses) {
    const node = out[name];
    if (!isMap(node) || node.kind !== undefined) continue;
    const own: Fields = {};
    for (const family of ["ipv4", "ipv6"] as const) {
      const f = a[family];
      if (!f) continue;
      own[family] = f.value;
      c.from(["nodes", name, "management"], f.at);
      c.from(["nodes", name, "management", family], f.at);
    }
    node.management = own;
  }
  for (const name of hostNetwork) {
    const node = out[name];
    if (isMap(node) && node.kind === undefined) node.management = false;
  }
}
