#!/usr/bin/env node
// Old vs new side by side: `node bench/compare.mjs --old DIR [--runs N] [--specs single,100;linear,100] [--gap MS]`
// times `nslab up`/`down` (the CLI as typed, end to end) of two builds — DIR's dist (e.g. a checkout
// of main) and this one — and the raw floor (bench/floor.mjs), interleaved run by run, Linux
// bridges; prints medians, ratios to the floor and the load average. Kept out of the test suite.
// Two floors: the network alone (`floor`), and the network with nslab's node environments
// (`+env`: a kept mount namespace per node, bench/floor.mjs) — the same kernel work as nslab's.
// `--file`: `up FILE` of what `nslab generate --topo SPEC` writes (the YAML read and checked, as a
// person's lab file is) instead of `up --topo SPEC`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { floorCleanup, floorDown, floorModel, floorRootNames, floorUp } from "./floor.mjs";
import {
  cleanupAll,
  guarded,
  listNetns,
  median,
  nslabArgv,
  ROOT,
  rootLinks,
  run,
  settle,
  uniquePrefix,
} from "./lib.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const OLD = opt("--old");
if (!OLD) {
  process.stderr.write(
    "usage: node bench/compare.mjs --old DIR [--runs N] [--specs 'single,100;linear,100'] [--file] [--gap MS]\n",
  );
  process.exit(2);
}
const runs = Number(opt("--runs", "5"));
const specs = opt("--specs", "single,100;linear,100").split(";");
const clis = { old: nslabArgv(OLD), new: nslabArgv(ROOT) };
const { generateTopology, generatedYaml } = await import(
  join(ROOT, "dist", "sources", "mininet", "index.js")
);
const fromFile = argv.includes("--file");
// `--gap MS` (default 3000): a pause before each timed run. The kernel finishes tearing down the last
// run's namespaces seconds after their deletion returned (no CPU to see: settle() cannot tell), and
// a lab made meanwhile is slower: here `ip -batch` making 100 namespaces and their veths took 97,
// 142, 154, 150, 165 ms one second apart, 103–119 ms three or more seconds apart.
const gapMs = Number(opt("--gap", "3000"));
const fileDir = fromFile ? mkdtempSync(join(tmpdir(), "nslab-compare-")) : undefined;
if (fileDir) process.on("exit", () => rmSync(fileDir, { recursive: true, force: true }));
/** What `up` is given: the spec, or a file holding what `nslab generate --topo spec` prints. */
function upSource(spec) {
  if (!fileDir) return ["--topo", spec];
  const file = join(fileDir, `${spec.replace(/[^a-z0-9]+/g, "-")}.yaml`);
  writeFileSync(file, generatedYaml(generateTopology(spec), `nslab generate --topo ${spec}`));
  return [file];
}

function leakCheck(m) {
  const ns = new Set(listNetns());
  const links = new Set(rootLinks());
  const left = [
    ...m.hosts.filter((h) => ns.has(h.ns)).map((h) => h.ns),
    ...floorRootNames(m).filter((n) => links.has(n)),
  ];
  if (left.length) throw new Error(`leak: ${left.slice(0, 5).join(", ")}`);
}

async function nslab(which, spec) {
  const p = uniquePrefix(which === "old" ? "o" : "n");
  const lab = `cmp-${p.slice(0, -1)}`;
  const m = floorModel(generateTopology(spec, { switch: "bridge" }), p);
  return guarded(
    () => run([...clis[which], "-q", "down", lab]),
    async () => {
      const up = await run([...clis[which], "-q", "up", ...upSource(spec), "--name", lab, "--prefix", p]);
      if (up.code !== 0) throw new Error(`${which} up ${spec}: ${up.stderr.trim()}`);
      const down = await run([...clis[which], "-q", "down", lab]);
      if (down.code !== 0) throw new Error(`${which} down ${lab}: ${down.stderr.trim()}`);
      leakCheck(m);
      return { up: up.ms, down: down.ms };
    },
  );
}

async function floor(spec, env) {
  const m = floorModel(generateTopology(spec, { switch: "bridge" }), uniquePrefix("f"));
  return guarded(
    () => floorCleanup(m, { ovs: false }),
    async () => {
      const up = await floorUp(m, { ovs: false, config: "agent", env });
      const down = await floorDown(m, { ovs: false, env });
      leakCheck(m);
      return { up, down };
    },
  );
}

const loads = [];
const out = [];
try {
  for (const spec of specs) {
    const res = { floor: [], floorenv: [], old: [], new: [] };
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? ["floor", "floorenv", "old", "new"] : ["new", "old", "floorenv", "floor"];
      for (const method of order) {
        await settle();
        await new Promise((r) => setTimeout(r, gapMs));
        loads.push(loadavg()[0]);
        const x = method.startsWith("floor")
          ? await floor(spec, method === "floorenv")
          : await nslab(method, spec);
        res[method].push(x);
        process.stderr.write(`${spec} ${method}: up ${x.up.toFixed(0)} ms, down ${x.down.toFixed(0)} ms\n`);
      }
    }
    const med = (m, k) => median(res[m].map((x) => x[k]));
    out.push({
      spec,
      ...Object.fromEntries(
        ["floor", "floorenv", "old", "new"].map((m) => [m, { up: med(m, "up"), down: med(m, "down") }]),
      ),
    });
  }
} finally {
  await cleanupAll();
}
const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
process.stdout.write(
  `\nmedians of ${runs} interleaved runs; load average (1 min) during the runs: ${median(loads).toFixed(1)} (min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)})\n`,
);
process.stdout.write(
  "| scenario | floor up | +env up | old up | new up | new/floor | new/+env | floor down | +env down | old down | new down | new/floor | new/+env |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
);
const r2 = (a, b) => (a / b).toFixed(2);
for (const o of out)
  process.stdout.write(
    `| ${o.spec} bridge | ${ms(o.floor.up)} | ${ms(o.floorenv.up)} | ${ms(o.old.up)} | ${ms(o.new.up)} | ${r2(o.new.up, o.floor.up)} | ${r2(o.new.up, o.floorenv.up)} | ${ms(o.floor.down)} | ${ms(o.floorenv.down)} | ${ms(o.old.down)} | ${ms(o.new.down)} | ${r2(o.new.down, o.floor.down)} | ${r2(o.new.down, o.floorenv.down)} |\n`,
  );
