/**
 * The fast YAML reader against the yaml library: whatever it accepts must read as the library
 * reads it — no problems there, the same data, and the same location for every path (of every
 * node, its key, and paths that go past the document) — and it must accept the files people and
 * `nslab generate` write. Everything else it declines, and parseYaml falls back to the library.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { generatedYaml, generateTopology } from "../../../src/sources/mininet/index.js";
import { parseYaml, parseYamlDocument } from "../../../src/sources/yaml.js";
import { parseSimpleYaml } from "../../../src/sources/yaml-fast.js";
import { fuzz, mutateText, plausibleTopology, textMutation, vocabularyDocument } from "../../support/fuzz.js";

const FILE = "t.yaml";
const ROOT = join(import.meta.dirname, "..", "..", "..");

/** Every path into `data`, and a few that go past it. */
function paths(data: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at, [...at, "nope"], [...at, 0], [...at, "0"], [...at, 99]];
  if (Array.isArray(data)) for (const [i, v] of data.entries()) out.push(...paths(v, [...at, i]));
  else if (data !== null && typeof data === "object")
    for (const [k, v] of Object.entries(data)) out.push(...paths(v, [...at, k]));
  return out;
}

/** "declined", or "accepted" after checking that it reads as the library reads it. */
function compare(text: string): "accepted" | "declined" {
  const fast = parseSimpleYaml(text, FILE);
  if (!fast) return "declined";
  const lib = parseYamlDocument(text, FILE);
  expect(lib.problems, text).toEqual([]);
  expect(fast.data, text).toStrictEqual(lib.data);
  for (const path of paths(lib.data))
    for (const key of [false, true])
      expect(fast.locate(path, { key }), `${JSON.stringify(path)} key=${key} in\n${text}`).toEqual(
        lib.locate(path, { key }),
      );
  return "accepted";
}

const examples = [
  ...readdirSync(join(ROOT, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join("examples", f)),
  ...readdirSync(join(ROOT, "examples", "seed")).map((f) => join("examples", "seed", f)),
];

describe("the fast YAML reader", () => {
  it.each(examples)("reads %s as the yaml library does", (f) => {
    expect(compare(readFileSync(join(ROOT, f), "utf8"))).toBe("accepted");
  });

  it.each(["single,3", "linear,4,2", "tree,depth=2,fanout=2", "torus,3,3", "single,100"])(
    "reads what nslab generate --topo %s writes",
    (spec) => {
      expect(compare(generatedYaml(generateTopology(spec), `nslab generate --topo ${spec}`))).toBe(
        "accepted",
      );
    },
  );

  it("reads the shapes topology files use, with comments, quotes and numbers", () => {
    const accepted = [
      "a: 1",
      "---\na: 1",
      "--- # a lab\na: 1",
      "# head\n\na: b # c\nc: d#e\n  # indented comment\ne: 'it''s'\nf: \"q\\\"\\n\\u00e9\\\\\"\n",
      "n: [1, -2, +3, 0.5, .5, 1e3, -1.5E-2, 007, 10.0.0.1/8, fd00::1, 02:00:00:00:00:01]",
      "n: [~, null, Null, NULL, true, False, TRUE, yes, no, on, 1mbit, 10ms, 1%]",
      "links:\n- [h1:eth0, s1:p1]\n- {endpoints: [a:b, 'c:d'], mtu: 1400}\n",
      "links:\n  - [h1:eth0, s1:p1,]\n  -   {a: 1, b: [x, {c: d}], }\n",
      "nodes:\n  h1:\n    kind: netns\n    interfaces:\n      eth0: 10.0.0.1/24\n  s1: { kind: bridge }\n",
      "expect:\n  - from: h1\n    to: h2\n    reachable: true\n  -\n    from: h2\n    to: h1\n",
      "a:\n  - x\n  - y\nb: c\n",
      "a:\n- x\n- y\nb: c\n",
      '{"x": 1}: z\na: {"k":1, \'q\': "v"}',
      "  indented: 1\n  top: 2\n",
      "key :  spaced   \nk2: [ a , b ]   # trailing\n",
      "a: -1\nb: -x\nc: x-y\nd: 'x: y'\ne: \"#not a comment\"\n",
      "deep:\n  a:\n    b:\n      c:\n        - d:\n            e: [f, [g, {h: i}]]\n",
      "a: []\nb: {}\nc: ['']\nd: {e: ''}\n",
      "; : bridge\nname: bridge\n",
      "a\u00a0: b\u00a0\nc: [d\u2003, e]\n",
    ];
    const seen = accepted.map((t) => compare(t));
    // The first is JSON-like with a flow key: left to the library; the rest are read here.
    expect(seen.filter((s) => s === "accepted").length).toBeGreaterThanOrEqual(accepted.length - 1);
  });

  it("leaves everything else to the yaml library, which says what is wrong and where", () => {
    const declined = [
      "a: &x [1]\nb: *x",
      "a: !!str 1",
      "a: |\n  text",
      "a: >\n  text",
      "a:\n  multi\n  line",
      "a: multi\n  line",
      "a: [1,\n  2]",
      "a: 'open",
      "a:",
      "a:\nb: 1",
      "a: 1\na: 2",
      "__proto__: 1",
      "<<: {a: 1}",
      "1: a",
      "true: a",
      "a: 0x1F",
      "a: .inf",
      "a: 0o17",
      "a: b: c",
      "a: b:",
      "a:\tb",
      "a: 1\r\nb: 2",
      "%YAML 1.2\n---\na: 1",
      "a: 1\n---\nb: 2",
      "a: 1\n...",
      // A document's end marker followed by more on its line (found by the fuzz: seed 1781615517).
      "a:\n  b: 1\n...  c d: e\nf: g",
      "a: 1\n... # end",
      "a: 1\n--- b: 2",
      "- a\n- b",
      "just a scalar",
      "? complex\n: key",
      "a:\n  - - nested\n    - compact",
      "a: 1\n b: 2",
      "a: {b: 1, b: 2}",
      "a: {b}",
      "a: {b: }",
      "a: [b, , c]",
      'a: "\\x41"',
      'a: "bad"#c',
    ];
    for (const text of declined) {
      expect(compare(text), text).toBe("declined");
      const viaParseYaml = parseYaml(text, FILE);
      const viaLibrary = parseYamlDocument(text, FILE);
      expect(viaParseYaml.problems).toEqual(viaLibrary.problems);
      expect(viaParseYaml.data).toStrictEqual(viaLibrary.data);
    }
  });

  it("reads random documents as the yaml library does, or leaves them to it", async () => {
    const counts = { accepted: 0, declined: 0 };
    const styles = [
      {},
      { indentSeq: false },
      { indent: 4 },
      { collectionStyle: "flow" as const },
      { defaultStringType: "QUOTE_DOUBLE" as const, defaultKeyType: "PLAIN" as const },
      { defaultStringType: "QUOTE_SINGLE" as const },
    ];
    const text = fc.oneof(
      fc
        .tuple(plausibleTopology, fc.constantFrom(...styles))
        .map(([t, style]) => stringify(t, { lineWidth: 0, aliasDuplicateObjects: false, ...style })),
      vocabularyDocument(
        ["name", "nodes", "links", "kind", "interfaces", "h1", "s1", "a b", "x-y", "1"],
        ["bridge", "10.0.0.1/8", "h1:eth0", 1, 0.5, -3, true, null, "", "a: b", "#", "'q'", '"d"', "1e3"],
      ),
    );
    await fuzz(
      fc.asyncProperty(text, fc.array(textMutation, { maxLength: 3 }), async (t, ms) => {
        counts[compare(ms.length > 0 ? mutateText(t, ms) : t)]++;
      }),
      1500,
    );
    console.log(`[fuzz] fast YAML reader: ${counts.accepted} accepted, ${counts.declined} declined`);
    expect(counts.accepted).toBeGreaterThan(100);
  }, 120_000);
});
