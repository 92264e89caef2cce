#!/usr/bin/env node
// nslab benchmark: `npm run bench [-- options]`. Times nslab `up`/`down` (the CLI, end to end)
// against the raw floor for the same kernel work and against Mininet 2.3 (Python API, Linux-bridge
// switches, no controller), medians of several runs, run interleaved so load from other users
// hits all methods alike. Results go to bench/results/<time>.json. Kept out of the test suite.
//
//   --runs N            runs per method and scenario (default 3)
//   --sizes 100,1000    host counts (default 100,1000)
//   --topos single,linear
//   --switch bridge,ovs (default both)
//   --no-mininet        skip Mininet;  --mininet-max-s S: skip Mininet where one run would exceed S s
//   --no-nsenter        skip the nsenter reference floor
//   --ping              also time all-pairs ping on linear,50 (nslab ping vs Mininet pingAll)
//   --frr               only the FRR ring (bench/frr-ring.mjs: --n N routers, default 100)
//   --sdn               only Mininet vs nslab with OVS and a remote controller (bench/sdn.mjs:
//                       --topos linear,100, --runs R)
//   --cli               only the CLI's own cost: each command as typed against `node -e 0`
//                       (bench/cli.mjs: --runs N, default 30)
//   --seed              only the walkthrough's three labs, nslab vs its commands as one `ip -batch`
//                       script (bench/seed.mjs: --runs N, default 5)
//   --multihost         only a lab spread over three simulated machines vs on one (bench/multihost.mjs:
//                       --topo linear,300, --runs R)
//   --huge              only the 10,000-host scenario (linear,100,100 by default; --huge-topo SPEC:
//                       tree,2,100 needs net.core.netdev_max_backlog raised, see `nslab plan`): up,
//                       farthest-pair ping, status and its floor, the web view in headless Chromium
//                       (when there is one; --no-web: not), up again, a link down and up, down
//   --all               every row issue 17 asks for, in one run and one report: the up/down scenarios
//                       above, the seed labs (--seed-runs N, default 7), the CLI's own cost (--cli-runs
//                       N, default 30), then --huge
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { floorCleanup, floorDown, floorModel, floorRead, floorRootNames, floorUp } from "./floor.mjs";
import {
  CLI,
  cleanupAll,
  guarded,
  isInterrupted,
  listNetns,
  median,
  must,
  NSLAB,
  ROOT,
  rootLinks,
  run,
  settle,
  uniquePrefix,
  waitGone,
} from "./lib.mjs";
import { mininetAvailable, mininetRun } from "./mininet.mjs";

const { generateTopology } = await import(join(ROOT, "dist", "sources", "mininet", "index.js"));

// `npm run bench -- --frr [--n N]`: the FRR ring instead (bench/frr-ring.mjs).
if (process.argv.includes("--frr")) {
  await import("./frr-ring.mjs");
  process.exit(0);
}
if (process.argv.includes("--cli") && !process.argv.includes("--all")) {
  await (await import("./cli.mjs")).main();
  process.exit(0);
}
if (process.argv.includes("--seed") && !process.argv.includes("--all")) {
  await (await import("./seed.mjs")).main();
  process.exit(0);
}
if (process.argv.includes("--multihost")) {
  await import("./multihost.mjs");
  process.exit(0);
}
if (process.argv.includes("--sdn")) {
  await import("./sdn.mjs");
  process.exit(0);
}

const args = parseArgs(process.argv.slice(2));
const results = {
  startedAt: new Date().toISOString(),
  host: hostInfo(),
  args,
  scenarios: [],
  ping: [],
  seed: null,
  cli: null,
  huge: null,
};

if (process.getuid?.() !== 0) {
  process.stderr.write("bench: must run as root (it creates namespaces)\n");
  process.exit(1);
}

try {
  if (args.huge && !args.all) await hugeScenario(args.hugeTopo);
  else {
    const needsOvs = args.switches.includes("ovs");
    const keeper = needsOvs ? await ovsKeeper() : undefined;
    try {
      for (const sw of args.switches)
        for (const size of args.sizes)
          for (const topo of args.topos) {
            if (isInterrupted()) break;
            results.scenarios.push(await scenario(`${topo},${size}`, sw));
            writeResults();
          }
      if (args.ping) for (const sw of args.switches) results.ping.push(await pingScenario("linear,50", sw));
    } finally {
      if (keeper) await keeper.release();
    }
    if (args.all && !isInterrupted()) {
      // The kernel tears the 1,000-host labs' namespaces down for minutes after their `down`: the
      // small rows wait for a quiet machine (they moved by 20–30 % at load 1.7).
      await settleBeforeSmallRows("the seed labs");
      const { measureSeed } = await import("./seed.mjs");
      log(`the seed labs: ${args.seedRuns} interleaved rounds`);
      results.seed = await measureSeed(args.seedRuns);
      writeResults();
    }
    if (args.all && !isInterrupted()) {
      await settleBeforeSmallRows("the CLI's own cost");
      const { measureCli } = await import("./cli.mjs");
      log(`the CLI's own cost: ${args.cliRuns} interleaved runs of each command`);
      results.cli = await measureCli(args.cliRuns);
      writeResults();
      if (!isInterrupted()) await hugeScenario(args.hugeTopo);
    }
  }
} finally {
  await cleanupAll();
}
writeResults();
await printTable();

// ---------------------------------------------------------------------------------------------

/** Wait (at most 5 minutes) until the machine has been quiet for 3 s, and say how long it took. */
async function settleBeforeSmallRows(what) {
  const { waitedMs, quiet } = await settle(300_000, 10);
  log(
    `${what}: ${quiet ? "the machine was quiet" : "the machine was still busy"} after ${(waitedMs / 1000).toFixed(0)} s (load ${loadavg()[0].toFixed(2)})`,
  );
}

function parseArgs(argv) {
  const a = {
    runs: 3,
    sizes: [100, 1000],
    topos: ["single", "linear"],
    switches: ["bridge", "ovs"],
    mininet: true,
    mininetMaxS: 120,
    nsenter: true,
    ping: false,
    huge: false,
    hugeTopo: "linear,100,100",
    web: true,
    all: false,
    cliRuns: 30,
    seedRuns: 7,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    switch (argv[i]) {
      case "--runs":
        a.runs = Number(v());
        break;
      case "--sizes":
        a.sizes = v().split(",").map(Number);
        break;
      case "--topos":
        a.topos = v().split(",");
        break;
      case "--switch":
        a.switches = v().split(",");
        break;
      case "--no-mininet":
        a.mininet = false;
        break;
      case "--mininet-max-s":
        a.mininetMaxS = Number(v());
        break;
      case "--no-nsenter":
        a.nsenter = false;
        break;
      case "--ping":
        a.ping = true;
        break;
      case "--huge":
        a.huge = true;
        break;
      case "--huge-topo":
        a.huge = true;
        a.hugeTopo = v();
        break;
      case "--no-web":
        a.web = false;
        break;
      case "--all":
        a.all = true;
        break;
      case "--cli":
      case "--seed":
        break;
      case "--seed-runs":
        a.seedRuns = Number(v());
        break;
      case "--cli-runs":
        a.cliRuns = Number(v());
        break;
      default:
        process.stderr.write(`bench: unknown option ${argv[i]}\n`);
        process.exit(2);
    }
  }
  return a;
}

function hostInfo() {
  const out = (argv) => spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout.trim();
  return { kernel: out(["uname", "-r"]), cpus: Number(out(["nproc"])), node: process.version };
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

/** Keep the OVS daemons up for the whole OVS part (the floor needs them; nslab starts and stops
 * them per lab otherwise): a one-host nslab lab, taken down at the end (nslab stops the daemons
 * again if it started them). Never touches the daemons directly. */
async function ovsKeeper() {
  const p = uniquePrefix("k");
  const lab = `bench-keep-${p.slice(0, -1)}`;
  await must([...NSLAB, "-q", "up", "--topo", "single,1", "--switch", "ovs", "--name", lab, "--prefix", p]);
  const { onCleanup } = await import("./lib.mjs");
  const off = onCleanup(() => run([...NSLAB, "-q", "down", lab]));
  return {
    async release() {
      off();
      await run([...NSLAB, "-q", "down", lab]);
    },
  };
}

/** Time `nslab up` and `nslab down` of one generated lab; verify it works in between. */
async function nslabRun(spec, sw) {
  const p = uniquePrefix("n");
  const lab = `bench-${p.slice(0, -1)}`;
  const gen = generateTopology(spec, { switch: sw });
  return guarded(
    () => run([...NSLAB, "-q", "down", lab]),
    async () => {
      const up = await run([
        ...NSLAB,
        "-q",
        "up",
        "--topo",
        spec,
        "--switch",
        sw,
        "--name",
        lab,
        "--prefix",
        p,
      ]);
      if (up.code !== 0) throw new Error(`nslab up ${spec}: ${up.stderr.trim()}`);
      await verifyPing(floorModel(gen, p), { ovs: sw === "ovs", who: `nslab (lab ${lab})` });
      const down = await run([...NSLAB, "-q", "down", lab]);
      if (down.code !== 0) throw new Error(`nslab down ${lab}: ${down.stderr.trim()}`);
      leakCheck(floorModel(gen, p), sw === "ovs");
      return { up: up.ms, down: down.ms };
    },
  );
}

async function floorRun(spec, sw, config) {
  const p = uniquePrefix(config === "agent" ? "f" : "e");
  const m = floorModel(generateTopology(spec, { switch: sw }), p);
  const ovs = sw === "ovs";
  return guarded(
    () => floorCleanup(m, { ovs }),
    async () => {
      const up = await floorUp(m, { ovs, config });
      await verifyPing(m, { ovs, who: `the ${config === "agent" ? "floor" : "nsenter floor"}` });
      const down = await floorDown(m, { ovs });
      leakCheck(m, ovs);
      return { up, down };
    },
  );
}

/**
 * The lab really works (outside the timed part): the first host reaches the last one. Over the OVS
 * userspace datapath a long chain of bridges (linear,1000: 1,000 bridges, 3,000 ports polled by
 * ovs-vswitchd) does not resolve ARP end to end within its timeouts; there the first host must
 * reach its neighbour on the next switch instead.
 */
async function verifyPing(m, { ovs = false, who = "" } = {}) {
  const first = m.hosts[0];
  const far =
    ovs && m.switches.length > 100
      ? (m.hosts.find((h) => !h.name.endsWith("s1") && h.name !== "h1") ?? m.hosts[1])
      : m.hosts[m.hosts.length - 1];
  const target = far.cidr.split("/")[0];
  const waitMs = ovs ? 60_000 : 15_000;
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const r = await run(["ip", "netns", "exec", first.ns, "ping", "-c", "1", "-W", "2", "-n", target]);
    if (r.code === 0) return `${first.name} -> ${far.name}`;
  }
  throw new Error(
    `${m.hosts.length} hosts built by ${who || "?"} do not work: ${first.ns} cannot ping ${target} (${far.name}) within ${waitMs / 1000} s`,
  );
}

/** Nothing of the lab is left: namespaces, root links, OVS bridges. */
function leakCheck(m, ovs) {
  const ns = new Set(listNetns());
  const links = new Set(rootLinks());
  const leftNs = m.hosts.filter((h) => ns.has(h.ns)).map((h) => h.ns);
  const leftLinks = floorRootNames(m).filter((n) => links.has(n));
  let leftBr = [];
  if (ovs) {
    const br = spawnSync("ovs-vsctl", ["--timeout=10", "list-br"], { encoding: "utf8" }).stdout.split("\n");
    leftBr = m.switches.map((s) => s.dev).filter((d) => br.includes(d));
  }
  if (leftNs.length || leftLinks.length || leftBr.length)
    throw new Error(`leak: ${[...leftNs, ...leftLinks, ...leftBr].slice(0, 5).join(", ")}`);
}

async function scenario(spec, sw) {
  const n = generateTopology(spec, { switch: sw });
  const hosts = Object.values(n.nodes).filter((x) => "interfaces" in x).length;
  const row = { spec, switch: sw, hosts, runs: { nslab: [], floor: [], nsenter: [], mininet: [] } };
  const mnWanted = args.mininet && sw === "bridge" && mininetEstimateS(spec) <= args.mininetMaxS;
  const mnOk = mnWanted && (await mininetAvailable());
  if (mnWanted && !mnOk) row.mininetSkipped = "mininet is not installed and could not be installed";
  else if (args.mininet && sw === "bridge" && !mnWanted)
    row.mininetSkipped = `estimated over ${args.mininetMaxS} s per run (--mininet-max-s)`;
  for (let r = 0; r < args.runs && !isInterrupted(); r++) {
    const order =
      r % 2 === 0 ? ["floor", "nslab", "nsenter", "mininet"] : ["nslab", "floor", "mininet", "nsenter"];
    for (const method of order) {
      if (isInterrupted()) break;
      if (method === "nsenter" && (!args.nsenter || (sw === "ovs" && hosts > 100))) continue;
      if (method === "mininet" && !mnOk) continue;
      await settle();
      const res =
        method === "nslab"
          ? await nslabRun(spec, sw)
          : method === "floor"
            ? await floorRun(spec, sw, "agent")
            : method === "nsenter"
              ? await floorRun(spec, sw, "nsenter")
              : await mininetRun(spec, "bridge");
      row.runs[method].push(res);
      log(`${spec} ${sw} ${method}: up ${fmt(res.up)} down ${fmt(res.down)}`);
    }
  }
  const med = (method, k) => median(row.runs[method].map((x) => x[k]));
  row.median = {};
  for (const method of Object.keys(row.runs))
    if (row.runs[method].length) row.median[method] = { up: med(method, "up"), down: med(method, "down") };
  return row;
}

/** Rough Mininet time for one run, from the issue's measurements (linear grows quadratically). */
function mininetEstimateS(spec) {
  const [topo, k] = spec.split(",");
  const n = Number(k);
  if (topo === "single") return n * 0.05;
  if (topo === "linear") return 146 * (n / 500) ** 2;
  return n * 0.1;
}

async function pingScenario(spec, sw) {
  const { onCleanup } = await import("./lib.mjs");
  const out = { spec, switch: sw, nslab: [], mininet: [] };
  const p = uniquePrefix("n");
  const lab = `bench-${p.slice(0, -1)}`;
  const off = onCleanup(() => run([...NSLAB, "-q", "down", lab]));
  try {
    await must([...NSLAB, "-q", "up", "--topo", spec, "--switch", sw, "--name", lab, "--prefix", p]);
    await verifyPing(floorModel(generateTopology(spec, { switch: sw }), p), {
      ovs: sw === "ovs",
      who: `nslab (lab ${lab})`,
    });
    for (let r = 0; r < args.runs; r++) {
      const res = await run([...NSLAB, "ping", lab, "--json"]);
      const j = JSON.parse(res.stdout || "{}");
      out.nslab.push({ ms: res.ms, pairs: j.results?.length, lost: j.lost, exit: res.code });
      log(`ping ${spec} ${sw} nslab: ${fmt(res.ms)} (${j.results?.length} pairs, ${j.lost} lost)`);
    }
  } finally {
    await run([...NSLAB, "-q", "down", lab]);
    off();
  }
  // Mininet's pingAll over OVS userspace takes ~90 s: once is enough there.
  const mnRuns = sw === "ovs" ? 1 : args.runs;
  if (args.mininet && (await mininetAvailable()))
    for (let r = 0; r < mnRuns; r++) {
      const res = await mininetRun(spec, sw, { pingall: true });
      out.mininet.push({ ms: res.pingallMs, lossPct: res.pingallLossPct });
      log(`ping ${spec} ${sw} mininet pingAll: ${fmt(res.pingallMs)} (${res.pingallLossPct}% lost)`);
    }
  out.median = {
    nslab: median(out.nslab.map((x) => x.ms)),
    mininet: out.mininet.length ? median(out.mininet.map((x) => x.ms)) : null,
  };
  return out;
}

/** The 10,000-host run: up, ping across the farthest pair, down; times and peak RSS of nslab. */
async function hugeScenario(spec) {
  // 4 bytes: `P` + `s100-eth102` must fit in 15.
  const p = uniquePrefix("n", 2);
  const lab = `bench-${p.slice(0, -1)}`;
  const timed = async (argv) => {
    const r = await run(["/usr/bin/time", "-f", "MAXRSS_KB=%M", ...NSLAB, ...argv]);
    const m = r.stderr.match(/MAXRSS_KB=(\d+)/);
    return { ...r, rssMB: m ? Number(m[1]) / 1024 : null };
  };
  const out = { spec, switch: "bridge" };
  await guarded(
    () => run([...NSLAB, "-q", "down", lab]),
    async () => {
      const up = await timed(["-q", "up", "--topo", spec, "--name", lab, "--prefix", p]);
      if (up.code !== 0) throw new Error(`up: ${up.stderr}`);
      out.up = { ms: up.ms, rssMB: up.rssMB };
      log(`huge ${spec}: up ${fmt(up.ms)}, nslab RSS ${up.rssMB?.toFixed(0)} MB`);
      const ping = await timed(["ping", lab, "--farthest", "--json"]);
      const j = JSON.parse(ping.stdout || "{}");
      out.ping = {
        ms: ping.ms,
        rssMB: ping.rssMB,
        results: j.results?.map((r) => ({ from: r.pair.from, to: r.pair.to, ok: r.ok, rttMs: r.rttMs })),
      };
      log(`huge ${spec}: farthest-pair ping ${fmt(ping.ms)} ${JSON.stringify(out.ping.results)}`);
      // Both forms, as a person types them: the table (what most people read) and --json.
      const table = await timed(["status", lab]);
      out.statusTable = {
        ms: table.ms,
        rssMB: table.rssMB,
        code: table.code,
        lines: table.stdout.split("\n").length,
      };
      log(
        `huge ${spec}: status ${fmt(table.ms)} (${out.statusTable.lines} lines) RSS ${table.rssMB?.toFixed(0)} MB`,
      );
      const st = await timed(["status", lab, "--json"]);
      out.status = { ms: st.ms, rssMB: st.rssMB, healthy: JSON.parse(st.stdout || "{}").healthy };
      log(
        `huge ${spec}: status --json ${fmt(st.ms)} healthy=${out.status.healthy} RSS ${st.rssMB?.toFixed(0)} MB`,
      );
      // `up` again, as a pipeline re-running its set-up does: nothing to do, but it must look.
      const again = await timed(["-q", "up", "--topo", spec, "--name", lab, "--prefix", p]);
      if (again.code !== 0) throw new Error(`up again: ${again.stderr}`);
      out.upAgain = { ms: again.ms, rssMB: again.rssMB };
      log(`huge ${spec}: up again (nothing to do) ${fmt(again.ms)}, nslab RSS ${again.rssMB?.toFixed(0)} MB`);
      // A link fault and its repair on one host: `link … up` restores what the kernel dropped.
      // The first host's first interface (h1s1:h1s1-eth0 in linear,100,100).
      const [host, node] = Object.entries(generateTopology(spec, { switch: "bridge" }).nodes).find(
        ([, n]) => "interfaces" in n,
      );
      const end = `${host}:${Object.keys(node.interfaces)[0]}`;
      const linkDown = await timed(["-q", "link", lab, end, "down"]);
      const linkUp = await timed(["-q", "link", lab, end, "up"]);
      if (linkDown.code !== 0 || linkUp.code !== 0)
        throw new Error(`link: ${linkDown.stderr}${linkUp.stderr}`);
      out.link = { downMs: linkDown.ms, upMs: linkUp.ms };
      log(`huge ${spec}: link ${end} down ${fmt(linkDown.ms)}, up ${fmt(linkUp.ms)}`);
      // The same kernel reading done the raw way (bench/floor.mjs), for the ratio.
      const readers = Math.min(2, availableParallelism());
      const floor = await floorRead(
        listNetns().filter((n) => n.startsWith(p)),
        readers,
      );
      out.statusFloor = { ms: floor.ms, readers };
      log(
        `huge ${spec}: status floor (${readers} raw readers) ${fmt(floor.ms)}: status ×${(table.ms / floor.ms).toFixed(2)}, --json ×${(st.ms / floor.ms).toFixed(2)}`,
      );
      if (args.web) out.web = await hugeWeb(lab);
      const down = await timed(["-q", "down", lab]);
      out.down = { ms: down.ms, rssMB: down.rssMB, code: down.code };
      log(`huge ${spec}: down ${fmt(down.ms)}, nslab RSS ${down.rssMB?.toFixed(0)} MB`);
      const left = await waitGone(
        rootLinks().filter((l) => l.startsWith(p)),
        1000,
      );
      out.leftover = left.length + listNetns().filter((n) => n.startsWith(p)).length;
    },
  );
  results.huge = out;
}

/** The web view of the big lab as a person opens it (bench/web-big.mjs): one run, or why none. */
async function hugeWeb(lab) {
  const { webOnce, webUnavailable } = await import("./web-big.mjs");
  const why = await webUnavailable();
  if (why) {
    log(`huge: web view not measured: ${why}`);
    return { skipped: why };
  }
  const w = await webOnce(CLI, lab);
  const web = {
    urlMs: w.urlMs,
    paintedMs: w.painted,
    liveMs: w.live,
    observationsMs: w.observations,
    observationMedianMs: median(w.observations),
    serverRssMB: w.serverRssMB,
  };
  log(
    `huge: web view on the screen ${fmt(web.paintedMs)}, live ${fmt(web.liveMs)}, observations ${w.observations.join(", ")} ms`,
  );
  return web;
}

function fmt(ms) {
  return ms === undefined || Number.isNaN(ms)
    ? "-"
    : ms >= 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms)} ms`;
}

function writeResults() {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
  results.file = file;
}

async function printTable() {
  const rows = [];
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : "-");
  rows.push([
    "scenario",
    "hosts",
    "floor up",
    "nslab up",
    "nslab/floor",
    "floor down",
    "nslab down",
    "nslab/floor",
    "nsenter up",
    "mininet up",
    "mn/nslab",
    "mininet down",
    "mn/nslab",
  ]);
  for (const s of results.scenarios) {
    const m = s.median;
    rows.push([
      `${s.spec} ${s.switch}`,
      String(s.hosts),
      fmt(m.floor?.up),
      fmt(m.nslab?.up),
      ratio(m.nslab?.up, m.floor?.up),
      fmt(m.floor?.down),
      fmt(m.nslab?.down),
      ratio(m.nslab?.down, m.floor?.down),
      fmt(m.nsenter?.up),
      fmt(m.mininet?.up),
      ratio(m.mininet?.up, m.nslab?.up),
      fmt(m.mininet?.down),
      ratio(m.mininet?.down, m.nslab?.down),
    ]);
  }
  if (rows.length > 1) {
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    process.stdout.write(`\nmedians of ${args.runs} runs (wall time; nslab = the CLI process, end to end)\n`);
    for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(w[i])).join("  ")}\n`);
  }
  for (const p of results.ping)
    process.stdout.write(
      `all-pairs ping ${p.spec} ${p.switch}: nslab ${fmt(p.median.nslab)} (${p.nslab[0]?.pairs} pairs), Mininet pingAll ${fmt(p.median.mininet ?? undefined)}${p.median.mininet ? ` → ${(p.median.mininet / p.median.nslab).toFixed(1)}× faster` : ""}\n`,
    );
  if (results.seed) {
    const { seedTable } = await import("./seed.mjs");
    process.stdout.write(`\n${seedTable(results.seed)}\n`);
  }
  if (results.cli) {
    const { cliTable } = await import("./cli.mjs");
    process.stdout.write(`\n${cliTable(results.cli)}\n`);
  }
  if (results.huge) process.stdout.write(`\n${hugeTable(results.huge)}\n`);
  if (results.file) process.stdout.write(`results: ${results.file}\n`);
}

/** The 10,000-host run as a table, with the issue's goals beside the rows that have one. */
function hugeTable(h) {
  const ms = (x) => (x?.ms === undefined ? undefined : x.ms);
  const times = (x) => (x === undefined ? "" : ` (×${x})`);
  const floor = h.statusFloor?.ms;
  const ratio = (x) => (x !== undefined && floor ? (x / floor).toFixed(2) : undefined);
  const web = h.web && !h.web.skipped ? h.web : undefined;
  const rss = Math.max(
    ...[h.up, h.ping, h.statusTable, h.status, h.upAgain, h.down].map((x) => x?.rssMB ?? 0),
  );
  const rows = [
    ["`up`", fmt(ms(h.up)), ""],
    ["farthest-pair `ping`", fmt(ms(h.ping)), ""],
    [
      `\`status\` (the table; ×floor)`,
      `${fmt(ms(h.statusTable))}${times(ratio(ms(h.statusTable)))}`,
      "0.5 s",
    ],
    ["`status --json` (×floor)", `${fmt(ms(h.status))}${times(ratio(ms(h.status)))}`, "0.5 s"],
    [`the floor of \`status\` (${h.statusFloor?.readers ?? "-"} raw readers)`, fmt(floor), ""],
    ["`up` again (nothing to do)", fmt(ms(h.upAgain)), ""],
    ["`link … down` / `up`", `${fmt(h.link?.downMs)} / ${fmt(h.link?.upMs)}`, ""],
    ...(web
      ? [
          [
            "web view: address printed / graph on the screen",
            `${fmt(web.urlMs)} / ${fmt(web.paintedMs)}`,
            "3 s",
          ],
          ["web view: first observation shown (live)", fmt(web.liveMs), ""],
          [
            `web view: an observation (median of ${web.observationsMs.length})`,
            fmt(web.observationMedianMs),
            "1 s",
          ],
        ]
      : [["web view", h.web?.skipped ? `not measured: ${h.web.skipped}` : "not measured (--no-web)", ""]]),
    ["`down`", fmt(ms(h.down)), ""],
    ["nslab's peak RSS", `${rss.toFixed(0)} MB`, ""],
    ["left over", String(h.leftover ?? "-"), "0"],
  ];
  return [
    `${h.spec} (${h.switch === "bridge" ? "Linux bridges" : h.switch}), one run, as typed`,
    "| what | time | goal |",
    "| --- | --: | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
