#!/usr/bin/env node
// nslab stress: `npm run stress [-- options]` (as root; not part of the tests — test/integration/
// stress.test.ts runs a 30-second version). Eight worker processes, each looping up → ping → down on
// its own lab (Linux-bridge and OVS seed labs, alternately), while this process calls `nslab status`
// and `nslab down --all` in between. Zero failures allowed, nothing may be left; `down --all` must
// never break an `up` under way (it skips a busy lab and says so).
//
//   --workers N         worker processes (default 8)
//   --duration S        seconds (default 300)
//   --status-every S    `nslab status` every S seconds (default 2)
//   --down-all-every S  a down --all every S seconds (default 10)
//   --down-all cli|own  cli (default): the CLI's `nslab down --all`, which takes down EVERY lab on
//                       the host — so the run holds the host-wide `host-net` test lock exclusively
//                       and refuses to start while any other lab is up; own: the library's downAll
//                       filtered to this run's labs (same code path), holding host-net shared only
//   --json PATH         results (default bench/results/stress-<time>.json)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { cleanupAll, NSLAB, onCleanup, ROOT, run, sleep, uniquePrefix } from "./lib.mjs";
import { hostLock } from "./soak/lock.mjs";
import { daemons, leftovers, STATE_DIR, stateTempFiles, timeSummary } from "./soak/metrics.mjs";

const args = parseArgs(process.argv.slice(2));
if (process.getuid?.() !== 0) {
  process.stderr.write("stress: must run as root (it creates namespaces)\n");
  process.exit(1);
}
const BUSY = 75;
const tag = randomBytes(2).toString("hex");
const ours = (lab) => lab.startsWith(`stress-${tag}-`);
const log = (m) => process.stderr.write(`stress: ${m}\n`);
/** The library (dist/index.js), loaded when the own-labs down --all first needs it. */
let lib;
const results = {
  startedAt: new Date().toISOString(),
  tag,
  args,
  workers: [],
  status: { calls: 0, failures: [] },
  downAll: { calls: 0, failures: [], skippedBusy: 0, takenDown: 0, messages: [] },
  verdict: [],
};

const lock = await hostLock("host-net", args.downAll === "cli" ? "exclusive" : "shared", {
  onWait: (f) => log(`waiting for ${f} (${args.downAll === "cli" ? "exclusive" : "shared"})…`),
});
let code = 0;
try {
  if (args.downAll === "cli") {
    const others = labRecords().filter((l) => !ours(l));
    if (others.length > 0) {
      log(
        `labs are up on this host (${others.join(", ")}): 'nslab down --all' would take them down; not starting`,
      );
      code = BUSY;
    }
  }
  if (code === 0) await stress();
} finally {
  await lock.release();
  await cleanupAll();
}
if (code !== 0) process.exit(code);

const out =
  args.json ?? join(ROOT, "bench", "results", `stress-${results.startedAt.replace(/[:.]/g, "-")}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
printSummary();
log(`results: ${out}`);
process.exit(results.verdict.length > 0 ? 1 : 0);

async function stress() {
  const daemonsBefore = ovsPids();
  const until = Date.now() + args.duration * 1000;
  const workers = [];
  for (let i = 0; i < args.workers; i++) {
    const kind = i % 2 === 0 ? "bridge" : "ovs";
    const prefix = uniquePrefix("w");
    const name = `stress-${tag}-w${i}-${kind}`;
    onCleanup(() => run([...NSLAB, "-q", "down", name]));
    workers.push(startWorker({ name, prefix, kind, until }));
  }
  log(
    `${args.workers} workers until ${new Date(until).toISOString()}; down --all (${args.downAll}) every ${args.downAllEvery} s, status every ${args.statusEvery} s`,
  );
  const chores = Promise.all([
    every(args.statusEvery, until, statusCall),
    every(args.downAllEvery, until, args.downAll === "cli" ? downAllCli : downAllOwn),
  ]);
  const finished = await Promise.all(workers.map((w) => w.done));
  await chores;
  results.workers = finished;

  // Nothing left: no object, record, lock or temp file of any worker; the OVS daemons as before.
  const left = leftovers(
    finished.map((w) => w.prefix),
    finished.map((w) => w.name),
  );
  if (left.length > 0) results.verdict.push(`left behind: ${left.join(", ")}`);
  const temps = stateTempFiles().filter((t) => t.includes(`stress-${tag}-`));
  if (temps.length > 0) results.verdict.push(`temp files left: ${temps.join(", ")}`);
  await sleep(500); // daemons nslab stopped may await their reaping
  const daemonsAfter = ovsPids();
  results.ovsDaemons = { before: daemonsBefore, after: daemonsAfter };
  if (args.downAll === "cli" && daemonsAfter.join() !== daemonsBefore.join())
    results.verdict.push(
      `OVS daemons before ${daemonsBefore.join(",") || "none"}, after ${daemonsAfter.join(",") || "none"}`,
    );
  for (const w of finished)
    for (const f of w.failures)
      results.verdict.push(
        `${w.name} cycle ${f.cycle} ${f.step}: ${String(f.stderr ?? "").replace(/\n+/g, " | ")}${f.stdout ? ` (stdout: ${String(f.stdout).replace(/\n+/g, " | ").slice(-400)})` : ""}}`,
      );
  for (const f of results.status.failures) results.verdict.push(`nslab status: ${f}`);
  for (const f of results.downAll.failures) results.verdict.push(`down --all: ${f}`);
}

function startWorker({ name, prefix, kind, until }) {
  const file = join(ROOT, "examples", "seed", `${kind}.yaml`);
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bench", "stress", "worker.mjs"),
      "--file",
      file,
      "--name",
      name,
      "--prefix",
      prefix,
      "--until",
      String(until),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const off = onCleanup(() => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  const w = { name, prefix, kind, cycles: 0, pinged: 0, preempted: 0, busyUp: 0, failures: [], times: [] };
  createInterface({ input: child.stdout }).on("line", (line) => {
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      return;
    }
    if (e.step === "cycle") {
      w.cycles++;
      w.times.push(e.ms);
      if (e.pinged) w.pinged++;
    } else if (e.outcome === "preempted") w.preempted++;
    else if (e.outcome === "busy") w.busyUp++;
    else if (e.outcome === "failed") w.failures.push(e);
  });
  const done = new Promise((resolve) =>
    child.once("close", (code) => {
      off();
      if (code !== 0) w.failures.push({ cycle: w.cycles, step: "worker", stderr: `worker exited ${code}` });
      const { times, ...rest } = w;
      resolve({ ...rest, time: timeSummary(times) });
    }),
  );
  return { done };
}

async function every(seconds, until, fn) {
  // Staggered start, then a call every `seconds` until the deadline.
  await sleep(Math.random() * seconds * 1000);
  while (Date.now() < until) {
    await fn();
    await sleep(seconds * 1000);
  }
}

async function statusCall() {
  results.status.calls++;
  const r = await run([...NSLAB, "status"]);
  if (r.code !== 0 || /^\s+at |internal error/m.test(r.stderr))
    results.status.failures.push(`exit ${r.code}: ${r.stderr.trim().slice(0, 500)}`);
}

async function downAllCli() {
  results.downAll.calls++;
  const r = await run([...NSLAB, "down", "--all"]);
  const skipped = r.stderr.match(/skipped lab '[^']+'/g) ?? [];
  results.downAll.skippedBusy += skipped.length;
  results.downAll.takenDown += (`${r.stdout}${r.stderr}`.match(/is down: removed/g) ?? []).length;
  if (skipped.length > 0 && results.downAll.messages.length < 5)
    results.downAll.messages.push(r.stderr.split("\n").find((l) => l.includes("skipped lab")));
  if (r.code !== 0 || /^\s+at |internal error/m.test(r.stderr))
    results.downAll.failures.push(`exit ${r.code}: ${r.stderr.trim().slice(0, 500)}`);
}

async function downAllOwn() {
  results.downAll.calls++;
  lib ??= await import(join(ROOT, "dist", "index.js"));
  try {
    const res = await lib.downAll({
      filter: ours,
      log: (level, m) => {
        if (level === "warn" && m.includes("skipped lab") && results.downAll.messages.length < 5)
          results.downAll.messages.push(m);
      },
    });
    results.downAll.skippedBusy += res.filter((r) => r.busy).length;
    results.downAll.takenDown += res.filter((r) => r.found && !r.busy).length;
  } catch (e) {
    results.downAll.failures.push(String(e?.message ?? e).slice(0, 500));
  }
}

function labRecords() {
  try {
    return readdirSync(join(STATE_DIR, "labs"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}

function ovsPids() {
  return [...daemons("ovsdb-server"), ...daemons("ovs-vswitchd")].map((d) => d.pid).sort((a, b) => a - b);
}

function printSummary() {
  const total = (k) => results.workers.reduce((a, w) => a + w[k], 0);
  const lines = results.workers.map(
    (w) =>
      `  ${w.name} (${w.kind}): ${w.cycles} cycles, ${w.pinged} pinged, ${w.preempted} taken down by down --all before the ping, ${w.busyUp} ups refused while down --all held the lab, ${w.failures.length} failures; cycle median ${w.time.median} ms, p95 ${w.time.p95} ms`,
  );
  process.stdout.write(
    `${[
      `stress: ${args.workers} workers for ${args.duration} s (down --all: ${args.downAll})`,
      ...lines,
      `  total: ${total("cycles")} cycles, ${total("pinged")} pinged, ${total("preempted")} preempted, ${total("busyUp")} busy refusals, ${results.workers.reduce((a, w) => a + w.failures.length, 0)} failures`,
      `  nslab status: ${results.status.calls} calls, ${results.status.failures.length} failures`,
      `  down --all: ${results.downAll.calls} calls, ${results.downAll.takenDown} labs taken down, ${results.downAll.skippedBusy} busy labs skipped, ${results.downAll.failures.length} failures`,
      ...(results.downAll.messages[0] ? [`  e.g.: ${results.downAll.messages[0]}`] : []),
      results.verdict.length === 0
        ? "stress: zero failures, nothing left"
        : `stress: FAILED:\n  ${results.verdict.join("\n  ")}`,
    ].join("\n")}\n`,
  );
}

function parseArgs(argv) {
  const a = { workers: 8, duration: 300, statusEvery: 2, downAllEvery: 10, downAll: "cli", json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case "--workers":
        a.workers = Number(v());
        break;
      case "--duration":
        a.duration = Number(v());
        break;
      case "--status-every":
        a.statusEvery = Number(v());
        break;
      case "--down-all-every":
        a.downAllEvery = Number(v());
        break;
      case "--down-all":
        a.downAll = v();
        break;
      case "--json":
        a.json = v();
        break;
      default:
        process.stderr.write(`stress: unknown option ${argv[i]}\n`);
        process.exit(64);
    }
  }
  if (!["cli", "own"].includes(a.downAll)) {
    process.stderr.write("stress: --down-all is cli or own\n");
    process.exit(64);
  }
  return a;
}
