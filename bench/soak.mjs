#!/usr/bin/env node
// nslab soak: `npm run soak [-- options]` (as root; not part of the tests — test/integration/soak.test.ts
// runs a short version). Brings labs up and down over and over through the CLI, as a user types it,
// and watches for anything that grows: objects left behind by this run (namespaces, links, OVS ports,
// records, locks, temp files — must be none), the host's file handles, namespaces, links, OVS ports,
// conntrack entries and /run/nslab entries, the OVS daemons' fds and RSS; then the library soak in
// one process (its own fds, handles, RSS, heap). Reports time per cycle, first and last 100.
//
//   --cycles N       up/down cycles of each seed lab (default 1000)
//   --labs LIST      seed labs (default direct,bridge,ovs)
//   --big-cycles N   cycles of the generated lab (default 100); --big-topo SPEC (default single,200)
//   --lib-cycles N   Lab API cycles in one process (default 1000)
//   --no-keeper      do not keep an OVS lab up meanwhile (then nslab starts and stops the OVS
//                    daemons on every OVS cycle, and their fds/RSS say little)
//   --json PATH      write the results there (default bench/results/soak-<time>.json)
// Names: every lab is `soak-<tag>-…` with a unique 5-byte prefix, never the walkthrough's names. It
// holds the host-wide `host-net` test lock shared, as tests do. Exit 1 when something failed,
// something was left behind, or this process / the OVS daemons grew (thresholds below).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cleanupAll, NSLAB, onCleanup, ROOT, run, uniquePrefix } from "./lib.mjs";
import { hostLock } from "./soak/lock.mjs";
import { daemons, hostSample, leftovers, STATE_DIR, stateTempFiles, timeSummary } from "./soak/metrics.mjs";

/** Growth allowed between the first and the last tenth of a run (after warm-up). */
const LIMITS = { selfFds: 2, selfHandles: 2, selfHeapKb: 16 * 1024, daemonFds: 4 };

const args = parseArgs(process.argv.slice(2));
if (process.getuid?.() !== 0) {
  process.stderr.write("soak: must run as root (it creates namespaces)\n");
  process.exit(1);
}
const tag = randomBytes(2).toString("hex");
const log = (m) => process.stderr.write(`soak: ${m}\n`);
const results = {
  startedAt: new Date().toISOString(),
  tag,
  args,
  labs: [],
  big: null,
  lib: null,
  verdict: [],
};

const lock = await hostLock("host-net", "shared", { onWait: (f) => log(`waiting for ${f} (shared)…`) });
try {
  const keeper = args.keeper && args.labs.includes("ovs") ? await ovsKeeper() : undefined;
  try {
    for (const seed of args.labs) {
      const file = join(ROOT, "examples", "seed", `${seed}.yaml`);
      results.labs.push(
        await cliSoak(`seed ${seed}`, args.cycles, (name, prefix) => [
          ["up", file, "--name", name, "--prefix", prefix],
          ["down", name],
        ]),
      );
    }
    if (args.bigCycles > 0)
      results.big = await cliSoak(`${args.bigTopo}`, args.bigCycles, (name, prefix) => [
        ["up", "--topo", args.bigTopo, "--name", name, "--prefix", prefix],
        ["down", name],
      ]);
    if (args.libCycles > 0) results.lib = await libSoak(args.libCycles);
  } finally {
    await keeper?.release();
  }
} finally {
  await lock.release();
  await cleanupAll();
}

// Temp files of record writers: this run's must all be gone; other people's are only noted.
const temps = stateTempFiles();
const ours = temps.filter((t) => t.includes(`soak-${tag}-`));
results.othersTempFiles = temps.filter((t) => !ours.includes(t));
if (ours.length > 0) results.verdict.push(`temp files left in ${STATE_DIR}: ${ours.join(", ")}`);
const out =
  args.json ?? join(ROOT, "bench", "results", `soak-${results.startedAt.replace(/[:.]/g, "-")}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
printSummary();
log(`results: ${out}`);
process.exit(results.verdict.length > 0 ? 1 : 0);

/**
 * `cycles` cycles of the commands `commands(name, prefix)` gives (each through the CLI); a sample of
 * the host before, every tenth of the run and after; this run's leftovers checked every 10 cycles.
 */
async function cliSoak(label, cycles, commands) {
  const prefix = uniquePrefix("s");
  const name = `soak-${tag}-${prefix.slice(1, -1)}`;
  onCleanup(() => run([...NSLAB, "-q", "down", name]));
  log(`${label}: ${cycles} cycles as lab ${name}, prefix ${prefix}`);
  const every = Math.max(1, Math.floor(cycles / 10));
  const times = [];
  const failures = [];
  const samples = [{ cycle: 0, ...hostSample() }];
  const daemonsUp = [];
  const t0 = Date.now();
  for (let i = 1; i <= cycles; i++) {
    const start = performance.now();
    const [upArgs, downArgs] = commands(name, prefix);
    const u = await run([...NSLAB, ...upArgs]);
    // While up: the OVS daemons' fds and RSS (on sample cycles).
    if (i % every === 0 || i === 1)
      daemonsUp.push({
        cycle: i,
        ovsdbServer: daemons("ovsdb-server")[0] ?? null,
        ovsVswitchd: daemons("ovs-vswitchd")[0] ?? null,
      });
    const d = await run([...NSLAB, ...downArgs]);
    times.push(performance.now() - start);
    for (const [what, r] of [
      ["up", u],
      ["down", d],
    ])
      if (r.code !== 0)
        failures.push({ cycle: i, what, code: r.code, stderr: r.stderr.trim().slice(0, 2000) });
    if (i % 10 === 0 || i === cycles || u.code !== 0 || d.code !== 0) {
      const left = leftovers([prefix], [name]);
      if (left.length > 0) failures.push({ cycle: i, what: "leftovers", stderr: left.join(", ") });
    }
    if (i % every === 0) {
      samples.push({ cycle: i, ...hostSample() });
      log(
        `${label}: ${i}/${cycles} cycles, ${Math.round((Date.now() - t0) / 1000)} s, failures ${failures.length}`,
      );
    }
    if (failures.length >= 20) {
      log(`${label}: stopping after ${failures.length} failures`);
      break;
    }
  }
  const r = {
    label,
    lab: name,
    prefix,
    cycles: times.length,
    wallS: Math.round((Date.now() - t0) / 100) / 10,
    first100: timeSummary(times.slice(0, 100)),
    last100: timeSummary(times.slice(-100)),
    failures,
    samples,
    daemonsUp,
  };
  for (const f of failures)
    results.verdict.push(`${label}: cycle ${f.cycle} ${f.what}: ${f.stderr?.split("\n")[0]}`);
  checkDaemonGrowth(label, daemonsUp);
  return r;
}

/** The same daemon (pid) throughout, and its fds grew: a leak in how nslab talks to it. */
function checkDaemonGrowth(label, points) {
  for (const key of ["ovsdbServer", "ovsVswitchd"]) {
    const seen = points.map((p) => p[key]).filter(Boolean);
    if (seen.length < 3 || new Set(seen.map((s) => s.pid)).size !== 1) continue;
    const grew = seen[seen.length - 1].fds - seen[1].fds;
    if (grew > LIMITS.daemonFds)
      results.verdict.push(`${label}: ${key} (pid ${seen[0].pid}) fds grew by ${grew}`);
  }
}

/** The library soak in its own process (so its fds and memory are only the soak's). */
async function libSoak(cycles) {
  const prefix = uniquePrefix("l");
  log(`library: ${cycles} cycles of Lab.up/down in one process, prefix ${prefix}`);
  for (const seed of ["direct", "bridge", "ovs"])
    onCleanup(() => run([...NSLAB, "-q", "down", `soak-${tag}-lib-${seed}`]));
  const t0 = Date.now();
  const r = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        join(ROOT, "bench", "soak", "lib-soak.mjs"),
        "--cycles",
        String(cycles),
        "--prefix",
        prefix,
        "--tag",
        tag,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`lib-soak exited ${code}`)),
    );
  });
  const { times, samples, failures } = r;
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  // After warm-up (the first tenth: module loading, JIT, the OVSDB connection pool, caches).
  const early = samples.slice(tenth, 2 * tenth);
  const late = samples.slice(-tenth);
  const max = (xs, k) => Math.max(...xs.map((x) => x[k]));
  const growth = {
    fds: max(late, "fds") - max(early, "fds"),
    handles: max(late, "handles") - max(early, "handles"),
    heapKb: max(late, "heapKb") - max(early, "heapKb"),
    rssKb: max(late, "rssKb") - max(early, "rssKb"),
  };
  for (const f of failures)
    results.verdict.push(`library: cycle ${f.cycle} ${f.lab}: ${f.error.split("\n")[0]}`);
  if (growth.fds > LIMITS.selfFds)
    results.verdict.push(`library: fds grew by ${growth.fds} (${r.grownFdKinds.join(", ")})`);
  if (growth.handles > LIMITS.selfHandles)
    results.verdict.push(`library: active handles grew by ${growth.handles}`);
  if (growth.heapKb > LIMITS.selfHeapKb)
    results.verdict.push(`library: heap (after GC) grew by ${growth.heapKb} kB`);
  return {
    cycles: times.length,
    wallS: Math.round((Date.now() - t0) / 100) / 10,
    first100: timeSummary(times.slice(0, 100)),
    last100: timeSummary(times.slice(-100)),
    growth,
    samples,
    failures,
  };
}

/** An OVS lab kept up for the whole soak, so the same OVS daemons serve every cycle. */
async function ovsKeeper() {
  const p = uniquePrefix("k");
  const lab = `soak-${tag}-keeper`;
  const r = await run([
    ...NSLAB,
    "-q",
    "up",
    "--topo",
    "single,1",
    "--switch",
    "ovs",
    "--name",
    lab,
    "--prefix",
    p,
  ]);
  if (r.code !== 0) throw new Error(`could not bring up the OVS keeper lab: ${r.stderr}`);
  const off = onCleanup(() => run([...NSLAB, "-q", "down", lab]));
  return {
    async release() {
      off();
      await run([...NSLAB, "-q", "down", lab]);
    },
  };
}

function printSummary() {
  const fmt = (s) => `median ${s.median} ms, mean ${s.mean}, p95 ${s.p95}, max ${s.max}`;
  const line = (r) => {
    const a = r.samples[0];
    const b = r.samples[r.samples.length - 1];
    const d = (k) => `${k} ${a[k]}→${b[k]}`;
    const own = (k) => {
      const xs = r.daemonsUp?.map((p) => p[k]).filter(Boolean) ?? [];
      if (xs.length === 0) return `${k}: not running`;
      const pids = new Set(xs.map((x) => x.pid)).size;
      return `${k}: fds ${xs[0].fds}→${xs[xs.length - 1].fds}, RSS ${xs[0].rssKb}→${xs[xs.length - 1].rssKb} kB${pids > 1 ? ` (${pids} different pids)` : ""}`;
    };
    return [
      `${r.label}: ${r.cycles} cycles in ${r.wallS} s, ${r.failures.length} failures`,
      `  time per cycle (up + down, CLI): first 100 ${fmt(r.first100)}; last 100 ${fmt(r.last100)}`,
      `  host (shared machine, others' labs move these): ${["fileHandles", "netns", "rootLinks", "ovsPorts", "conntrack", "stateEntries"].map(d).join(", ")}`,
      `  while up: ${own("ovsdbServer")}; ${own("ovsVswitchd")}`,
    ].join("\n");
  };
  const parts = [...results.labs, ...(results.big ? [results.big] : [])].map(line);
  if (results.lib) {
    const l = results.lib;
    const s0 = l.samples[0];
    const s1 = l.samples[l.samples.length - 1];
    parts.push(
      [
        `library (one process, Lab.up/down of the three seeds in turn): ${l.cycles} cycles in ${l.wallS} s, ${l.failures.length} failures`,
        `  time per cycle: first 100 ${fmt(l.first100)}; last 100 ${fmt(l.last100)}`,
        `  own fds ${s0.fds}→${s1.fds}, handles ${s0.handles}→${s1.handles}, RSS ${s0.rssKb}→${s1.rssKb} kB, heap ${s0.heapKb}→${s1.heapKb} kB; growth after warm-up: ${JSON.stringify(l.growth)}`,
      ].join("\n"),
    );
  }
  process.stdout.write(
    `${parts.join("\n")}\n${results.verdict.length === 0 ? "soak: nothing grew, nothing was left, no failures" : `soak: FAILED:\n  ${results.verdict.join("\n  ")}`}\n`,
  );
}

function parseArgs(argv) {
  const a = {
    cycles: 1000,
    labs: ["direct", "bridge", "ovs"],
    bigCycles: 100,
    bigTopo: "single,200",
    libCycles: 1000,
    keeper: true,
    json: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case "--cycles":
        a.cycles = Number(v());
        break;
      case "--labs":
        a.labs = v().split(",").filter(Boolean);
        break;
      case "--big-cycles":
        a.bigCycles = Number(v());
        break;
      case "--big-topo":
        a.bigTopo = v();
        break;
      case "--lib-cycles":
        a.libCycles = Number(v());
        break;
      case "--no-keeper":
        a.keeper = false;
        break;
      case "--json":
        a.json = v();
        break;
      default:
        process.stderr.write(`soak: unknown option ${argv[i]}\n`);
        process.exit(64);
    }
  }
  return a;
}
