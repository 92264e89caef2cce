#!/usr/bin/env node
// The SDN bench (`npm run bench -- --sdn`; as root, outside CI): Mininet against nslab on the same
// generated topologies with Open vSwitch switches speaking OpenFlow13 to a remote controller — both
// as a person types them:
//   nslab up --topo T --switch ovs,protocols=OpenFlow13 --controller remote,port=P …; nslab down LAB
//   mn --topo T --switch ovs,protocols=OpenFlow13 --controller remote,port=P (its build+start, stop)
// Mininet runs through its Python API (bench/mininet_api.py), which builds exactly what that `mn`
// line builds, because `mn` itself raises host-wide sysctls (Mininet.init → fixLimits) and the bench
// must not change the host; it never runs `mn -c` or any cleanup by name. The controller is Debian's
// ovs-testcontroller on 127.0.0.1:P, started by the bench and stopped by its pid; up is timed to
// the command's return (neither waits for the switches to connect). Open vSwitch runs for the whole
// bench, as Mininet requires (it never starts the daemons): a one-switch nslab lab holds it (nslab
// starts the daemons if none run, and its `down` at the end stops what it started). Before each run
// ovs-vswitchd has finished all earlier work (neither tool is billed for the other's leftovers).
// Runs interleave the two tools; medians. Results: bench/results/sdn-*.json.
//
//   --topos linear,100[,single,100…]   (default linear,100)
//   --runs R                             (default 3)
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import {
  cleanupAll,
  guarded,
  holdOvs,
  listNetns,
  median,
  NSLAB,
  ROOT,
  rootLinks,
  run,
  settle,
  uniquePrefix,
  waitGone,
} from "./lib.mjs";
import { mininetAvailable, mininetRun } from "./mininet.mjs";

const args = { topos: ["linear,100"], runs: 3 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--runs") args.runs = Number(process.argv[++i]);
  else if (a === "--topos") {
    const parts = process.argv[++i].split(",");
    args.topos = [];
    for (let k = 0; k + 1 < parts.length; k += 2) args.topos.push(`${parts[k]},${parts[k + 1]}`);
  } else if (a !== "--sdn") throw new Error(`sdn bench: unknown option ${a}`);
}
if (process.getuid?.() !== 0) {
  process.stderr.write("sdn bench: must run as root\n");
  process.exit(1);
}

const fmt = (ms) =>
  ms === undefined ? "-" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

/** ovs-testcontroller on a free port of 127.0.0.1, ended by its pid (returns the port and a stop). */
async function startController() {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const child = spawn("ovs-testcontroller", [`ptcp:${port}:127.0.0.1`], { stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    // A port taken by someone else: it exits at once.
    const early = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 500)),
    ]);
    if (early) continue;
    return {
      port,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid, "SIGTERM");
          await exited;
        }
      },
    };
  }
  throw new Error("sdn bench: ovs-testcontroller would not listen on any port tried");
}

/** Until ovs-vswitchd has applied every change committed so far (cur_cfg reaches next_cfg). */
async function vswitchdIdle() {
  const next = await run(["ovs-vsctl", "--timeout=10", "get", "Open_vSwitch", ".", "next_cfg"]);
  if (next.code !== 0) throw new Error(`sdn bench: ovs-vsctl: ${next.stderr.trim()}`);
  const wait = ["wait-until", "Open_vSwitch", ".", `cur_cfg>=${next.stdout.trim()}`];
  const r = await run(["ovs-vsctl", "--timeout=300", ...wait]);
  if (r.code !== 0) throw new Error(`sdn bench: ovs-vswitchd did not catch up: ${r.stderr.trim()}`);
}

/** nslab up and down as typed; the lab must be gone after. */
async function nslabRun(spec, port) {
  const p = uniquePrefix("n");
  const lab = `bench-${p.slice(0, -1)}`;
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
        "ovs,protocols=OpenFlow13",
        "--controller",
        `remote,port=${port}`,
        "--name",
        lab,
        "--prefix",
        p,
      ]);
      if (up.code !== 0) throw new Error(`nslab up ${spec}: ${up.stderr.trim()}`);
      const down = await run([...NSLAB, "-q", "down", lab]);
      if (down.code !== 0) throw new Error(`nslab down ${lab}: ${down.stderr.trim()}`);
      const left = (
        await waitGone(
          rootLinks().filter((l) => l.startsWith(p)),
          10_000,
        )
      ).length;
      if (left || listNetns().some((n) => n.startsWith(p)))
        throw new Error(`nslab ${spec}: left objects of ${p}`);
      return { up: up.ms, down: down.ms };
    },
  );
}

const results = { startedAt: new Date().toISOString(), args, load: loadavg()[0], rows: [] };
const controller = await startController();
const releaseOvs = await holdOvs();
try {
  if (!(await mininetAvailable()))
    throw new Error("sdn bench: Mininet is not installed and could not be installed");
  for (const spec of args.topos) {
    const row = { spec, controller: "ovs-testcontroller (remote)", runs: { nslab: [], mininet: [] } };
    for (let r = 0; r < args.runs; r++) {
      for (const tool of r % 2 === 0 ? ["nslab", "mininet"] : ["mininet", "nslab"]) {
        await vswitchdIdle();
        await settle();
        const res =
          tool === "nslab"
            ? await nslabRun(spec, controller.port)
            : await mininetRun(spec, `ovs-remote:${controller.port}`);
        row.runs[tool].push({ up: res.up, down: res.down });
        process.stderr.write(`${spec} ovs+controller ${tool}: up ${fmt(res.up)} down ${fmt(res.down)}\n`);
      }
    }
    row.median = {};
    for (const tool of ["nslab", "mininet"])
      row.median[tool] = {
        up: median(row.runs[tool].map((x) => x.up)),
        down: median(row.runs[tool].map((x) => x.down)),
      };
    results.rows.push(row);
  }
} finally {
  await controller.stop();
  await releaseOvs();
  await cleanupAll();
}

const dir = join(ROOT, "bench", "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `sdn-${results.startedAt.replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
process.stdout.write(
  `\nmedians of ${args.runs} runs (wall time, as typed; OVS + OpenFlow13 + remote ovs-testcontroller; load ${results.load.toFixed(1)} at start)\n`,
);
for (const r of results.rows) {
  const m = r.median;
  process.stdout.write(
    `${r.spec}: nslab up ${fmt(m.nslab.up)} down ${fmt(m.nslab.down)} | Mininet up ${fmt(m.mininet.up)} down ${fmt(m.mininet.down)} | Mininet/nslab up ${(m.mininet.up / m.nslab.up).toFixed(1)}× down ${(m.mininet.down / m.nslab.down).toFixed(1)}×\n`,
  );
}
process.stdout.write(`results: ${file}\n`);
