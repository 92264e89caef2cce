/**
 * containerlab topology (`*.clab.yml`) → an nslab spec. Nodes of kind `linux` become namespaces,
 * `bridge` and `ovs-bridge` become bridges that nslab creates (containerlab expects them to exist);
 * `defaults`, `kinds` and `groups` are inherited as containerlab does (node → group → kind →
 * defaults). Links in the brief and extended (`type: veth`) formats keep their endpoints, MACs, MTU
 * and their `ipv4`/`ipv6` addresses; `exec:` lines that are `ip addr add`, `ip route add`,
 * `ip link set` or `sysctl -w` become settings. What does not apply to namespaces (images, binds,
 * the management network …) is ignored with a warning, and every error and warning points into the
 * .clab.yml. Pure.
 */
import { type Problem, type SourceLocation, TopologyError } from "../errors.js";
import { type LoadedSpec, loadSpecSource } from "../spec/load.js";
import { didYouMean } from "../spec/suggest.js";
import type { YamlSource } from "../spec/yaml.js";
import { parseExec } from "./exec.js";

type Path = Array<string | number>;
type Map_ = Record<string, unknown>;

/** A converted containerlab file. */
export interface ClabImport {
  /** The nslab spec, schema-checked, whose positions point into the .clab.yml. */
  spec: LoadedSpec;
  /** The nslab document (what `nslab import` prints). */
  document: Map_;
  warnings: Problem[];
}

const KINDS: Record<string, "netns" | "bridge" | "ovs-bridge"> = {
  linux: "netns",
  bridge: "bridge",
  "ovs-bridge": "ovs-bridge",
};

/** Node fields that mean something to nslab; everything else is reported as ignored. */
const USED_FIELDS = new Set(["kind", "exec", "group"]);

const IGNORED_WHY: Record<string, string> = {
  image: "nslab nodes are network namespaces, not containers",
  "mgmt-ipv4": "nslab labs have no management network",
  "mgmt-ipv6": "nslab labs have no management network",
  "network-mode": "nslab labs have no management network",
};

/** Convert a parsed containerlab file. Throws a TopologyError listing every problem. */
export function importClab(source: YamlSource): ClabImport {
  const c = new Converter(source);
  const document = c.run();
  if (c.problems.length > 0) throw new TopologyError(c.problems);
  const spec = loadSpecSource({
    file: source.file,
    data: document,
    problems: [],
    locate: (path, options) => c.locate(path, options),
  });
  return { spec: { ...spec, warnings: c.warnings }, document, warnings: c.warnings };
}

class Converter {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];
  readonly #map = new Map<string, Path>();
  readonly #ignored = new Map<string, { nodes: string[]; at: Path }>();

  constructor(private readonly source: YamlSource) {}

  /** Where an nslab field path came from in the .clab.yml. */
  locate(path: ReadonlyArray<string | number>, options: { key?: boolean } = {}): SourceLocation {
    for (let n = path.length; n >= 0; n--) {
      const hit = this.#map.get(JSON.stringify(path.slice(0, n)));
      if (hit) return this.source.locate(hit, n === path.length ? options : {});
    }
    return this.source.locate([]);
  }

  private from(nslab: Path, clab: Path): void {
    const k = JSON.stringify(nslab);
    if (!this.#map.has(k)) this.#map.set(k, clab);
  }

  private at(path: Path, key = false): SourceLocation {
    return this.source.locate(path, { key });
  }

  private error(message: string, path: Path, hint?: string, key = false): void {
    this.problems.push({ message, location: this.at(path, key), ...(hint ? { hint } : {}) });
  }

  private warn(message: string, path: Path, key = false): void {
    this.warnings.push({ message, location: this.at(path, key) });
  }

  run(): Map_ {
    const data = this.source.data;
    if (!isMap(data)) {
      this.error("a containerlab topology must be a map with 'name' and 'topology'", []);
      return {};
    }
    const doc: Map_ = {};
    this.from([], []);
    if (typeof data.name !== "string")
      this.error("missing or invalid 'name' (a string)", data.name === undefined ? [] : ["name"]);
    else {
      doc.name = data.name;
      this.from(["name"], ["name"]);
    }
    for (const key of Object.keys(data)) {
      if (key === "name" || key === "topology") continue;
      if (key === "mgmt") this.warn("'mgmt' is ignored: nslab labs have no management network", [key], true);
      else if (key === "prefix")
        this.warn(
          "'prefix' is ignored: nslab names namespaces after the nodes (use nslab up --prefix …)",
          [key],
          true,
        );
      else this.warn(`'${key}' is ignored (not applicable to nslab)`, [key], true);
    }
    const topo = data.topology;
    if (!isMap(topo)) {
      this.error(
        "missing or invalid 'topology' (a map with 'nodes' and 'links')",
        data.topology === undefined ? [] : ["topology"],
      );
      return doc;
    }
    for (const key of Object.keys(topo))
      if (!["nodes", "links", "kinds", "defaults", "groups"].includes(key))
        this.warn(`'topology.${key}' is ignored (not applicable to nslab)`, ["topology", key], true);
    const defaults = this.mapAt(topo, ["topology", "defaults"]);
    const kinds = this.mapAt(topo, ["topology", "kinds"]);
    const groups = this.mapAt(topo, ["topology", "groups"]);
    const nodes = topo.nodes;
    if (!isMap(nodes)) {
      this.error(
        "missing or invalid 'topology.nodes' (a map of nodes)",
        topo.nodes === undefined ? ["topology"] : ["topology", "nodes"],
      );
      return doc;
    }

    const out: Map_ = {};
    const kindOf = new Map<string, "netns" | "bridge" | "ovs-bridge">();
    const execOf = new Map<string, { lines: unknown[]; path: Path }>();
    doc.nodes = out;
    this.from(["nodes"], ["topology", "nodes"]);
    for (const [name, rawNode] of Object.entries(nodes)) {
      const path: Path = ["topology", "nodes", name];
      if (rawNode !== null && !isMap(rawNode)) {
        this.error(`node '${name}' must be a map of settings`, path);
        continue;
      }
      const node = rawNode ?? {};
      const groupName = typeof node.group === "string" ? node.group : undefined;
      const group = groupName !== undefined ? groups[groupName] : undefined;
      if (groupName !== undefined && !isMap(group))
        this.error(
          `node '${name}' is in group '${groupName}', which is not defined under topology.groups`,
          [...path, "group"],
          didYouMean(groupName, Object.keys(groups)),
        );
      const kindSource = (
        [
          [node, path],
          [group, ["topology", "groups", groupName ?? ""]],
          [defaults, ["topology", "defaults"]],
        ] as [unknown, Path][]
      ).find(([m]) => isMap(m) && m.kind !== undefined);
      const kind = kindSource ? (kindSource[0] as Map_).kind : undefined;
      const kindPath = kindSource ? [...kindSource[1], "kind"] : path;
      if (typeof kind !== "string") {
        this.error(
          `node '${name}' has no kind (nslab imports kind linux, bridge and ovs-bridge)`,
          path,
          undefined,
          true,
        );
        continue;
      }
      const nslabKind = KINDS[kind];
      if (!nslabKind) {
        this.error(
          `node '${name}' has kind '${kind}', which nslab cannot import: only linux, bridge and ovs-bridge nodes become namespaces and bridges`,
          kindPath,
          didYouMean(kind, Object.keys(KINDS)),
        );
        continue;
      }
      kindOf.set(name, nslabKind);
      // Inheritance as in containerlab: node, then its group, then its kind, then defaults.
      const layers: [Map_, Path][] = [
        [node, path],
        ...(isMap(group) ? [[group, ["topology", "groups", groupName!]] as [Map_, Path]] : []),
        ...(isMap(kinds[kind]) ? [[kinds[kind] as Map_, ["topology", "kinds", kind]] as [Map_, Path]] : []),
        [defaults, ["topology", "defaults"]],
      ];
      const seen = new Set<string>();
      for (const [layer, lpath] of layers)
        for (const field of Object.keys(layer)) {
          if (seen.has(field)) continue;
          seen.add(field);
          if (field === "exec") {
            const lines = layer.exec;
            if (!Array.isArray(lines)) this.error("'exec' must be a list of commands", [...lpath, "exec"]);
            else execOf.set(name, { lines, path: [...lpath, "exec"] });
          } else if (!USED_FIELDS.has(field)) {
            const entry = this.#ignored.get(field) ?? { nodes: [], at: [...lpath, field] };
            entry.nodes.push(name);
            this.#ignored.set(field, entry);
          }
        }
      out[name] = nslabKind === "netns" ? {} : { kind: nslabKind };
      this.from(["nodes", name], path);
      this.from(["nodes", name, "kind"], kindPath);
    }
    for (const [field, { nodes: names, at }] of this.#ignored)
      this.warn(
        `'${field}' is ignored for ${names.length === 1 ? "node" : "nodes"} ${names.join(", ")}: ${IGNORED_WHY[field] ?? "not applicable to namespaces"}`,
        at,
        true,
      );

    const linked = new Map<string, Set<string>>(); // node → its linked interfaces
    const links: Map_[] = [];
    const rawLinks = topo.links;
    if (rawLinks !== undefined && !Array.isArray(rawLinks))
      this.error("'topology.links' must be a list", ["topology", "links"]);
    (Array.isArray(rawLinks) ? rawLinks : []).forEach((rawLink, i) => {
      const link = this.link(rawLink, i, out, kindOf, linked);
      if (link) {
        this.from(["links", links.length], ["topology", "links", i]);
        this.from(["links", links.length, "endpoints"], ["topology", "links", i, "endpoints"]);
        for (const j of [0, 1])
          this.from(["links", links.length, "endpoints", j], ["topology", "links", i, "endpoints", j]);
        if (link.mtu !== undefined)
          this.from(["links", links.length, "mtu"], ["topology", "links", i, "mtu"]);
        links.push(link);
      }
    });
    if (links.length > 0) {
      doc.links = links;
      this.from(["links"], ["topology", "links"]);
    }

    for (const [name, { lines, path }] of execOf) this.exec(name, lines, path, out, kindOf, linked);
    return doc;
  }

  private mapAt(parent: Map_, path: Path): Record<string, unknown> {
    const key = path[path.length - 1] as string;
    const v = parent[key];
    if (v === undefined || v === null) return {};
    if (!isMap(v)) {
      this.error(`'${path.join(".")}' must be a map`, path);
      return {};
    }
    return v;
  }

  /** One link → `{ endpoints, mtu? }`, its addresses and MACs put on the interfaces. */
  private link(
    raw: unknown,
    i: number,
    nodes: Map_,
    kindOf: Map<string, string>,
    linked: Map<string, Set<string>>,
  ): Map_ | undefined {
    const path: Path = ["topology", "links", i];
    if (!isMap(raw)) {
      this.error("a link must be a map with 'endpoints'", path);
      return undefined;
    }
    const type = raw.type;
    if (type !== undefined && type !== "veth") {
      this.error(
        `link type '${String(type)}' cannot be imported: nslab links are veth pairs (type: veth or the brief form)`,
        [...path, "type"],
      );
      return undefined;
    }
    for (const key of Object.keys(raw))
      if (!["type", "endpoints", "mtu", "ipv4", "ipv6", "vars", "labels"].includes(key))
        this.warn(`link field '${key}' is ignored`, [...path, key], true);
    if (raw.vars !== undefined || raw.labels !== undefined)
      this.warn(
        "link 'vars' and 'labels' are ignored (they feed containerlab's templates)",
        [...path, raw.vars !== undefined ? "vars" : "labels"],
        true,
      );
    const eps = raw.endpoints;
    if (!Array.isArray(eps) || eps.length !== 2) {
      this.error(
        "'endpoints' must list exactly two endpoints",
        eps === undefined ? path : [...path, "endpoints"],
      );
      return undefined;
    }
    const ends: { node: string; iface: string; mac?: unknown; ipv4?: unknown; ipv6?: unknown; at: Path }[] =
      [];
    for (const [j, ep] of eps.entries()) {
      const at: Path = [...path, "endpoints", j];
      if (type === "veth") {
        if (!isMap(ep) || typeof ep.node !== "string" || typeof ep.interface !== "string") {
          this.error("an endpoint of a veth link is a map with 'node' and 'interface'", at);
          return undefined;
        }
        ends.push({ node: ep.node, iface: ep.interface, mac: ep.mac, ipv4: ep.ipv4, ipv6: ep.ipv6, at });
      } else {
        if (typeof ep !== "string") {
          this.error("a brief endpoint is a string node:interface", at);
          return undefined;
        }
        const colon = ep.indexOf(":");
        if (colon < 0) {
          this.error(`endpoint '${ep}' must be written node:interface`, at);
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
        this.error(`'${family}' must be a list of addresses in endpoint order`, [...path, family]);
    for (const e of ends) {
      if (["host", "mgmt-net", "macvlan"].includes(e.node)) {
        this.error(
          `'${e.node}:' endpoints (containerlab's ${e.node} links) cannot be imported: nslab never wires the host`,
          e.at,
        );
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
          this.error(
            `'${field}' must be an address with prefix length, e.g. ${family === 4 ? "192.168.0.1/24" : "2001:db8::1/64"}`,
            where,
          );
          continue;
        }
        if (kind !== "netns") {
          this.error(`endpoint ${e.node}:${e.iface} is a bridge port; bridge ports have no addresses`, where);
          continue;
        }
        this.addAddress(nodes, e.node, e.iface, value, where);
      }
      if (e.mac !== undefined) {
        const iface = this.iface(nodes, e.node, e.iface, e.at);
        iface.mac = e.mac;
        this.from(["nodes", e.node, "interfaces", e.iface, "mac"], [...e.at, "mac"]);
      }
    }
    const link: Map_ = { endpoints: ends.map((e) => `${e.node}:${e.iface}`) };
    if (raw.mtu !== undefined) link.mtu = raw.mtu;
    return link;
  }

  /** The nslab interface object of a node (created on first use; settings make it appear). */
  private iface(nodes: Map_, node: string, name: string, at: Path): Map_ {
    const n = nodes[node] as Map_;
    const ifaces = child<Map_>(n, "interfaces", {});
    this.from(["nodes", node, "interfaces"], at);
    if (!isMap(ifaces[name])) {
      ifaces[name] = {};
      this.from(["nodes", node, "interfaces", name], at);
    }
    return ifaces[name] as Map_;
  }

  private addAddress(nodes: Map_, node: string, iface: string, cidr: string, at: Path): void {
    const i = this.iface(nodes, node, iface, at);
    const list = child<string[]>(i, "addresses", []);
    this.from(["nodes", node, "interfaces", iface, "addresses", list.length], at);
    list.push(cidr);
  }

  /** Apply what nslab can of a node's `exec:` lines; warn about each line it skips. */
  private exec(
    name: string,
    lines: unknown[],
    path: Path,
    nodes: Map_,
    kindOf: Map<string, string>,
    linked: Map<string, Set<string>>,
  ): void {
    const node = nodes[name] as Map_;
    const ifaces = linked.get(name) ?? new Set<string>();
    lines.forEach((line, k) => {
      const at: Path = [...path, k];
      if (typeof line !== "string") {
        this.warn("exec line skipped: not a string", at);
        return;
      }
      if (kindOf.get(name) !== "netns") {
        this.warn(
          `exec line skipped: '${line}' (node '${name}' is a bridge; nslab runs nothing on bridges)`,
          at,
        );
        return;
      }
      const action = parseExec(line);
      const notLinked = (dev: string) =>
        `exec line skipped: '${line}' (${dev} is not a link of node '${name}'${dev === "eth0" ? "; in containerlab eth0 is the management interface, which nslab does not create" : ""})`;
      switch (action.kind) {
        case "skip":
          this.warn(`exec line skipped: '${line}' (${action.reason})`, at);
          return;
        case "address":
          if (!ifaces.has(action.dev)) this.warn(notLinked(action.dev), at);
          else this.addAddress(nodes, name, action.dev, action.cidr, at);
          return;
        case "link": {
          if (!ifaces.has(action.dev)) {
            this.warn(notLinked(action.dev), at);
            return;
          }
          const i = this.iface(nodes, name, action.dev, at);
          if (action.mtu !== undefined) {
            i.mtu = action.mtu;
            this.from(["nodes", name, "interfaces", action.dev, "mtu"], at);
          }
          if (action.mac !== undefined) {
            i.mac = action.mac;
            this.from(["nodes", name, "interfaces", action.dev, "mac"], at);
          }
          return;
        }
        case "route": {
          if (action.dev !== undefined && !ifaces.has(action.dev)) {
            this.warn(notLinked(action.dev), at);
            return;
          }
          const routes = child<Map_[]>(node, "routes", []);
          this.from(["nodes", name, "routes"], at);
          this.from(["nodes", name, "routes", routes.length], at);
          const { kind: _, ...route } = action;
          routes.push(route);
          return;
        }
        case "sysctl": {
          const sysctls = child<Map_>(node, "sysctls", {});
          this.from(["nodes", name, "sysctls"], at);
          this.from(["nodes", name, "sysctls", action.key], at);
          sysctls[action.key] = action.value;
          return;
        }
      }
    });
  }
}

/** `parent[key]`, created as `init` first when absent. */
function child<T = Map_>(parent: Map_, key: string, init: T): T {
  if (parent[key] === undefined) parent[key] = init;
  return parent[key] as T;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
