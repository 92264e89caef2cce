/**
 * The zod-free check (accept.ts) says yes exactly when zod does, and gives back what zod would: on
 * every example, every YAML block of the docs, and random documents (in the format's vocabulary,
 * plausible topologies mutated, and any JSON). What it does not accept goes to zod, so the located
 * messages are zod's (checked here too, through the public checkSchema).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { TopologyError } from "../../../src/errors.js";
import { acceptShape, acceptTopology, type Shape } from "../../../src/sources/nslab/accept.js";
import { checkSchema } from "../../../src/sources/nslab/check.js";
import { checkFully } from "../../../src/sources/nslab/full-check.js";
import { TopologySchema, topologyJsonSchema } from "../../../src/sources/nslab/schema.js";
import { TOPOLOGY_SHAPE } from "../../../src/sources/nslab/shape.js";
import { bareShape } from "../../../src/sources/nslab/shape-source.js";
import { pathOnly } from "../../../src/sources/source.js";
import { parseYaml } from "../../../src/sources/yaml.js";
import {
  dataMutation,
  FUZZ_TIMEOUT,
  fuzz,
  mutateData,
  plausibleTopology,
  vocabularyDocument,
} from "../../support/fuzz.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

/** Both checks on one document: the same answer, and the same document back. */
function agree(data: unknown): boolean {
  const fast = acceptTopology(data);
  const zod = TopologySchema.safeParse(data);
  expect(fast !== undefined, JSON.stringify(data)?.slice(0, 400)).toBe(zod.success);
  if (zod.success) expect(fast).toStrictEqual(zod.data);
  return zod.success;
}

/** The messages a document gets: through checkSchema (fast first) and through zod alone. */
function sameMessages(text: string): void {
  const source = parseYaml(text, "t.yaml");
  if (source.problems.length > 0) return;
  const said = (f: () => unknown) => {
    try {
      f();
      return "accepted";
    } catch (e) {
      if (e instanceof TopologyError) return e.message;
      throw e;
    }
  };
  expect(said(() => checkSchema(source))).toBe(said(() => checkFully(source)));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}

function docsBlocks(): string[] {
  const pages = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  return pages.flatMap((page) =>
    [...readFileSync(join(ROOT, page), "utf8").matchAll(/^```ya?ml\s*\n([\s\S]*?)^```/gm)].map((m) => m[1]!),
  );
}

/** Every field name and every fixed value the schema names: the words random documents are made of. */
function vocabulary(): { keys: string[]; scalars: unknown[] } {
  const keys = new Set<string>(["h1", "ns1", "br0", "eth0", "veth0"]);
  const scalars = new Set<unknown>([
    "h1:eth0",
    "10.0.0.1/24",
    "ns1:veth0",
    "br0:p1",
    1,
    0,
    1500,
    65536,
    1.5,
    -1,
  ]);
  const walk = (s: unknown) => {
    if (Array.isArray(s)) s.forEach(walk);
    else if (s && typeof s === "object") {
      const o = s as Record<string, unknown>;
      if (o.properties) for (const k of Object.keys(o.properties)) keys.add(k);
      if (o.const !== undefined) scalars.add(o.const);
      for (const v of (o.enum as unknown[] | undefined) ?? []) scalars.add(v);
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(TOPOLOGY_SHAPE);
  return { keys: [...keys], scalars: [...scalars] };
}

describe("the zod-free schema check", () => {
  it("checks against the schema zod generates now (regenerate with: npm run schema)", () => {
    expect(TOPOLOGY_SHAPE).toEqual(bareShape(topologyJsonSchema()));
  });

  it("agrees with zod on every example and every YAML block of the docs", () => {
    const texts = [...yamlFiles(join(ROOT, "examples")).map((f) => readFileSync(f, "utf8")), ...docsBlocks()];
    expect(texts.length).toBeGreaterThan(20);
    let accepted = 0;
    for (const text of texts) {
      const source = parseYaml(text, "t.yaml");
      if (source.problems.length === 0 && agree(source.data)) accepted++;
      sameMessages(text);
    }
    expect(accepted).toBeGreaterThan(10);
  });

  it(
    "agrees with zod on random documents",
    async () => {
      const { keys, scalars } = vocabulary();
      let accepted = 0;
      const doc = fc.oneof(
        vocabularyDocument(keys, scalars),
        fc
          .tuple(plausibleTopology, fc.array(dataMutation, { maxLength: 2 }))
          .map(([d, ms]) => mutateData(d, ms)),
        fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v, { lineWidth: 0 })),
      );
      await fuzz(
        fc.asyncProperty(doc, async (text) => {
          const source = parseYaml(text, "t.yaml");
          if (source.problems.length > 0) return;
          const data = (source.data as { doc?: unknown } | null)?.doc ?? source.data;
          if (agree(data)) accepted++;
          sameMessages(stringify(data ?? null, { lineWidth: 0 }));
        }),
        1500,
      );
      expect(accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );

  it("agrees with zod on values built in code, where YAML has none", () => {
    for (const v of [
      { name: "a", nodes: { h1: { mtu: 1 } } },
      { name: "a", nodes: {}, links: [["a:b", "c:d"]] },
      { name: "a", nodes: {}, links: [["a:b", "c:d", "e:f"]] },
      { name: "a", nodes: { h1: { interfaces: { eth0: { mtu: 1.5 } } } } },
      { name: "a", nodes: { h1: { interfaces: { eth0: { mtu: 2 ** 60 } } } } },
      { name: "a", nodes: { h1: { interfaces: { eth0: { mtu: Number.NaN } } } } },
      { name: "a", nodes: { h1: { routes: [{ to: "default", metric: -1 }] } } },
      { name: "a", nodes: { h1: { kind: undefined } } },
      { name: "a", nodes: { h1: undefined } },
      { name: undefined, nodes: {} },
      { name: "a", nodes: { s: { kind: "ovs-bridge", protocols: ["OpenFlow13"] } } },
      { name: "a", nodes: {}, expect: [{ from: "a", to: "b", expect: "reachable", family: 5 }] },
    ])
      agree(v);
  });

  it("leaves what it cannot judge to zod, and shares nothing with its input", () => {
    class Fields {
      name = "a";
      nodes = {};
    }
    const withSymbol = { name: "a", nodes: {}, [Symbol("x")]: 1 };
    const sparse = { name: "a", nodes: {}, links: [["a:b", "c:d"]] };
    // biome-ignore lint/suspicious/noSparseArray: a hole is the point
    (sparse.links as unknown[]).push(...[, ["e:f", "g:h"]]);
    const proto = JSON.parse('{"name":"a","nodes":{"__proto__":{"kind":"bridge"}}}');
    for (const v of [new Fields(), withSymbol, sparse, proto, Object.create({ name: "a", nodes: {} })])
      expect(acceptTopology(v)).toBeUndefined();
    const input = { name: "a", nodes: { h1: { interfaces: { eth0: ["10.0.0.1/24"] } } } };
    const out = acceptTopology(input) as typeof input;
    expect(out).toStrictEqual(input);
    expect(out.nodes.h1.interfaces.eth0).not.toBe(input.nodes.h1.interfaces.eth0);
  });

  it("says no to keywords it does not know (an unknown rule is never waved through)", () => {
    expect(acceptShape({ type: "string", pattern: "^a$" } as Shape, "b")).toBeUndefined();
    expect(acceptShape({ type: "string" }, "b")).toBe("b");
    expect(acceptShape({ anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }] }, 0)).toBeUndefined();
    expect(acceptShape({ type: ["string", "number"] }, 3)).toBe(3);
  });

  it("is used by checkSchema: a valid document does not reach zod's path", () => {
    const source = {
      file: "x",
      data: { name: "a", nodes: { h1: null } },
      problems: [],
      locate: pathOnly("x"),
    };
    expect(checkSchema(source).raw).toStrictEqual({ name: "a", nodes: { h1: null } });
  });
});
