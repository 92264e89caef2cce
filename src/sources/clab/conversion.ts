/**
 * The state of one containerlab conversion: the problems and warnings found so far (each pointing
 * into the .clab.yml), the nslab document being written, and the map from each nslab field path
 * back to the containerlab path it came from.
 */
import type { Problem, SourceLocation } from "../../errors.js";
import { getOwn, reservedKeyMessage, setOwn } from "../../util/keys.js";
import type { YamlSource } from "../yaml.js";

export type Path = Array<string | number>;
export type Fields = Record<string, unknown>;

/** What the converter needs to know of the nodes it has converted. */
export type NslabKind = "netns" | "bridge" | "ovs-bridge";

export class Conversion {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];
  readonly #map = new Map<string, Path>();

  constructor(readonly source: YamlSource) {}

  /** Where an nslab field path came from in the .clab.yml. */
  locate(path: ReadonlyArray<string | number>, options: { key?: boolean } = {}): SourceLocation {
    for (let n = path.length; n >= 0; n--) {
      const hit = this.#map.get(JSON.stringify(path.slice(0, n)));
      if (hit) return this.source.locate(hit, n === path.length ? options : {});
    }
    return this.source.locate([]);
  }

  /** Record that nslab field path `nslab` comes from containerlab path `clab` (the first one wins). */
  from(nslab: Path, clab: Path): void {
    const k = JSON.stringify(nslab);
    if (!this.#map.has(k)) this.#map.set(k, clab);
  }

  at(path: Path, key = false): SourceLocation {
    return this.source.locate(path, { key });
  }

  error(message: string, path: Path, hint?: string, key = false): void {
    this.problems.push({ message, location: this.at(path, key), ...(hint ? { hint } : {}) });
  }

  warn(message: string, path: Path, key = false): void {
    this.warnings.push({ message, location: this.at(path, key) });
  }

  /**
   * The nslab interface object of a node (created on first use; settings make it appear). Names
   * from the file become own keys only (keys.ts), never a prototype: links refuse a reserved
   * interface name first, and the schema check refuses any other reserved key where it was written.
   */
  iface(nodes: Fields, node: string, name: string, at: Path): Fields {
    const n = getOwn(nodes, node) as Fields;
    const ifaces = child<Fields>(n, "interfaces", {});
    this.from(["nodes", node, "interfaces"], at);
    if (!isMap(getOwn(ifaces, name))) {
      setOwn(ifaces, name, {});
      this.from(["nodes", node, "interfaces", name], at);
    }
    return ifaces[name] as Fields;
  }

  addAddress(nodes: Fields, node: string, iface: string, cidr: string, at: Path): void {
    const i = this.iface(nodes, node, iface, at);
    const list = child<string[]>(i, "addresses", []);
    this.from(["nodes", node, "interfaces", iface, "addresses", list.length], at);
    list.push(cidr);
  }
}

/** The problem of an endpoint whose interface has a reserved name (keys.ts). */
export function reservedInterface(name: string): string {
  return reservedKeyMessage(name, "interface name");
}

/** `parent[key]`, created as `init` first when absent. */
export function child<T = Fields>(parent: Fields, key: string, init: T): T {
  if (getOwn(parent, key) === undefined) setOwn(parent, key, init);
  return parent[key] as T;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A value written in the file, for a message (a map or list as JSON: `String()` can throw on those). */
export function shown(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}
