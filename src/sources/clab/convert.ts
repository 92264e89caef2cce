/**
 * containerlab topology (`*.clab.yml`) → the nslab document. Nodes of kind `linux` become namespaces
 * (routers running the host's FRR when their image is FRR's, as are nodes of kind `frr`: frr.ts),
 * `bridge` and `ovs-bridge` become bridges that nslab creates (containerlab expects them to exist);
 * `defaults`, `kinds` and `groups` are inherited as containerlab does (node → group → kind →
 * defaults). Links in the brief and extended (`type: veth`) formats keep their endpoints, MACs, MTU
 * and their `ipv4`/`ipv6` addresses; `exec:` lines that are `ip addr add`, `ip route add`,
 * `ip link set` or `sysctl -w` become settings; links out of the lab (host, mgmt-net, macvlan, dummy)
 * and the management network convert as external.ts says; a namespace node's `binds` become its
 * `files:` (binds.ts). What does not apply to namespaces (images …) is ignored with a warning, and every error and warning points into the
 * .clab.yml. Pure.
 */
import { type Problem, TopologyError } from "../../errors.js";
import { getOwn } from "../../util/keys.js";
import { checkSchema } from "../nslab/check.js";
import type { TopologySource } from "../source.js";
import { didYouMean } from "../suggest.js";
import type { YamlSource } from "../yaml.js";
import { bindFiles, mergedBinds } from "./binds.js";
import { Conversion, type Fields, isMap, type NslabKind, type Path } from "./conversion.js";
import { applyExec } from "./exec-lines.js";
import { convertManagement, MGMT_NODE_FIELDS } from "./external.js";
import { convertFrrNode, FRR_FIELDS, isFrrImage } from "./frr.js";
import { convertLink } from "./links.js";

/** A converted containerlab file. */
export interface ClabImport {
  /** The raw nslab topology, schema-checked, whose positions point into the .clab.yml. */
  spec: TopologySource;
  /** The nslab document (what `nslab import` prints). */
  document: Fields;
  warnings: Problem[];
}

const KINDS: Record<string, NslabKind> = {
  linux: "netns",
  bridge: "bridge",
  "ovs-bridge": "ovs-bridge",
};

/** Node fields that mean something to nslab; everything else is reported as ignored. */
const USED_FIELDS = new Set(["kind", "exec", "group"]);

const IGNORED_WHY: Record<string, string> = {
  image:
    "nslab nodes are network namespaces, not containers (nodes with FRR's image become routers running the host's FRR)",
  "network-mode": "an nslab node is a namespace of its own (it stays off the management network)",
};

/**
 * Convert a parsed containerlab file into the nslab document, checked by the nslab schema with
 * positions in the .clab.yml. Throws a TopologyError listing every problem.
 */
export function importClab(source: YamlSource): ClabImport {
  const c = new Converter(source);
  const document = c.run();
  if (c.problems.length > 0) throw new TopologyError(c.problems);
  const spec = checkSchema({
    file: source.file,
    data: document,
    problems: [],
    locate: (path, options) => c.locate(path, options),
  });
  return { spec: { ...spec, warnings: c.warnings }, document, warnings: c.warnings };
}

/** The top level and the nodes (links and exec lines: links.ts, exec-lines.ts). */
class Converter extends Conversion {
  readonly #ignored = new Map<string, { nodes: string[]; at: Path }>();

  run(): Fields {
    const data = this.source.data;
    if (!isMap(data)) {
      this.error("a containerlab topology must be a map with 'name' and 'topology'", []);
      return {};
    }
    const doc: Fields = {};
    this.from([], []);
    if (typeof data.name !== "string")
      this.error("missing or invalid 'name' (a string)", data.name === undefined ? [] : ["name"]);
    else {
      doc.name = data.name;
      this.from(["name"], ["name"]);
    }
    for (const key of Object.keys(data)) {
      if (key === "name" || key === "topology") continue;
      if (key === "mgmt") continue; // convertManagement
      if (key === "prefix")
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

    const out: Fields = {};
    const kindOf = new Map<string, NslabKind>();
    const execOf = new Map<string, { lines: unknown[]; path: Path }>();
    const mgmtOf = new Map<string, Partial<Record<"ipv4" | "ipv6", { value: unknown; at: Path }>>>();
    const hostNetwork: string[] = [];
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
      const group = groupName !== undefined ? getOwn(groups, groupName) : undefined;
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
      const kind = kindSource ? (kindSource[0] as Fields).kind : undefined;
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
      const nslabKind = kind === "frr" ? "netns" : (getOwn(KINDS, kind) as NslabKind | undefined);
      if (!nslabKind) {
        this.error(
          `node '${name}' has kind '${kind}', which nslab cannot import: only linux, frr, bridge and ovs-bridge nodes become namespaces, routers and bridges`,
          kindPath,
          didYouMean(kind, [...Object.keys(KINDS), "frr"]),
        );
        continue;
      }
      kindOf.set(name, nslabKind);
      // The node's own management addresses (node level only, as containerlab reads them).
      for (const [field, family] of Object.entries(MGMT_NODE_FIELDS))
        if (node[field] !== undefined && nslabKind === "netns")
          mgmtOf.set(name, { ...mgmtOf.get(name), [family]: { value: node[field], at: [...path, field] } });
      if (node["network-mode"] === "host") hostNetwork.push(name);
      // Inheritance as in containerlab: node, then its group, then its kind, then defaults.
      const layers: [Fields, Path][] = [
        [node, path],
        ...(isMap(group) ? [[group, ["topology", "groups", groupName!]] as [Fields, Path]] : []),
        ...(isMap(getOwn(kinds, kind))
          ? [[kinds[kind] as Fields, ["topology", "kinds", kind]] as [Fields, Path]]
          : []),
        [defaults, ["topology", "defaults"]],
      ];
      const fields = new Map<string, { value: unknown; path: Path; own: boolean }>();
      for (const [layer, lpath] of layers)
        for (const field of Object.keys(layer))
          if (!fields.has(field))
            fields.set(field, { value: layer[field], path: [...lpath, field], own: layer === node });
      // FRR's kind or image: a router running the host's FRR (frr.ts).
      const frr = kind === "frr" || (kind === "linux" && isFrrImage(fields.get("image")?.value));
      for (const [field, { value, path: at, own }] of fields) {
        if (field === "exec") {
          if (!Array.isArray(value)) this.error("'exec' must be a list of commands", at);
          else execOf.set(name, { lines: value, path: at });
        } else if (
          !USED_FIELDS.has(field) &&
          !(frr && FRR_FIELDS.has(field)) &&
          !(nslabKind === "netns" && field === "binds") &&
          !(own && field in MGMT_NODE_FIELDS)
        ) {
          const entry = this.#ignored.get(field) ?? { nodes: [], at };
          entry.nodes.push(name);
          this.#ignored.set(field, entry);
        }
      }
      const binds = nslabKind === "netns" ? mergedBinds(this, name, layers) : [];
      if (frr) {
        const r = convertFrrNode(this, name, fields, binds);
        out[name] = { kind: "router", frr: r.frr };
        bindFiles(this, name, out[name] as Fields, r.others);
      } else if (nslabKind === "netns") {
        out[name] = {};
        bindFiles(this, name, out[name] as Fields, binds);
      } else out[name] = { kind: nslabKind };
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
    const links: Fields[] = [];
    const rawLinks = topo.links;
    if (rawLinks !== undefined && !Array.isArray(rawLinks))
      this.error("'topology.links' must be a list", ["topology", "links"]);
    (Array.isArray(rawLinks) ? rawLinks : []).forEach((rawLink, i) => {
      const link = convertLink(this, rawLink, i, out, kindOf, linked);
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

    for (const [name, { lines, path }] of execOf) applyExec(this, name, lines, path, out, kindOf, linked);
    const mgmtNet = links.some((l) => (l.endpoints as string[]).some((e) => e.startsWith("mgmt-net:")));
    convertManagement(this, data.mgmt, doc, out, mgmtOf, hostNetwork, mgmtNet);
    return doc;
  }

  private mapAt(parent: Fields, path: Path): Record<string, unknown> {
    const key = path[path.length - 1] as string;
    const v = parent[key];
    if (v === undefined || v === null) return {};
    if (!isMap(v)) {
      this.error(`'${path.join(".")}' must be a map`, path);
      return {};
    }
    return v;
  }
}
