/**
 * containerlab's `binds` of a namespace node (`host-path:container-path[:ro|rw]`) → the node's
 * `files:`: the host path (a file or a directory, relative to the .clab.yml as containerlab reads
 * it) seen at the container path inside the node only. A node's files are copies, so the host's
 * file is never written from the node, whatever the flag says; an explicit `rw` (the node's writes
 * reaching the host) is the one thing they cannot do, and is said. A bind to a path that does not
 * exist is an error at the bind when the lab is resolved (the file's `source` points back to it).
 * Binds on several levels are merged as containerlab merges them: the node's, its group's, its
 * kind's and the defaults', the more specific winning for one container path. Pure.
 */
import { setOwn } from "../../util/keys.js";
import { type Conversion, child, type Fields, type Path, shown } from "./conversion.js";

/** One bind as written. */
export interface Bind {
  host: string;
  target: string;
  /** The flag after the container path, when given. */
  flag?: "ro" | "rw";
  /** The text as written. */
  text: string;
  /** Where in the .clab.yml. */
  path: Path;
}

/** The binds of a node (from its field, inherited or its own); malformed ones are errors. */
export function parseBinds(c: Conversion, binds: { value: unknown; path: Path } | undefined): Bind[] {
  if (binds === undefined) return [];
  if (!Array.isArray(binds.value)) {
    c.error("'binds' must be a list of host:container paths", binds.path);
    return [];
  }
  const out: Bind[] = [];
  binds.value.forEach((b, i) => {
    const path = [...binds.path, i];
    const parts = typeof b === "string" ? b.split(":") : [];
    const flag = parts[2];
    if (
      parts.length < 2 ||
      parts.length > 3 ||
      !parts[0] ||
      !parts[1] ||
      (parts.length === 3 && !isFlag(flag))
    ) {
      c.error(`bind '${shown(b)}' is not host-path:container-path[:ro|rw]`, path);
      return;
    }
    out.push({
      host: parts[0]!,
      target: parts[1]!,
      ...(isFlag(flag) ? { flag } : {}),
      text: b as string,
      path,
    });
  });
  return out;
}

function isFlag(f: string | undefined): f is "ro" | "rw" {
  return f === "ro" || f === "rw";
}

/**
 * The binds of node `name` from its layers (the node first, then its group, kind and defaults): all
 * of them, one per container path, the most specific layer's; a path bound twice on one level is an
 * error.
 */
export function mergedBinds(c: Conversion, name: string, layers: readonly [Fields, Path][]): Bind[] {
  const out = new Map<string, Bind>();
  for (const [layer, at] of layers) {
    if (layer.binds === undefined) continue;
    const mine = new Map<string, Bind>();
    for (const b of parseBinds(c, { value: layer.binds, path: [...at, "binds"] })) {
      const target = b.target.length > 1 ? b.target.replace(/\/+$/, "") : b.target;
      const first = mine.get(target);
      if (first) {
        c.error(`node '${name}' binds ${target} twice ('${first.text}' and '${b.text}')`, b.path);
        continue;
      }
      mine.set(target, b);
      if (!out.has(target)) out.set(target, { ...b, target });
    }
  }
  return [...out.values()];
}

/** Node `name`'s binds as its `files:` (in `node`), each pointing back at its bind. */
export function bindFiles(c: Conversion, name: string, node: Fields, binds: readonly Bind[]): void {
  for (const b of binds) {
    if (b.flag === "rw")
      c.warn(
        `bind '${b.text}' of node '${name}': the node sees a copy of ${b.host}; what it writes there stays in the node (not written back to the host)`,
        b.path,
      );
    const files = child<Fields>(node, "files", {});
    setOwn(files, b.target, b.host);
    c.from(["nodes", name, "files"], b.path);
    c.from(["nodes", name, "files", b.target], b.path);
  }
}
