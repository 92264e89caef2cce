/**
 * nslab's import rules (docs/architecture.md): one direction through the code. Layers, bottom up:
 *   0 errors.ts, util/ · 1 sources/ · 2 model/ · 3 plan/, graph/ · 4 drivers/, state/ ·
 *   5 engine/, verify/ · 6 lab/ · 7 index.ts, testing.ts, testing/ · 8 cli/, web/
 * A module imports only its own layer's folder and layers below (siblings on one layer do not
 * import each other). Type-only imports count: a type pointing up is a dependency pointing up.
 * Run by `npm run lint` (`npm run lint:deps`); the runtime rules (what a command loads at start)
 * are in .dependency-cruiser-runtime.cjs.
 */

/** Everything at or above a layer, as a path pattern under src/. */
const above = {
  sources:
    "^src/(model|plan|graph|drivers|state|engine|verify|lab|cli|web|testing)/|^src/(index|testing)\\.ts$",
  model: "^src/(plan|graph|drivers|state|engine|verify|lab|cli|web|testing)/|^src/(index|testing)\\.ts$",
  plan: "^src/(drivers|state|engine|verify|lab|cli|web|testing)/|^src/(index|testing)\\.ts$",
  drivers: "^src/(engine|verify|lab|cli|web|testing)/|^src/(index|testing)\\.ts$",
  engine: "^src/(lab|cli|web|testing)/|^src/(index|testing)\\.ts$",
  lab: "^src/(cli|web|testing)/|^src/(index|testing)\\.ts$",
  api: "^src/(cli|web)/",
};

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No cycles between modules, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "base-up",
      comment: "errors.ts and util/ are the bottom: they import nothing else of nslab.",
      severity: "error",
      from: { path: "^src/(errors\\.ts$|util/)" },
      to: { path: "^src/", pathNot: "^src/(errors\\.ts$|util/)" },
    },
    {
      name: "sources-up",
      comment: "Topology sources produce the raw topology; they know nothing of what comes after.",
      severity: "error",
      from: { path: "^src/sources/" },
      to: { path: above.sources },
    },
    {
      name: "model-up",
      comment: "The model resolves raw topologies; it never plans, drives or observes.",
      severity: "error",
      from: { path: "^src/model/" },
      to: { path: above.model },
    },
    {
      name: "plan-up",
      comment: "Plans and diagrams are pure data from the model: never drivers, state or the engine.",
      severity: "error",
      from: { path: "^src/(plan|graph)/" },
      to: { path: above.plan },
    },
    {
      name: "plan-graph-siblings",
      comment: "Planning and drawing are independent.",
      severity: "error",
      from: { path: "^src/(plan|graph)/" },
      to: { path: "^src/(plan|graph)/", pathNot: "^src/$1/" },
    },
    {
      name: "drivers-up",
      comment: "Drivers and state are mechanisms: they never decide lab policy (that is the engine).",
      severity: "error",
      from: { path: "^src/(drivers|state)/" },
      to: { path: above.drivers },
    },
    {
      name: "drivers-state-siblings",
      comment: "Mechanisms that reach the kernel and the lab records are independent of each other.",
      severity: "error",
      from: { path: "^src/(drivers|state)/" },
      to: { path: "^src/(drivers|state)/", pathNot: "^src/$1/" },
    },
    {
      name: "engine-up",
      comment: "The engine and verify serve the handle, the API and the clients; never the reverse.",
      severity: "error",
      from: { path: "^src/(engine|verify)/" },
      to: { path: above.engine },
    },
    {
      name: "engine-verify-siblings",
      comment: "The lifecycle and the checks of a running lab are independent.",
      severity: "error",
      from: { path: "^src/(engine|verify)/" },
      to: { path: "^src/(engine|verify)/", pathNot: "^src/$1/" },
    },
    {
      name: "lab-up",
      comment: "The running-lab handle is used by the API and the clients, never the reverse.",
      severity: "error",
      from: { path: "^src/lab/" },
      to: { path: above.lab },
    },
    {
      name: "api-up",
      comment: "The library's API never imports its clients.",
      severity: "error",
      from: { path: "^src/(index\\.ts|testing\\.ts|testing/)" },
      to: { path: above.api },
    },
    {
      name: "thin-clients",
      comment: "CLI and web call the engine and the handle; they never reach drivers, state or plans.",
      severity: "error",
      from: { path: "^src/(cli|web)/" },
      to: { path: "^src/(drivers|state|plan)/" },
    },
    {
      name: "web-cli-siblings",
      comment: "The web server does not use the CLI (the CLI starts the web server).",
      severity: "error",
      from: { path: "^src/web/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "one-driver-factory",
      comment: "Only the engine's factory (engine/driver.ts) makes a Driver; others may name its type.",
      severity: "error",
      from: { pathNot: "^src/(engine/driver\\.ts|drivers/)" },
      to: { path: "^src/drivers/driver\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "adapters-siblings",
      comment:
        "Source adapters do not use each other; they may use the canonical nslab format (sources/nslab).",
      severity: "error",
      from: { path: "^src/sources/(clab|mininet|nslab)/" },
      to: { path: "^src/sources/(clab|mininet)/", pathNot: "^src/sources/$1/" },
    },
    {
      name: "nslab-format-base",
      comment: "The canonical format is a base for the other adapters, never their user.",
      severity: "error",
      from: { path: "^src/sources/nslab/" },
      to: { path: "^src/sources/index\\.ts$|^src/sources/(clab|mininet)/" },
    },
    {
      name: "mininet-no-schema",
      comment: "Generated labs start without the YAML parser and the schema library.",
      severity: "error",
      from: { path: "^src/sources/mininet/" },
      to: { path: "^src/sources/(nslab|clab)/|^src/sources/(index|yaml)\\.ts$|node_modules/(zod|yaml)/" },
    },
    {
      name: "pure-core",
      comment:
        "Sources (but read.ts), the model (but load.ts, which reads through sources) and plans do no I/O.",
      severity: "error",
      from: {
        path: "^src/(sources|model|plan|graph)/",
        pathNot: "^src/sources/read\\.ts$|^src/model/load\\.ts$",
      },
      to: {
        dependencyTypes: ["core"],
        path: "^(node:)?(fs|fs/promises|child_process|dgram|http|https|timers|timers/promises|worker_threads)$",
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".d.ts"] },
    moduleSystems: ["es6"],
  },
};
