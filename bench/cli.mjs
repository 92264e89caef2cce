// The CLI's own cost (`npm run bench -- --cli [--runs N]`, and part of `--all`). Each command as a
// person types it (the installed `nslab`, dist/bin/nslab) against `node -e 0` on the same machine,
// runs interleaved round by round (other load hits every command alike), medians and the spread
// (10th–90th percentile) of the wall time from spawn to exit. The goal (issue 17): at most 60 ms
// above `node -e 0`. `node -e 0` runs without NODE_EXTRA_CA_CERTS (bench/lib.mjs drops it), as the
// installed command starts Node (a CA file is parsed at each start before any JavaScript; nslab
// makes no TLS connection).
// Commands that look at labs see this machine's labs as they are: the header says how many are up.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { listNetns, median, NSLAB, ROOT, run, uniquePrefix } from "./lib.mjs";

export const CLI_GOAL_MS = 60;

/** Time the everyday commands `runs` times each, interleaved; the rows and what the host held. */
export async function measureCli(runs = 30) {
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
  const startedAt = new Date().toISOString();
  const times = commands.map(() => []);
  // One round unmeasured: the code cache of each command is made at its first run.
  for (const [label, a, code] of commands) {
    const r = await run(a);
    if (r.code !== code) throw new Error(`${label}: exit ${r.code}: ${r.stderr.slice(0, 400)}`);
  }
  const loads = [];
  for (let r = 0; r < runs; r++) {
    loads.push(loadavg()[0]);
    for (const [i, [label, a, code]] of commands.entries()) {
      const x = await run(a);
      if (x.code !== code) throw new Error(`${label}: exit ${x.code}: ${x.stderr.slice(0, 400)}`);
      times[i].push(x.ms);
    }
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
  return { startedAt, runs, labs, namespaces: listNetns().length, load: median(loads), rows };
}

/** The rows as a Markdown table, under a line saying how they were measured. */
export function cliTable(result) {
  const f = (ms) => `${ms.toFixed(1)} ms`;
  const lines = [
    `the CLI's own cost, medians of ${result.runs} interleaved runs (load ${result.load.toFixed(2)}; ${result.labs} lab(s) recorded, ${result.namespaces} namespace(s) on the host)`,
    `| command | median | 10th–90th | above \`node -e 0\` | goal: +${CLI_GOAL_MS} ms |`,
    "| --- | --: | --: | --: | --- |",
  ];
  for (const [i, r] of result.rows.entries())
    lines.push(
      `| \`${r.command}\` | ${f(r.medianMs)} | ${r.p10Ms.toFixed(0)}–${r.p90Ms.toFixed(0)} | ${i === 0 ? "" : `${r.aboveNodeMs < 0 ? "" : "+"}${r.aboveNodeMs.toFixed(1)}`} | ${i === 0 ? "" : r.aboveNodeMs <= CLI_GOAL_MS ? "met" : "not met"} |`,
    );
  return lines.join("\n");
}

/** `--cli`: measure, print, and keep the result in bench/results/cli-<time>.json. */
export async function main(argv = process.argv.slice(2)) {
  if (process.getuid?.() !== 0) {
    console.error("bench --cli: run as root (`status` and `down` are root's commands)");
    process.exit(1);
  }
  const at = argv.indexOf("--runs");
  const result = await measureCli(at >= 0 ? Number(argv[at + 1]) || 30 : 30);
  console.log(`\n${cliTable(result)}`);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cli-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${file}`);
}
