// Bundles the `nslab` command: dist/cli/main.js (what tsc emitted) → dist/bin/cli.cjs, one CommonJS
// module (written as the function Node wraps a module in, see WRAP below) with commander, yaml and zod inside (and the busiest commands' own smaller copies of it,
// cli-<command>.cjs, see OWN_BUNDLE), started by dist/bin/nslab.js (src/cli/launcher.ts) from
// V8's code cache. CommonJS because Node 20 hands cached bytecode only to vm.Script: an ES module
// is compiled afresh at every start. One file, and still lazy: each command's `await import(...)`
// becomes a module initialised when it runs (esbuild wraps every module reached that way), so
// `nslab down` does not initialise the YAML parser and `validate` of a valid file not zod.
// The file sits two levels under the package root, as the modules it replaces do (the agent, the
// web page and package.json are found from there).
// The schema check's zod part (sources/nslab/full-check.js: the problems of a file that does not
// fit) is required only when a document does not fit: a valid file is checked without zod
// (accept.js), and zod's module initialisation was most of `nslab validate`'s start.
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, transform } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bin");
const fullCheck = join(root, "dist", "sources", "nslab", "full-check.js");

/** check.js's static import of full-check.js becomes a require() at the first document that does not fit. */
const lazyFullCheck = {
  name: "lazy-full-check",
  setup(b) {
    b.onResolve({ filter: /^\.\/full-check\.js$/ }, (args) =>
      args.importer === join(root, "dist", "sources", "nslab", "check.js")
        ? { path: "full-check", namespace: "lazy" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: `export function checkFully(source) { return require(${JSON.stringify(fullCheck)}).checkFully(source); }`,
      resolveDir: dirname(fullCheck),
      loader: "js",
    }));
  },
};

/**
 * Commands that scripts run in loops and that reach a small part of the code get a bundle of their
 * own (`cli-<command>.cjs`): the same entry with every other command's line taken out of its table,
 * so the file the launcher reads, the code cache V8 deserialises and the module wrappers the bundle
 * defines at start hold only what that command can reach. Measured on the development VM (interleaved
 * runs, the whole bundle 811 kB): `validate` 405 kB, ~12–17 ms less per start; `down` 538 kB, 14 ms;
 * `status` (702 kB) and `up` (722 kB) gained 2 ms or less and stay in the whole one, which keeps the
 * package from doubling for nothing. Everything else — help, `completion`, the other commands,
 * containerlab's aliases — starts from the whole `cli.cjs`.
 */
const OWN_BUNDLE = ["validate", "plan", "down", "exec", "link"];
const main = join(root, "dist", "cli", "main.js");
/** A line of the command table (command-table.js): `  name: async () => (await import("./commands/x.js")).registerX,`. */
const COMMAND_LINE =
  /^\s+([a-z]+): async \(\) => \(await import\("\.\/commands\/[a-z-]+\.js"\)\)\.register[A-Za-z]+,\n/gm;

/** The command table with only `command`'s line left in it (the bundler then leaves the others' modules out). */
const onlyCommand = (command) => ({
  name: "only-command",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]cli[\\/]command-table\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const names = [...text.matchAll(COMMAND_LINE)].map((m) => m[1]);
      if (!names.includes(command) || names.length < OWN_BUNDLE.length)
        throw new Error(`dist/cli/command-table.js: not what scripts/bundle-cli.mjs expects (${names})`);
      return {
        contents: text.replace(COMMAND_LINE, (line, name) => (name === command ? line : "")),
        loader: "js",
      };
    });
  },
});

/**
 * What the root help lists of every command (src/cli/summaries.ts) and the words shell completion
 * offers, from the commands themselves as tsc emitted them: `nslab --help` and `nslab completion`
 * then start none of the other commands' modules.
 */
async function commandSummaries() {
  const url = (f) => pathToFileURL(join(root, "dist", "cli", f)).href;
  const [{ COMMANDS, finishProgram, newProgram }, { summarize }, { commandsOf }] = await Promise.all([
    import(url("command-table.js")),
    import(url("summaries.js")),
    import(url("commands/completion.js")),
  ]);
  const program = newProgram("0");
  for (const register of Object.values(COMMANDS))
    (await register())(program, { faults: {}, historyFile: "" });
  // The root help's stand-ins are finished at run time (main.ts); completion's words come from the
  // finished program, as `nslab completion` unbundled reads them.
  const summaries = summarize(program);
  return { summaries, words: commandsOf(finishProgram(program)) };
}
const { summaries, words } = await commandSummaries();

/** One bundle of the command line: all of it (`whole`), or one command's. */
const bundle = (outfile, plugins, whole = false) =>
  build({
    entryPoints: [main],
    outfile,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    minify: true,
    legalComments: "none",
    // import.meta in the bundled modules: the bundle's own place (the launcher passes __filename).
    define: {
      "import.meta.url": "__nslabUrl",
      "import.meta.dirname": "__dirname",
      // The root help's stand-ins and completion's words: only the whole bundle answers those (the
      // launcher starts it for help and `completion`).
      __NSLAB_SUMMARIES__: whole ? JSON.stringify(summaries) : "undefined",
      __NSLAB_COMMAND_WORDS__: whole ? JSON.stringify(words) : "undefined",
    },
    banner: { js: 'var __nslabUrl=require("node:url").pathToFileURL(__filename).href;' },
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
    // import() of the external packages becomes require() (each has a CommonJS build): a dynamic
    // import from code run by vm.Script needs Node's experimental loader option, and warns.
    supported: { "dynamic-import": false },
    plugins: [lazyFullCheck, ...plugins],
    logLevel: "warning",
  });

rmSync(out, { recursive: true, force: true });
await Promise.all([
  bundle(join(out, "cli.cjs"), [], true),
  ...OWN_BUNDLE.map((c) => bundle(join(out, `cli-${c}.cjs`), [onlyCommand(c)])),
]);

// Each bundle becomes the function Node wraps a CommonJS module in, which the launcher compiles as
// it reads it: wrapping it there would make a second copy of ~0.5–0.85 MB of text at every start
// (~2 ms on the development VM, where memory a process touches first costs ~10 µs a page). So the
// files are not modules to require() any more: only the launcher starts them.
// The launcher reads the bundles as latin1: they must be ASCII (esbuild's default charset escapes the rest).
const WRAP = ["(function (exports, require, module, __filename, __dirname) {", "\n})"];
const hash = createHash("sha256");
for (const f of ["cli.cjs", ...OWN_BUNDLE.map((c) => `cli-${c}.cjs`)]) {
  const text = readFileSync(join(out, f));
  if (text.some((b) => b > 0x7f))
    throw new Error(`dist/bin/${f}: not ASCII (the launcher reads it as latin1)`);
  const wrapped = Buffer.concat([Buffer.from(WRAP[0]), text, Buffer.from(WRAP[1])]);
  writeFileSync(join(out, f), wrapped);
  hash.update(f).update(wrapped);
}
// The launcher, with the build's id (it names the code cache's files) and the commands with a bundle of their own.
const id = hash.digest("hex").slice(0, 16);
const launcher = readFileSync(join(root, "dist", "cli", "launcher.js"), "utf8");
for (const p of ['"__NSLAB_BUILD__"', '"__NSLAB_OWN_BUNDLE__"'])
  if (!launcher.includes(p)) throw new Error(`dist/cli/launcher.js: no ${p} placeholder`);
// CommonJS too (dist/bin/package.json says so): Node starts a CommonJS file a few ms sooner than
// an ES module, and the launcher needs nothing of ES modules.
const { code } = await transform(
  launcher
    .replace('"__NSLAB_BUILD__"', JSON.stringify(id))
    .replace('"__NSLAB_OWN_BUNDLE__"', JSON.stringify(OWN_BUNDLE.join(" "))),
  {
    format: "cjs",
    platform: "node",
    target: "node20",
    minify: true,
    legalComments: "none",
    define: { "import.meta.dirname": "__dirname" },
  },
);
writeFileSync(join(out, "package.json"), '{ "type": "commonjs" }\n');
writeFileSync(join(out, "nslab.js"), code.startsWith("#!") ? code : `#!/usr/bin/env node\n${code}`);
chmodSync(join(out, "nslab.js"), 0o755);
// The installed command (package.json's bin): Node on the launcher, without NODE_EXTRA_CA_CERTS.
// Node 20 reads and parses the certificates that names at every start, before any JavaScript runs
// (~35 ms of the development VM's 117 ms `node -e 0`, where the variable names the system's bundle);
// nslab makes no TLS connection of its own, so Node starts without it and the launcher hands it
// back (NSLAB_NODE_EXTRA_CA_CERTS) to whatever nslab runs. npm links the command: resolve the link.
writeFileSync(
  join(out, "nslab"),
  `#!/bin/sh
# nslab: starts dist/bin/nslab.js (src/cli/launcher.ts); made by scripts/bundle-cli.mjs.
if [ -n "\${NODE_EXTRA_CA_CERTS+x}" ]; then
  NSLAB_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export NSLAB_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
case $0 in
  */*) self=$0 ;;
  *) self=$(command -v -- "$0") ;;
esac
if [ -L "$self" ]; then self=$(readlink -f -- "$self"); fi
exec node "\${self%/*}/nslab.js" "$@"
`,
);
chmodSync(join(out, "nslab"), 0o755);
