// `npm run bench -- --cli [--runs N]`: the CLI's own cost. Each command as a person types it (the
// installed `nslab`, dist/bin/nslab) against `node -e 0` on the same machine, runs interleaved
// round by round (other load hits every command alike), medians and the spread (10th–90th
// percentile) of the wall time from spawn to exit. The goal (issue 17): at most 60 ms above
// `node -e 0`. `node -e 0` runs without NODE_EXTRA_CA_CERTS, as the installed command starts Node
// (a CA file is parsed at each start before any JavaScript; nslab makes no TLS connection).
// Commands that look at labs see this machine's labs as they are: the header says how many are up.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { listNetns, median, NSLAB, ROOT, run, uniquePrefix } from "./lib.mjs";

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1]) || 30;
const GOAL_MS = 60;
const seed = join(ROOT, "examples", "seed", "bridge.yaml");
const notUp = `bench-cli-${uniquePrefix("n").slice(0, -1)}`;

/** [label, argv, expected exit code]. */
const commands = [
  ["node -e 0", ["node", "-e", "0"], 0],
  ["nslab --version", [...NSLAB, "--version"], 0],
  ["nslab --help", [...NSLAB, "--help"], 0],
  ["nslab validate examples/seed/bridge.yaml", [...NSLAB, "validate", seed], 0],
  ["nslab plan examples/seed/bridge.yaml", [...NSLAB, "plan", seed], 0],
  ["nslab status", [...NSLAB, "status"], 0],
  ["nslab down LAB (not up)", [...NSLAB, "down", notUp], 0],
  ["nslab completion bash", [...NSLAB, "completion", "bash"], 0],
  ["nslab generate --topo single,100", [...NSLAB, "generate", "--topo", "single,100"], 0],
];
if (process.getuid?.() !== 0) {
  console.error("bench --cli: run as root (`status` and `down` are root's commands)");
  process.exit(1);
}

const startedAt = new Date().toISOString();
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const times = commands.map(() => []);
// One round unmeasured: the code cache of each command is made at its first run.
for (const [label, a, code] of commands) {
  const r = await run(a, { env });
  if (r.code !== code) throw new Error(`${label}: exit ${r.code}: ${r.stderr.slice(0, 400)}`);
}
for (let r = 0; r < runs; r++)
  for (const [i, [label, a, code]] of commands.entries()) {
    const x = await run(a, { env });
    if (x.code !== code) throw new Error(`${label}: exit ${x.code}: ${x.stderr.slice(0, 400)}`);
    times[i].push(x.ms);
  }

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const base = median(times[0]);
let labs = 0;
try {
  labs = readdirSync("/run/nslab/labs").filter((f) => f.endsWith(".json")).length;
} catch {
  // no state directory: no labs
}
const rows = commands.map(([label], i) => ({
  command: label,
  medianMs: median(times[i]),
  p10Ms: pct(times[i], 0.1),
  p90Ms: pct(times[i], 0.9),
  aboveNodeMs: median(times[i]) - base,
}));
const f = (ms) => `${ms.toFixed(1)} ms`;
console.log(
  `\nthe CLI's own cost, medians of ${runs} interleaved runs (load ${loadavg()[0].toFixed(2)}; ${labs} lab(s) recorded, ${listNetns().length} namespace(s) on the host)`,
);
console.log(`| command | median | 10th–90th | above \`node -e 0\` | goal: +${GOAL_MS} ms |`);
console.log("| --- | --: | --: | --: | --- |");
for (const [i, r] of rows.entries())
  console.log(
    `| \`${r.command}\` | ${f(r.medianMs)} | ${r.p10Ms.toFixed(0)}–${r.p90Ms.toFixed(0)} | ${i === 0 ? "" : `+${r.aboveNodeMs.toFixed(1)}`} | ${i === 0 ? "" : r.aboveNodeMs <= GOAL_MS ? "met" : "not met"} |`,
  );
const dir = join(ROOT, "bench", "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `cli-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify({ startedAt, runs, labs, rows }, null, 2)}\n`);
console.log(`results: ${file}`);
