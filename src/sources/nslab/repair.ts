/**
 * Carrying on past schema problems, so one pass reports every problem: a copy of the document with
 * each offending part cut out (unknown fields dropped; a bad field, interface, route, link or
 * expectation removed; a bad node made a plain namespace), which the model's rules can still check.
 * The cut parts are remembered: the rules' findings about them (about a placeholder, not about
 * what was written) are left out, and positions in the copy map back to the original document.
 */
import type { Problem } from "../../errors.js";
import type { Locate } from "../source.js";

/** A schema issue, unions resolved to the branch the user meant: unknown `keys` at `path`, or a bad value there. */
export interface FlatIssue {
  path: Path;
  keys?: readonly string[];
}
type Path = ReadonlyArray<string | number>;
type Fields = Record<string, unknown>;

/** A document with its offending parts cut out. */
export interface Repaired {
  data: Fields;
  /** Paths (in the original document) whose findings say nothing about what was written. */
  cut: Path[];
  /** Maps a path in the repaired copy back to the original (lists lost elements). */
  original(path: Path): Path;
}

/** Lists whose broken elements are dropped: the top-level `links` and `expect`, a node's `routes`. */
function droppable(path: Path): boolean {
  return (
    (path.length === 1 && (path[0] === "links" || path[0] === "expect")) ||
    (path.length === 3 && path[0] === "nodes" && path[2] === "routes")
  );
}

const isMap = (v: unknown): v is Fields => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A copy of `data` whose maps and lists can be cut. structuredClone, unless the data holds what it
 * cannot clone (a function, e.g. an inherited `toString` an importer read for a key of that name):
 * then maps and lists are copied by hand and other values shared (repair never changes them).
 */
function cloneData(data: Fields): Fields {
  try {
    return structuredClone(data);
  } catch {
    const copy = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(copy)
        : isMap(v)
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]))
          : v;
    return copy(data) as Fields;
  }
}

/**
 * Cut every issue's part out of a copy of `data`; undefined when the document as a whole is
 * unusable (not a map, `nodes` not a map).
 */
export function repair(data: unknown, issues: readonly FlatIssue[]): Repaired | undefined {
  if (!isMap(data)) return undefined;
  const copy = cloneData(data);
  const cut: Path[] = [];
  const drop = new Map<string, Set<number>>(); // list path (JSON) → indexes to drop
  for (const issue of issues) {
    if (issue.keys) {
      const at = valueAt(copy, issue.path);
      if (isMap(at)) for (const k of issue.keys) delete at[k];
      continue;
    }
    if (!cutAt(copy, issue.path, cut, drop)) return undefined;
  }
  // Drop list elements last, highest first, keeping the way back to the original indexes.
  const kept = new Map<string, number[]>();
  for (const [key, indexes] of drop) {
    const listPath = JSON.parse(key) as Path;
    const list = valueAt(copy, listPath);
    if (!Array.isArray(list)) continue;
    kept.set(
      key,
      list.map((_, i) => i).filter((i) => !indexes.has(i)),
    );
    const remaining = list.filter((_, i) => !indexes.has(i));
    list.length = 0;
    list.push(...remaining);
  }
  const original = (path: Path): Path => {
    const out = [...path];
    for (let i = 0; i < out.length; i++) {
      const map = kept.get(JSON.stringify(out.slice(0, i)));
      if (map && typeof out[i] === "number") out[i] = map[out[i] as number] ?? out[i]!;
    }
    return out;
  };
  return { data: copy, cut, original };
}

/** Cut the part of `doc` an issue at `path` is about; false when that part is the whole document. */
function cutAt(doc: Fields, path: Path, cut: Path[], drop: Map<string, Set<number>>): boolean {
  const [top, second, third, fourth] = path;
  if (top === undefined) return false;
  if (top === "name") {
    doc.name = "lab"; // a placeholder: the problem with the name is reported already
    cut.push(["name"]);
    return true;
  }
  if (top === "nodes") {
    const nodes = doc.nodes;
    if (second === undefined || !isMap(nodes)) return false;
    const node = nodes[second];
    if (third === undefined || !isMap(node)) {
      nodes[second] = null; // a plain namespace node, so links to it still resolve
      cut.push(["nodes", second]);
      return true;
    }
    if (third === "kind") {
      delete node.kind;
      cut.push(["nodes", second]);
      return true;
    }
    if ((third === "interfaces" || third === "routes") && fourth !== undefined) {
      const within = ["nodes", second, third];
      if (third === "routes" && typeof fourth === "number") mark(drop, within, fourth);
      else {
        const map = node[third];
        if (isMap(map)) delete map[fourth];
      }
      cut.push([...within, fourth]);
      return true;
    }
    delete node[third];
    cut.push(["nodes", second, third]);
    return true;
  }
  if ((top === "links" || top === "expect") && typeof second === "number") {
    const list = doc[top];
    const element = Array.isArray(list) ? list[second] : undefined;
    const ends = isMap(element) ? element.endpoints : undefined;
    if (
      top === "links" &&
      Array.isArray(ends) &&
      ends.length === 2 &&
      ends.every((e) => typeof e === "string")
    )
      (list as unknown[])[second] = [...ends]; // the link without its settings
    else mark(drop, [top], second);
    cut.push([top, second]);
    return true;
  }
  delete doc[top];
  cut.push([top]);
  return true;
}

function mark(drop: Map<string, Set<number>>, list: Path, index: number): void {
  if (!droppable(list)) return;
  const key = JSON.stringify(list);
  const set = drop.get(key) ?? new Set<number>();
  set.add(index);
  drop.set(key, set);
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A locator for the repaired copy: positions of the original document. */
export function repairedLocate(locate: Locate, repaired: Repaired): Locate {
  return (path, options) => locate(repaired.original(path), options);
}

/** Whether a finding of the model is about a part that was cut out (so about a placeholder). */
export function aboutCut(problem: Problem, cut: readonly Path[]): boolean {
  const path = problem.location?.path;
  if (!path) return false;
  return cut.some((c) => c.length <= path.length && c.every((p, i) => path[i] === p));
}
