/**
 * A fast path for the YAML topology files are written in, read without the yaml library's
 * document model (which allocates ~1 kB per byte of input: 9 MB and 45–90 ms of a CLI run for a
 * 100-host file, most of `validate` and a third of `up`): block mappings and sequences, flow
 * collections on one line, plain and quoted scalars on one line, comments. Anything else —
 * anchors, aliases, tags, block or multi-line scalars, flows over several lines, empty values,
 * duplicate or reserved keys, non-string keys, tabs, CR, directives, a second document — is
 * declined (undefined), and parseYaml reads the text with the yaml library as before, with its
 * messages. What it accepts reads as the yaml library reads it (YAML 1.2, core schema): the same
 * data and the same location for every path (test/unit/sources/yaml-fast.test.ts compares both
 * on the examples, generated labs and random documents).
 */
import type { SourceLocation } from "../errors.js";
import { RESERVED_KEYS } from "../util/keys.js";
import { DECLINE, decline, plainValue, quoted } from "./yaml-scalars.js";

/** A node's place: 1-based line and column, as the yaml library's LineCounter gives them. */
interface At {
  line: number;
  col: number;
}
type LNode =
  | { kind: "scalar"; at: At }
  | { kind: "seq"; at: At; items: LNode[] }
  | { kind: "map"; at: At; keys: Map<string, { at: At; value: LNode }> };

/** What parseYaml needs of a document read here. */
export interface FastYaml {
  data: unknown;
  locate(path: ReadonlyArray<string | number>, options?: { key?: boolean }): SourceLocation;
}

/** Nesting beyond this is left to the yaml library (topologies need ~6; it refuses past 32). */
const MAX_DEPTH = 16;
/** An implicit key (and its `:`) spans at most 1,024 characters in YAML; longer ones are left alone. */
const MAX_KEY = 1000;
/** Characters the yaml library treats specially or that this reader does not place as it does. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const ODD_TEXT = /[\t\r\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/;
/** A node cannot start with these here (anchors, aliases, tags, block scalars, directives…). */
const ODD_START = new Set(["&", "*", "!", "|", ">", "%", "@", "`", "?", ":", ",", "]", "}", "#"]);
/** Trailing spaces (not String#trimEnd: YAML's white space is the space and the tab, not U+00A0 and the like). */
const TRAILING_SPACES = / +$/;
const FLOW_END = new Set([",", "]", "}", "[", "{"]);
/** Keys left to the yaml library's reading, whose checks word the problem (`<<`: merge keys). */
const DECLINED_KEYS = new Set([...RESERVED_KEYS, "<<"]);

/** Read `text` as YAML, or undefined when it is not in the subset this reader takes. */
export function parseSimpleYaml(text: string, file: string): FastYaml | undefined {
  if (ODD_TEXT.test(text)) return undefined;
  let root: { value: unknown; node: LNode };
  try {
    root = new Reader(text.split("\n")).document();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
  return { data: root.value, locate: (path, options) => locate(root.node, file, path, options) };
}

/** A line that starts with a document marker (`---` or `...` followed by a space, a tab or nothing). */
function isMarker(l: string): boolean {
  const c = l.charCodeAt(0);
  if ((c !== 45 && c !== 46) || !(l.startsWith("---") || l.startsWith("..."))) return false;
  return l.length === 3 || l[3] === " " || l[3] === "\t";
}

/** The same walk as parseYaml's: as far as `path` exists, the deepest node (or its key) found. */
function locate(
  root: LNode,
  file: string,
  path: ReadonlyArray<string | number>,
  options: { key?: boolean } = {},
): SourceLocation {
  let node: LNode | undefined = root;
  let best: LNode = root;
  let bestKey: At | undefined;
  for (const part of path) {
    if (node.kind === "map") {
      const pair = node.keys.get(String(part));
      if (!pair) break;
      bestKey = pair.at;
      node = pair.value;
    } else if (node.kind === "seq" && typeof part === "number") {
      node = node.items[part];
      bestKey = undefined;
    } else break;
    if (!node) break;
    best = node;
  }
  const at = options.key && bestKey ? bestKey : best.at;
  return { file, line: at.line, column: at.col, path };
}

interface Parsed {
  value: unknown;
  node: LNode;
}

class Reader {
  constructor(private readonly lines: string[]) {}

  document(): Parsed {
    let i = this.next(0);
    // One leading document marker, nothing after it on its line but a comment.
    if (i < this.lines.length && /^---(?: +#.*)? *$/.test(this.lines[i]!)) i = this.next(i + 1);
    if (i >= this.lines.length) decline();
    // Any other marker (`---`, or `...`: the document's end) starts where a key could: the library's.
    for (let k = i; k < this.lines.length; k++) if (isMarker(this.lines[k]!)) decline();
    const col = this.indent(i);
    if (!this.keyAt(i, col)) decline();
    const { value, node, end } = this.map(i, col, 1);
    if (this.next(end) < this.lines.length) decline();
    return { value, node };
  }

  /** The first line at or after `i` with content (not blank, not only a comment). */
  next(i: number): number {
    while (i < this.lines.length) {
      const l = this.lines[i]!;
      const c = this.indent(i);
      if (c < l.length && l[c] !== "#") return i;
      i++;
    }
    return i;
  }

  indent(i: number): number {
    const l = this.lines[i]!;
    let c = 0;
    while (l.charCodeAt(c) === 32) c++;
    return c;
  }

  /** The rest of line `i` from `c` holds nothing but spaces and a comment. */
  restIsBlank(i: number, c: number): void {
    const l = this.lines[i]!;
    let k = c;
    while (l.charCodeAt(k) === 32) k++;
    if (k < l.length && !(l[k] === "#" && k > c)) decline();
  }

  /** A mapping key at (i, c): its text and where its value starts, or undefined when none is there. */
  keyAt(i: number, c: number): { key: string; from: number } | undefined {
    const l = this.lines[i]!;
    const ch = l[c];
    let key: string;
    let k: number;
    if (ch === '"' || ch === "'") {
      const q = quoted(l, c);
      k = q.end;
      while (l.charCodeAt(k) === 32) k++;
      if (l[k] !== ":" || (k + 1 < l.length && l[k + 1] !== " ")) return undefined;
      key = q.value;
    } else {
      if (ch === undefined || ODD_START.has(ch) || ch === "-" || ch === "[" || ch === "{") return undefined;
      k = c;
      for (;;) {
        k = l.indexOf(":", k);
        if (k < 0) return undefined;
        if (k + 1 === l.length || l[k + 1] === " ") break;
        k++;
      }
      const raw = l.slice(c, k);
      if (raw.includes(" #")) return undefined;
      key = raw.replace(TRAILING_SPACES, "");
      if (/[,[\]{}"'#]/.test(key) || plainValue(key) !== key) decline();
    }
    if (DECLINED_KEYS.has(key) || k - c > MAX_KEY) decline();
    return { key, from: k + 1 };
  }

  /** A block mapping whose first key is at (i, col) and whose other keys start lines indented `col`. */
  map(i: number, col: number, depth: number): Parsed & { end: number } {
    if (depth > MAX_DEPTH) decline();
    const value: Record<string, unknown> = {};
    const keys = new Map<string, { at: At; value: LNode }>();
    const at = { line: i + 1, col: col + 1 };
    for (let first = true; ; first = false) {
      if (!first) {
        i = this.next(i);
        if (i >= this.lines.length) break;
        const ind = this.indent(i);
        if (ind < col) break;
        if (ind > col) decline();
      }
      const k = this.keyAt(i, col);
      if (!k) decline();
      const { key, from } = k!;
      if (keys.has(key)) decline();
      const keyAt = { line: i + 1, col: col + 1 };
      const l = this.lines[i]!;
      let c = from;
      while (l.charCodeAt(c) === 32) c++;
      let v: Parsed;
      if (c >= l.length || l[c] === "#") {
        // The value on the lines below: more indented, or a sequence at the key's own indent.
        const j = this.next(i + 1);
        if (j >= this.lines.length) decline();
        const ind = this.indent(j);
        let r: Parsed & { end: number };
        if (ind > col) r = this.block(j, depth + 1);
        else if (ind === col && this.dashAt(j, col)) r = this.seq(j, col, depth + 1);
        else return decline();
        v = r;
        i = r.end;
      } else {
        v = this.inline(i, c, depth + 1, false);
        i++;
      }
      value[key] = v.value;
      keys.set(key, { at: keyAt, value: v.node });
    }
    return { value, node: { kind: "map", at, keys }, end: i };
  }

  dashAt(i: number, c: number): boolean {
    const l = this.lines[i]!;
    return l[c] === "-" && (c + 1 === l.length || l[c + 1] === " ");
  }

  /** A block node starting on line i at its indentation: a sequence or a mapping. */
  block(i: number, depth: number): Parsed & { end: number } {
    const col = this.indent(i);
    if (this.dashAt(i, col)) return this.seq(i, col, depth);
    if (this.keyAt(i, col)) return this.map(i, col, depth);
    return decline();
  }

  /** A block sequence whose dashes are at column `col`, the first on line i. */
  seq(i: number, col: number, depth: number): Parsed & { end: number } {
    if (depth > MAX_DEPTH) decline();
    const value: unknown[] = [];
    const items: LNode[] = [];
    const at = { line: i + 1, col: col + 1 };
    for (;;) {
      i = this.next(i);
      if (i >= this.lines.length) break;
      const ind = this.indent(i);
      if (ind < col) break;
      if (ind > col) decline();
      // A line at this indent that is not an item ends the sequence (a key after `key:\n- a`).
      if (!this.dashAt(i, col)) break;
      const l = this.lines[i]!;
      let c = col + 1;
      while (l.charCodeAt(c) === 32) c++;
      let v: Parsed;
      if (c >= l.length || l[c] === "#") {
        const j = this.next(i + 1);
        if (j >= this.lines.length || this.indent(j) <= col) decline();
        const r = this.block(j, depth + 1);
        v = r;
        i = r.end;
      } else if (this.dashAt(i, c)) return decline();
      else if (this.keyAt(i, c)) {
        const r = this.map(i, c, depth + 1);
        v = r;
        i = r.end;
      } else {
        v = this.inline(i, c, depth + 1, false);
        i++;
      }
      value.push(v.value);
      items.push(v.node);
    }
    return { value, node: { kind: "seq", at, items }, end: i };
  }

  /** A node on line i from column c to the end of the line (block) or to its flow's next indicator. */
  inline(i: number, c: number, depth: number, flow: boolean): Parsed & { endCol?: number } {
    const r = this.flowNode(i, c, depth, flow);
    if (!flow) this.restIsBlank(i, r.endCol);
    return r;
  }

  flowNode(i: number, c: number, depth: number, flow: boolean): Parsed & { endCol: number } {
    if (depth > MAX_DEPTH) decline();
    const l = this.lines[i]!;
    const ch = l[c]!;
    const at = { line: i + 1, col: c + 1 };
    if (ch === "[") return this.flowSeq(i, c, depth);
    if (ch === "{") return this.flowMap(i, c, depth);
    if (ch === '"' || ch === "'") {
      const q = quoted(l, c);
      return { value: q.value, node: { kind: "scalar", at }, endCol: q.end };
    }
    if (ODD_START.has(ch) || (ch === "-" && (c + 1 === l.length || l[c + 1] === " "))) decline();
    let k = c;
    if (flow) {
      while (k < l.length) {
        const x = l[k]!;
        if (FLOW_END.has(x)) break;
        if (x === ":" && (k + 1 === l.length || l[k + 1] === " " || FLOW_END.has(l[k + 1]!))) break;
        if (x === "#" && l[k - 1] === " ") break;
        k++;
      }
    } else {
      const hash = l.indexOf(" #", c);
      k = hash < 0 ? l.length : hash;
      const raw = l.slice(c, k);
      // `a: b: c` and `a: b:` are mappings where a scalar was expected: the yaml library's to judge.
      if (raw.includes(": ") || raw.replace(TRAILING_SPACES, "").endsWith(":")) decline();
    }
    const s = l.slice(c, k).replace(TRAILING_SPACES, "");
    if (s === "") decline();
    return { value: plainValue(s), node: { kind: "scalar", at }, endCol: k };
  }

  /** `[a, b]` on one line. */
  flowSeq(i: number, c: number, depth: number): Parsed & { endCol: number } {
    const l = this.lines[i]!;
    const value: unknown[] = [];
    const items: LNode[] = [];
    let k = c + 1;
    for (;;) {
      while (l.charCodeAt(k) === 32) k++;
      if (k >= l.length) decline();
      if (l[k] === "]") break;
      const r = this.flowNode(i, k, depth + 1, true);
      value.push(r.value);
      items.push(r.node);
      k = r.endCol;
      while (l.charCodeAt(k) === 32) k++;
      if (l[k] === ",") k++;
      else if (l[k] === "]") break;
      else decline();
    }
    return { value, node: { kind: "seq", at: { line: i + 1, col: c + 1 }, items }, endCol: k + 1 };
  }

  /** `{a: 1, b: 2}` on one line. */
  flowMap(i: number, c: number, depth: number): Parsed & { endCol: number } {
    const l = this.lines[i]!;
    const value: Record<string, unknown> = {};
    const keys = new Map<string, { at: At; value: LNode }>();
    let k = c + 1;
    for (;;) {
      while (l.charCodeAt(k) === 32) k++;
      if (k >= l.length) decline();
      if (l[k] === "}") break;
      const keyAt = { line: i + 1, col: k + 1 };
      let key: string;
      if (l[k] === '"' || l[k] === "'") {
        const q = quoted(l, k);
        key = q.value;
        k = q.end;
        while (l.charCodeAt(k) === 32) k++;
        if (l[k] !== ":") decline();
        k++;
      } else {
        const r = this.flowNode(i, k, depth + 1, true);
        if (typeof r.value !== "string" || l[r.endCol] !== ":") decline();
        key = r.value as string;
        k = r.endCol + 1;
        if (l[k] !== " ") decline();
      }
      if (DECLINED_KEYS.has(key) || keys.has(key) || k - keyAt.col > MAX_KEY) decline();
      while (l.charCodeAt(k) === 32) k++;
      if (k >= l.length || l[k] === "," || l[k] === "}") decline();
      const v = this.flowNode(i, k, depth + 1, true);
      value[key] = v.value;
      keys.set(key, { at: keyAt, value: v.node });
      k = v.endCol;
      while (l.charCodeAt(k) === 32) k++;
      if (l[k] === ",") k++;
      else if (l[k] === "}") break;
      else decline();
    }
    return { value, node: { kind: "map", at: { line: i + 1, col: c + 1 }, keys }, endCol: k + 1 };
  }
}
