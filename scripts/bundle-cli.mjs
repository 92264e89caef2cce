// Bundles the `nslab` command: dist/cli/main.js (what tsc emitted) → dist/bin/nslab.js, one ES module
// file for the entry and one chunk per command and shared part (esbuild code splitting keeps each
// command's `await import(...)` lazy), with commander, yaml and zod inside. Node then reads a handful
// of files instead of ~200 modules at every start. Chunks sit beside the entry, two levels under the
// package root as the modules they replace do (the agent and web page are found from there).
// The schema check's zod part (sources/nslab/full-check.js: the problems of a file that does not fit)
// is an entry of its own, loaded on demand: a valid file is checked without zod (accept.js), and
// zod's module initialisation was most of `nslab validate`'s start.
import { chmodSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bin");

/**
 * check.js's static import of full-check.js becomes a loader of the `full-check` entry, run when a
 * document does not fit (synchronously: checkSchema is; Node ≥ 20.19 requires an ES module). The
 * chunks it shares with the command are the same modules (one loader), so `instanceof` holds.
 */
const lazyFullCheck = {
  name: "lazy-full-check",
  setup(b) {
    b.onResolve({ filter: /^\.\/full-check\.js$/ }, (args) =>
      args.importer === join(root, "dist", "sources", "nslab", "check.js")
        ? { path: "full-check", namespace: "lazy" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: [
        'import { createRequire } from "node:module";',
        "const load = createRequire(import.meta.url);",
        'export function checkFully(source) { return load("./full-check.js").checkFully(source); }',
      ].join("\n"),
      loader: "js",
    }));
  },
};

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: {
    nslab: join(root, "dist", "cli", "main.js"),
    "full-check": join(root, "dist", "sources", "nslab", "full-check.js"),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "[name]-[hash]",
  minify: true,
  legalComments: "none",
  // The web view's server and the diagram renderers are loaded by a few commands only; they stay
  // ordinary dependencies (and @viz-js/viz carries its WebAssembly).
  external: [
    "hono",
    "hono/*",
    "@hono/node-server",
    "@hono/node-server/*",
    "@viz-js/viz",
    // PNG diagrams: a native addon, loaded by `graph -o x.png` only.
    "@resvg/resvg-js",
  ],
  // Bundled CommonJS (commander) may call require(): give the ES module one.
  banner: {
    js: 'import { createRequire as __nslabRequire } from "node:module"; const require = __nslabRequire(import.meta.url);',
  },
  plugins: [lazyFullCheck],
  logLevel: "warning",
});
chmodSync(join(out, "nslab.js"), 0o755);
