/**
 * YAML text → plain data plus a way back from any field path to `file:line:col`. Rejects, with
 * positions, what the schema cannot see: syntax errors, duplicate keys, alias bombs, absurd
 * nesting and `__proto__` keys. Every problem is collected; nothing throws.
 */
import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from "yaml";
import type { Problem, SourceLocation } from "../errors.js";
import { RESERVED_KEYS, reservedKeyMessage } from "../util/keys.js";
import { parseSimpleYaml } from "./yaml-fast.js";

/** Deepest nesting a topology can need is ~6; anything past this is an attack or a mistake. */
export const MAX_DEPTH = 32;
/** Aliases expanded at most (the yaml library's own guard against billion-laughs). */
export const MAX_ALIASES = 100;

/** Parsed YAML with its source positions. */
export interface YamlSource {
  file: string;
  /** The document as plain data (undefined when the text could not be parsed). */
  data: unknown;
  problems: Problem[];
  /** Where a field path points in the file: the value, or with `key: true` the key itself. */
  locate(path: ReadonlyArray<string | number>, options?: { key?: boolean }): SourceLocation;
}

/** Parse `text` (from `file`, used in locations). */
export function parseYaml(text: string, file: string): YamlSource {
  // Most topology files are plain block YAML, read ~10× faster without the document model.
  const fast = parseSimpleYaml(text, file);
  return fast ? { file, data: fast.data, problems: [], locate: fast.locate } : parseYamlDocument(text, file);
}

/** parseYaml through the yaml library's document model, whatever the text holds. */
export function parseYamlDocument(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const problems: Problem[] = [];
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false, // checked in walk(), in linear time
      merge: false,
      version: "1.2",
    });
  } catch (e) {
    // The YAML parser recurses once per level of block nesting: thousands of levels exhaust the stack.
    if (!(e instanceof RangeError)) throw e;
    const deepest = deepestLine(text, file);
    return {
      file,
      data: undefined,
      problems: [{ message: `nested too deeply to parse (limit ${MAX_DEPTH} levels)`, location: deepest }],
      locate: (path) => ({ ...deepest, path }),
    };
  }
  const at = (offset: number, path: ReadonlyArray<string | number> = []): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, path };
  };

  for (const e of doc.errors) {
    const snippet = text.slice(e.pos[0], Math.min(e.pos[1], e.pos[0] + 40)).split("\n")[0] ?? "";
    problems.push({ message: yamlMessage(e.code, e.message, snippet), location: at(e.pos[0]) });
  }

  // Each map's keys are indexed on first use: a 10,000-node file asks for thousands of locations.
  const index = new WeakMap<object, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let byKey = index.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const p of map.items)
        if (isScalar(p.key) && !byKey.has(String(p.key.value))) byKey.set(String(p.key.value), p);
      index.set(map, byKey);
    }
    return byKey.get(key);
  };
  const locate = (path: ReadonlyArray<string | number>, options: { key?: boolean } = {}): SourceLocation => {
    // Walk as far as the path exists; point at the deepest node found.
    let node: unknown = doc.contents;
    let best = node;
    let bestKey: unknown;
    for (const part of path) {
      if (isMap(node)) {
        const pair = pairOf(node, String(part));
        if (!pair) break;
        bestKey = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        node = node.items[part];
        bestKey = undefined;
      } else break;
      if (!isNode(node)) break;
      best = node;
    }
    const target = options.key && bestKey && isNode(bestKey) ? bestKey : best;
    const offset = isNode(target) && target.range ? target.range[0] : 0;
    return at(offset, path);
  };

  if (doc.errors.length > 0) return { file, data: undefined, problems, locate };

  walk(doc.contents, [], 0, problems, at);
  if (problems.length > 0) return { file, data: undefined, problems, locate };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const message =
      e instanceof ReferenceError
        ? `too many alias expansions (more than ${MAX_ALIASES}); YAML alias bombs are refused`
        : `cannot read the document: ${(e as Error).message}`;
    problems.push({ message, location: at(0) });
  }
  return { file, data, problems, locate };
}

/** Check nesting depth and forbidden keys everywhere, with positions. */
function walk(
  node: unknown,
  path: Array<string | number>,
  depth: number,
  problems: Problem[],
  at: (offset: number, path?: ReadonlyArray<string | number>) => SourceLocation,
): void {
  if (!isNode(node) || isAlias(node) || isScalar(node)) return;
  const offset = (node as Node).range?.[0] ?? 0;
  if (depth >= MAX_DEPTH) {
    problems.push({ message: `nested deeper than ${MAX_DEPTH} levels`, location: at(offset, path) });
    return;
  }
  if (isMap(node)) {
    // Duplicate keys are found here, in one pass (the yaml library's own check is quadratic).
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      const keyOffset = isNode(pair.key) ? (pair.key.range?.[0] ?? offset) : offset;
      if (key === "<<") {
        problems.push({
          message: "YAML merge keys ('<<') are not supported",
          location: at(keyOffset, path),
          hint: "write the fields out",
        });
        continue;
      }
      if (typeof key === "string" && RESERVED_KEYS.has(key)) {
        problems.push({ message: reservedKeyMessage(key), location: at(keyOffset, path), hint: "rename it" });
        continue;
      }
      if (!isScalar(pair.key) || (typeof key !== "string" && typeof key !== "number")) {
        problems.push({ message: "map keys must be plain strings", location: at(keyOffset, path) });
        continue;
      }
      if (seen.has(String(key))) {
        problems.push({
          message: `duplicate key '${String(key)}': it appears earlier in the same map`,
          location: at(keyOffset, [...path, String(key)]),
        });
        continue;
      }
      seen.add(String(key));
      walk(pair.value, [...path, String(key)], depth + 1, problems, at);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      walk(item, [...path, i], depth + 1, problems, at);
    });
  }
}

/** The most indented line of `text` (where absurd nesting shows), at its first non-blank column. */
function deepestLine(text: string, file: string): SourceLocation {
  let best = { line: 1, column: 1 };
  let line = 0;
  for (const l of text.split("\n")) {
    line++;
    const indent = l.length - l.trimStart().length;
    if (indent + 1 > best.column) best = { line, column: indent + 1 };
  }
  return { file, ...best, path: [] };
}

function yamlMessage(code: string, message: string, snippet: string): string {
  const first = message.split("\n")[0] ?? message;
  if (first.includes("Maximum call stack")) return `nested too deeply to parse (limit ${MAX_DEPTH} levels)`;
  if (code === "DUPLICATE_KEY") {
    const key = snippet.replace(/:.*$/, "").trim();
    return `duplicate key${key ? ` '${key}'` : ""}: it appears earlier in the same map`;
  }
  return `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, "")}`;
}
