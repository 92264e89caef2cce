/**
 * Property-based fuzzing of topology input (fast-check): the settings every fuzz file shares (seed,
 * number of runs, time bound per case), the property itself (a result that plans, or a located
 * TopologyError, in bounded time), and the mutations applied to real files — on the text (lines
 * dropped, duplicated, swapped, re-indented, odd lines and tokens, truncation) and on the data
 * (keys dropped, duplicated, renamed, values retyped and swapped, odd values, anchors and aliases).
 *
 *   NSLAB_FUZZ_RUNS=N     runs per property (default: what fits CI; `npm run fuzz` sets 50,000)
 *   NSLAB_FUZZ_SEED=S     replay a run (the seed is printed when a property fails)
 *   NSLAB_FUZZ_CASE_MS=T  the CPU time bound of one case (default 2000 ms; CPU time, not wall time,
 *                         so a busy shared machine does not fail the run; wall time is bounded at 15×)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { NslabError, planLab, type Topology, TopologyError } from "../../src/index.js";
import type { HostFacts, PathFact } from "../../src/plan/host.js";
import { setOwn } from "../../src/util/keys.js";

const runsOverride = Number(process.env.NSLAB_FUZZ_RUNS) || undefined;
/** The seed of this run: fixed by NSLAB_FUZZ_SEED, else a fresh one (printed on failure). */
export const FUZZ_SEED = Number(process.env.NSLAB_FUZZ_SEED) || (Date.now() ^ (process.pid << 16)) >>> 0;
/** A case using more CPU time than this is a failure (a hang, or a parser gone quadratic). */
export const CASE_LIMIT_MS = Number(process.env.NSLAB_FUZZ_CASE_MS) || 2000;

/** A fuzz test's own timeout: generous in CI (the machine may be busy), none to speak of for a long run. */
export const FUZZ_TIMEOUT = runsOverride ? 7 * 24 * 3600_000 : 300_000;

/** fast-check parameters: `runs` in CI unless NSLAB_FUZZ_RUNS overrides it. */
export function fuzzParams<T>(runs: number): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: runsOverride ?? runs, verbose: 1 };
}

/** Run a property; a failure names the seed and how to replay it. */
export async function fuzz<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<Ts>,
  runs: number,
): Promise<void> {
  const details = await fc.check(property, fuzzParams<Ts>(runs));
  if (details.failed) {
    const example = fc.stringify(details.counterexample);
    let saved = "";
    if (example.length > 3000) {
      // In test-results/ (kept, as CI's artifacts are): a test file's temporary directory is removed.
      const dir = join(import.meta.dirname, "..", "..", "test-results");
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `fuzz-counterexample-${details.seed}.json`);
      writeFileSync(file, example);
      saved = ` (in full: ${file})`;
    }
    const error = details.errorInstance as Error | undefined;
    throw new Error(
      [
        `property failed after ${details.numRuns} cases (shrunk ${details.numShrinks} times): ${error?.message?.slice(0, 3000)}`,
        `counterexample (${example.length} chars)${saved}: ${example.length > 3000 ? `${example.slice(0, 3000)} …` : example}`,
        `replay: NSLAB_FUZZ_SEED=${details.seed} (fast-check path ${details.counterexamplePath})`,
      ].join("\n"),
      { cause: error },
    );
  }
}

/** Load options for cases: warnings are still made and worded, but not printed (thousands per run). */
export const QUIET = { log: () => {} };

/** How a case ended. */
export type Outcome = "accepted" | "rejected";

/**
 * Host facts for planning `t`: made up, the same on every machine, so planning stays pure. Nodes get
 * their own environments (the native agent's), so that `files:` and `services:` are planned too:
 * the host has every top-level directory (/etc, /srv…) and nothing below them, and no mount points;
 * every program a service runs is installed; the accounts are root's and nslab's test user's.
 */
function hostFor(t: Topology): HostFacts {
  const paths: Record<string, PathFact> = {};
  const programs: Record<string, string | null> = {};
  for (const n of t.nodes) {
    if (n.kind !== "netns") continue;
    for (const f of n.files ?? []) {
      const parts = f.path.split("/");
      const existing = parts.length > 2 && parts[1] ? `/${parts[1]}` : "/";
      setOwn(paths, f.path, { canonical: f.path, type: "missing", existing });
    }
    for (const s of n.services ?? [])
      for (const argv of [s.command, s.ready.kind === "command" ? s.ready.command : undefined]) {
        const program = argv?.[0];
        if (program !== undefined)
          setOwn(programs, program, program.startsWith("/") ? program : `/usr/bin/${program}`);
      }
  }
  const accounts = {
    users: { root: { uid: 0, gid: 0 }, frr: { uid: 100, gid: 100 } },
    groups: { root: 0, frr: 100 },
  };
  return { ovsKernelDatapath: false, nodeEnv: true, paths, mounts: [], programs, accounts };
}

/** Prototypes a case could change by writing through a `__proto__` key, and their own keys now. */
const PROTOTYPES: ReadonlyArray<[string, object]> = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["String.prototype", String.prototype],
  ["Function.prototype", Function.prototype],
];
const PROTOTYPE_KEYS = new Map(PROTOTYPES.map(([, p]) => [p, Reflect.ownKeys(p).length]));

/**
 * Fail the case that changed a built-in prototype (a `__proto__` key written as a field: every
 * later case would then see the change, and the run's tally would be wrong for a reason far away).
 */
export function checkPrototypes(): void {
  for (const [name, p] of PROTOTYPES) {
    const keys = Reflect.ownKeys(p);
    if (keys.length !== PROTOTYPE_KEYS.get(p))
      throw new Error(`the case changed ${name}: its own keys are now ${keys.map(String).join(", ")}`);
  }
}

/**
 * The property every input must satisfy: `load` either returns a topology that plans (and prints)
 * without throwing, or throws a TopologyError whose every problem is located in `file`
 * (line and column ≥ 1), or an NslabError with one of `codes` — within CASE_LIMIT_MS — and leaves
 * the built-in prototypes as they were.
 */
export async function loadsOrLocates(
  file: string,
  load: () => Topology | Promise<Topology>,
  codes: readonly string[] = [],
): Promise<Outcome> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let outcome: Outcome;
  try {
    const topology = await load();
    const plan = planLab(topology, hostFor(topology));
    plan.toShell();
    plan.toJson();
    outcome = "accepted";
  } catch (e) {
    if (e instanceof TopologyError) {
      if (e.problems.length === 0) throw new Error("a TopologyError without problems");
      for (const p of e.problems) {
        const l = p.location;
        if (!l || l.file !== file || !(l.line >= 1) || !(l.column >= 1))
          throw new Error(`a problem without a place in ${file}: ${JSON.stringify(p)}`);
      }
    } else if (!(e instanceof NslabError && codes.includes(e.code))) {
      const err = e as Error;
      throw new Error(`unexpected ${err?.name ?? typeof e}: ${err?.message}\n${err?.stack ?? ""}`);
    }
    outcome = "rejected";
  }
  checkPrototypes();
  checkCaseTime(started, cpu);
  return outcome;
}

/** Fail a case that used more than CASE_LIMIT_MS of CPU time (or 15 times that of wall time). */
export function checkCaseTime(started: number, cpu: NodeJS.CpuUsage): void {
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const wallMs = performance.now() - started;
  if (cpuMs > CASE_LIMIT_MS || wallMs > 15 * CASE_LIMIT_MS)
    throw new Error(
      `one case took ${Math.round(cpuMs)} ms of CPU time, ${Math.round(wallMs)} ms in all (limit ${CASE_LIMIT_MS} ms of CPU)`,
    );
}

/** Counts of outcomes, to show (and check) that the fuzz reaches past the parser. */
export class Tally {
  accepted = 0;
  rejected = 0;
  add(o: Outcome): void {
    this[o]++;
  }
  toString(): string {
    return `${this.accepted + this.rejected} cases: ${this.accepted} accepted, ${this.rejected} rejected with located problems`;
  }
}

// ---------------------------------------------------------------------------------------------
// Odd values

/** Strings that have broken parsers, validators or printers somewhere. */
const ODD_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "null",
  "~",
  "yes",
  "no",
  "on",
  "NaN",
  ".nan",
  ".inf",
  "-.inf",
  "1e309",
  "-0",
  "0x7fffffff",
  "0o777",
  "99999999999999999999999999999999",
  "4294967296",
  "-1",
  "1.5",
  "10.1.1.2/24",
  "10.1.1.2/33",
  "256.0.0.1/24",
  "fd00::1/129",
  "::/0",
  "0.0.0.0/0",
  "ns1:veth0",
  "ns1:",
  ":veth0",
  "a:b:c",
  "ns1:veth0:x",
  "02:00:00:00:00:01",
  "ff:ff:ff:ff:ff:ff",
  "eth0",
  "a".repeat(16),
  "lo",
  "all",
  "default",
  "../../etc/passwd",
  "/dev/null",
  "$(reboot)",
  "`id`",
  "; rm -rf /",
  "a b",
  "a\tb",
  "a\nb",
  "\u0000",
  "\u0007bell",
  "\u001b[31mred",
  "\u007f",
  "\u2028",
  "\ufeff",
  "\ud800",
  "é",
  "e\u0301",
  "ñś1",
  "ﬁ",
  "🦊",
  "\u202eevil",
  "日本語",
  "*alias",
  "&anchor",
  "!!binary",
  "!tag",
  "%YAML 1.1",
  "---",
  "...",
  "? x",
  "- x",
  "{a: 1}",
  "[1, 2]",
  "<<",
  "'",
  '"',
  "#",
];

/** Huge, tiny and odd numbers as YAML would read them. */
const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  4094,
  4095,
  4096,
  65535,
  65536,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  0.5,
  1e-7,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
];

/** An odd scalar, a long string, or a small random structure. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 100_000 }).map((n) => "x".repeat(n)) },
  { weight: 1, arbitrary: fc.bigInt().map((n) => `${n}${n}`) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 300 }).map(nested) },
);

/** A value nested `depth` levels deep (maps and lists alternating). */
function nested(depth: number): unknown {
  let v: unknown = "deep";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

/** An odd key: one of the odd strings, or a random one. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

// ---------------------------------------------------------------------------------------------
// Mutations of the data (parsed YAML): applied, then written back as YAML text

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

/** Every (container, key) slot in `root`, depth first. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v))
      v.forEach((item, i) => {
        out.push({ parent: v, key: i });
        visit(item);
      });
    else if (v && typeof v === "object")
      for (const [k, item] of Object.entries(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k });
        visit(item);
      }
  };
  visit(root);
  return out;
}

const get = (s: Slot) => (s.parent as Record<string | number, unknown>)[s.key];
const set = (s: Slot, value: unknown) => {
  if (s.key === "__proto__" && !Array.isArray(s.parent))
    Object.defineProperty(s.parent, s.key, { value, enumerable: true, configurable: true, writable: true });
  else (s.parent as Record<string | number, unknown>)[s.key] = value;
};

/** One change to the data, as plain values (so fast-check can shrink and replay it). */
export type DataMutation =
  | { op: "drop"; at: number }
  | { op: "duplicate"; at: number; as: string }
  | { op: "rename"; at: number; as: string }
  | { op: "retype"; at: number; value: unknown }
  | { op: "swap"; at: number; with: number }
  | { op: "insert"; at: number; key: string; value: unknown }
  | { op: "alias"; at: number; to: number };

export const dataMutation: fc.Arbitrary<DataMutation> = fc.oneof(
  fc.record({ op: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), as: oddKey }),
  fc.record({ op: fc.constant("rename" as const), at: fc.nat(), as: oddKey }),
  fc.record({ op: fc.constant("retype" as const), at: fc.nat(), value: oddValue }),
  fc.record({ op: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), key: oddKey, value: oddValue }),
  fc.record({ op: fc.constant("alias" as const), at: fc.nat(), to: fc.nat() }),
);

/** Apply `mutations` to a copy of `data`; returns the new document as YAML text. */
export function mutateData(data: unknown, mutations: readonly DataMutation[]): string {
  const root: Record<string, unknown> = { doc: structuredClone(data) as unknown };
  for (const m of mutations) {
    const all = slots(root);
    if (all.length === 0) break;
    const s = all[m.at % all.length]!;
    switch (m.op) {
      case "drop":
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else delete s.parent[s.key as string];
        break;
      case "duplicate":
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 0, structuredClone(get(s)));
        else set({ parent: s.parent, key: m.as }, structuredClone(get(s)));
        break;
      case "rename":
        if (!Array.isArray(s.parent)) {
          const v = get(s);
          delete s.parent[s.key as string];
          set({ parent: s.parent, key: m.as }, v);
        }
        break;
      case "retype":
        set(s, structuredClone(m.value));
        break;
      case "swap": {
        const t = all[m.with % all.length]!;
        const a = get(s);
        const b = get(t);
        // Swapping a value with its own container would make a cycle: only swap leaves then.
        if (contains(a, t.parent) || contains(b, s.parent)) break;
        set(s, b);
        set(t, a);
        break;
      }
      case "insert": {
        const v = get(s);
        const value = structuredClone(m.value);
        if (v && typeof v === "object" && !Array.isArray(v))
          set({ parent: v as Container, key: m.key }, value);
        else if (Array.isArray(v)) v.push(value);
        else set(s, { [m.key]: value });
        break;
      }
      case "alias": {
        // The same object in two places: written as an anchor and an alias.
        const t = all[m.to % all.length]!;
        const v = get(s);
        if (v && typeof v === "object" && !contains(v, t.parent)) {
          set(t, v);
        }
        break;
      }
    }
  }
  // The whole document dropped or moved away: an empty file.
  if (!("doc" in root) || root.doc === undefined) return "";
  return stringify(root.doc, { aliasDuplicateObjects: true, lineWidth: 0 }) ?? "";
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (haystack === needle) return true;
  if (!haystack || typeof haystack !== "object") return false;
  return Object.values(haystack).some((v) => contains(v, needle));
}

// ---------------------------------------------------------------------------------------------
// Mutations of the text

/** One change to the text, as plain values. */
export type TextMutation =
  | { op: "drop-line"; at: number }
  | { op: "dup-line"; at: number }
  | { op: "swap-lines"; at: number; with: number }
  | { op: "indent"; at: number; by: number }
  | { op: "insert-line"; at: number; indent: number; text: string }
  | { op: "replace-token"; at: number; text: string }
  | { op: "insert-chars"; at: number; text: string }
  | { op: "truncate"; at: number };

/** A line or token that YAML or a validator may choke on. */
const oddText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: oddValue.map((v) => (typeof v === "string" ? v : safeFlow(v))) },
  { weight: 2, arbitrary: fc.tuple(oddKey, oddValue).map(([k, v]) => `${k}: ${safeFlow(v)}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "a: &x [1, 2]\nb: *x",
      "x: &a [*a]",
      "<<: *nope",
      "key: *undefined",
      "l1: &l1 [a, a, a, a, a, a, a, a, a]\nl2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\nl3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\nl4: [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]",
      "? [complex, key]\n: value",
      "!!set {a, b}",
      "!!map {}",
      "!!omap [a: 1]",
      "!!timestamp 2001-12-14",
      "%TAG ! tag:example.com,2000:",
      "--- |\n  text",
      "\t- tab",
      "key: 'unterminated",
      'key: "unterminated',
      "key: >\n",
      "[",
      "{",
      "}",
      "]",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50, max: 10_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50, max: 5_000 }).map((n) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 50, max: 3_000 })
      .map((n) => Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k:`).join("\n")),
  },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 100_000 }).map((n) => `long: ${"y".repeat(n)}`) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
);

function safeFlow(v: unknown): string {
  try {
    return stringify(v, { lineWidth: 0 }).trimEnd().replace(/\n/g, "\n  ");
  } catch {
    return String(v);
  }
}

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant("drop-line" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("dup-line" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap-lines" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -4, max: 6 }) }),
  fc.record({
    op: fc.constant("insert-line" as const),
    at: fc.nat(),
    indent: fc.integer({ min: 0, max: 8 }),
    text: oddText,
  }),
  fc.record({ op: fc.constant("replace-token" as const), at: fc.nat(), text: oddText }),
  fc.record({ op: fc.constant("insert-chars" as const), at: fc.nat(), text: oddText }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

/** Apply `mutations` to `text`. */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let lines = text.split("\n");
  for (const m of mutations) {
    const n = Math.max(lines.length, 1);
    const i = m.at % n;
    switch (m.op) {
      case "drop-line":
        lines.splice(i, 1);
        break;
      case "dup-line":
        lines.splice(i, 0, lines[i] ?? "");
        break;
      case "swap-lines": {
        const j = m.with % n;
        [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
        break;
      }
      case "indent": {
        const line = lines[i] ?? "";
        lines[i] = m.by >= 0 ? " ".repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), "");
        break;
      }
      case "insert-line":
        lines.splice(i, 0, ...`${" ".repeat(m.indent)}${m.text}`.split("\n"));
        break;
      case "replace-token": {
        // The value after the first ": " or "- ", or a bracketed item; else the whole line's end.
        const line = lines[i] ?? "";
        const cut = line.search(/(: |- |\[|, )/);
        lines[i] = cut >= 0 ? `${line.slice(0, cut + 2)}${m.text}` : `${line}${m.text}`;
        break;
      }
      case "insert-chars": {
        const all = lines.join("\n");
        const at = all.length === 0 ? 0 : m.at % all.length;
        lines = `${all.slice(0, at)}${m.text}${all.slice(at)}`.split("\n");
        break;
      }
      case "truncate": {
        const all = lines.join("\n");
        lines = all.slice(0, all.length === 0 ? 0 : m.at % all.length).split("\n");
        break;
      }
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Random documents in a vocabulary

/**
 * Random YAML documents built from `keys` and plausible `scalars`: most are invalid, but in ways
 * that reach past the parser into the validator (right keys, wrong shapes; right shapes, wrong values).
 */
export function vocabularyDocument(
  keys: readonly string[],
  scalars: readonly unknown[],
): fc.Arbitrary<string> {
  const key = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: oddKey });
  const scalar = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...scalars) },
    { weight: 1, arbitrary: oddValue },
  );
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("tree"), { maxLength: 4 }),
      fc.dictionary(key, tie("tree"), { maxKeys: 5 }),
    ),
  }));
  return fc
    .dictionary(key, tree, { minKeys: 1, maxKeys: 5 })
    .map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }));
}

/** A file's text (read once). */
export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

// ---------------------------------------------------------------------------------------------
// Plausible topologies

const HOSTS = ["h1", "h2", "h3", "ns1", "ns2", "r1", "r2"];
const SWITCHES = ["br0", "br1", "sw", "ovs1"];
const cidr = fc
  .tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 1, max: 6 }),
    fc.constantFrom(24, 30, 16, 8, 32, 31),
  )
  .map(([net, host, len]) => `10.${net}.0.${host}/${len}`);
const cidr6 = fc.integer({ min: 1, max: 6 }).map((h) => `fd00:${h % 3}::${h}/64`);

/**
 * Topologies that are mostly valid: hosts, routers, Linux and OVS bridges, interfaces in each of
 * the forms the format allows, links (brief and long, with shaping), routes, sysctls, expectations,
 * addressing pools — so that many reach the resolver and the planner, not only the parser.
 */
export const plausibleTopology: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: fc.constantFrom("fz", "fuzz-lab", "a", "x1"),
    hosts: fc.uniqueArray(fc.constantFrom(...HOSTS), { minLength: 1, maxLength: 5 }),
    switches: fc.uniqueArray(fc.constantFrom(...SWITCHES), { maxLength: 2 }),
    routers: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    ovs: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    addresses: fc.array(fc.oneof(cidr, cidr6), { minLength: 12, maxLength: 12 }),
    forms: fc.array(fc.nat(3), { minLength: 12, maxLength: 12 }),
    links: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(2), fc.nat(2), fc.nat(4)), { maxLength: 6 }),
    pool: fc.option(
      fc.record({
        ipv4: fc.constantFrom("10.50.0.0/16", "10.60.0.0/24"),
        ipv6: fc.constantFrom("fd00:50::/48"),
      }),
      { nil: undefined },
    ),
    routing: fc.option(fc.constantFrom("static", "none"), { nil: undefined }),
    extras: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  })
  .map((r) => {
    const nodes: Record<string, Record<string, unknown>> = {};
    let a = 0;
    const next = <T>(list: readonly T[]) => list[a++ % list.length]!;
    r.hosts.forEach((h, i) => {
      const node: Record<string, unknown> = r.routers[i] ? { kind: "router" } : {};
      nodes[h] = node;
      if (r.pool === undefined || r.forms[i] === 0) {
        const interfaces: Record<string, unknown> = {};
        for (let j = 0; j < 1 + ((r.forms[i + 1] ?? 0) % 2); j++) {
          const form = next(r.forms);
          const addr = next(r.addresses);
          interfaces[`eth${j}`] =
            form === 0
              ? addr
              : form === 1
                ? [addr, next(r.addresses)]
                : form === 2
                  ? { addresses: [addr], mtu: 1400 }
                  : {};
        }
        node.interfaces = interfaces;
      }
      if (r.extras[0]! % 4 === 0) node.sysctls = { "net.ipv4.ip_forward": 1 };
      if (r.extras[1]! % 5 === 0)
        node.routes = [{ to: "10.99.0.0/16", via: next(r.addresses).split("/")[0] }];
    });
    r.switches.forEach((s, i) => {
      nodes[s] = r.ovs[i]
        ? { kind: "ovs-bridge", ...(r.extras[2]! % 3 === 0 ? { datapath: "netdev" } : {}) }
        : { kind: "bridge", ...(r.extras[2]! % 3 === 1 ? { stp: true } : {}) };
    });
    const names = Object.keys(nodes);
    const links = r.links.map(([x, y, ix, iy, style]) => {
      const na = names[x % names.length]!;
      const nb = names[y % names.length]!;
      const end = (n: string, i: number) =>
        SWITCHES.includes(n) ? `${n}:${n}-p${i}${x % 7}` : `${n}:eth${i}`;
      const endpoints = [end(na, ix), end(nb, iy)];
      if (style === 0) return endpoints;
      if (style === 1) return { endpoints };
      if (style === 2) return { endpoints, mtu: 1400 };
      if (style === 3) return { endpoints, rate: "10mbit" };
      return { endpoints, delay: "5ms", loss: "1%" };
    });
    const doc: Record<string, unknown> = { name: r.name, nodes, links };
    if (r.pool) doc.addressing = r.pool;
    if (r.routing) doc.routing = r.routing;
    if (r.extras[3]! % 3 === 0 && names.length > 1) doc.expect = [`${names[0]} -> ${names[1]}: reachable`];
    if (r.extras[4]! % 4 === 0)
      doc.expect = [{ from: names[0], to: names[names.length - 1], tcp: 8080, expect: "unreachable" }];
    return doc;
  });
