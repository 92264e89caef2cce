/**
 * The structure stays as docs/architecture.md says: small modules, the import rules the page names
 * are the ones .dependency-cruiser.cjs holds, and what loads at start stays lazy — a generated lab
 * and the commands given a lab name never load the YAML parser or the schema library (checked on the
 * JavaScript TypeScript emits for each module: static imports only, as they run).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SRC = join(ROOT, "src");
const MAX_LINES = 400;

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(f) && !f.endsWith(".d.ts") ? [p] : [];
  });
}

describe("architecture", () => {
  it(`keeps every module under ${MAX_LINES} lines`, () => {
    const long = sources()
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, "utf8").split("\n").length - 1 }))
      .filter((x) => x.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it("names, in docs/architecture.md, exactly the rules the dependency-cruiser config holds", () => {
    const config = createRequire(import.meta.url)(join(ROOT, ".dependency-cruiser.cjs")) as {
      forbidden: { name: string }[];
    };
    const doc = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Rules (enforced)"), doc.indexOf("## Where things go"));
    const named = new Set([...section.matchAll(/`([a-z]+(?:-[a-z]+)+)`/g)].map((m) => m[1]!));
    expect([...named].sort()).toEqual(config.forbidden.map((r) => r.name).sort());
  });

  describe("what loads at start", () => {
    const graph = runtimeGraph();
    const heavy = /^(zod|yaml)$/;
    it.each([
      ["a generated lab (--topo)", "model/generated.ts"],
      ["the CLI itself", "cli/main.ts"],
      ...[
        "down",
        "status",
        "exec",
        "ping",
        "test",
        "link",
        "iperf",
        "capture",
        "graph",
        "web",
        "doctor",
        "up",
        "plan",
      ].map((c) => [`nslab ${c}`, `cli/commands/${c}.ts`]),
    ])("%s loads neither the YAML parser nor zod", (_, entry) => {
      expect(pathTo(graph, join(SRC, entry), heavy)).toBeUndefined();
    });
    it("the check sees them where they are loaded", () => {
      expect(pathTo(graph, join(SRC, "model/load.ts"), heavy)).toBeDefined();
    });
  });
});

/** Static imports of every module as it runs: TypeScript's output for it, type-only imports gone. */
function runtimeGraph(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const out = new Map<string, string[]>();
  for (const file of sources()) {
    const js = ts.transpileModule(readFileSync(file, "utf8"), {
      // As ES modules, as they run (alone, NodeNext cannot see package.json's "type": "module").
      compilerOptions: { ...config.options, module: ts.ModuleKind.ES2022 },
      fileName: file,
    }).outputText;
    // Static imports and re-exports only: `import(…)` loads when it runs, not at start.
    const deps: string[] = [];
    for (const node of ts.createSourceFile(file, js, ts.ScriptTarget.ES2022).statements) {
      const spec =
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
          ? node.moduleSpecifier.text
          : undefined;
      if (spec) deps.push(spec.startsWith(".") ? resolve(dirname(file), spec.replace(/\.js$/, ".ts")) : spec);
    }
    out.set(file, deps);
  }
  return out;
}

/** A chain of static imports from `entry` to a package matching `target`, if there is one. */
function pathTo(graph: Map<string, string[]>, entry: string, target: RegExp): string[] | undefined {
  const seen = new Set([entry]);
  const queue: string[][] = [[entry]];
  while (queue.length > 0) {
    const path = queue.shift()!;
    for (const dep of graph.get(path[path.length - 1]!) ?? []) {
      if (target.test(dep)) return [...path, dep].map((p) => relative(ROOT, p));
      if (!graph.has(dep) || seen.has(dep)) continue;
      seen.add(dep);
      queue.push([...path, dep]);
    }
  }
  return undefined;
}
