#!/usr/bin/env node
// Labs across machines: `npm run bench -- --multihost [--topo linear,300] [--runs 3]` (as root).
// Times, as a user types them, `nslab up`, `nslab ping --farthest` and `nslab down` of one generated
// lab (a) spread over three simulated machines (test/support/machines.ts: network + mount namespaces
// with their own sshd on an underlay bridge, the CLI in a controller namespace, `--hosts … --placement
// block`), and (b) on one simulated machine (the CLI run on that machine itself), interleaved run by
// run so other load hits both alike. Every lab is checked to leave nothing behind on any machine.
// The simulated machines share one kernel and its CPUs: this measures nslab's cost of spreading a
// lab (ssh, the transaction, VXLAN), not a speed-up from more machines. Results: bench/results/.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { register } from "tsx/esm/api";

register();
const ROOT = join(import.meta.dirname, "..");
const { startMachines, MACHINE_NSLAB } = await import(join(ROOT, "test", "support", "machines.ts"));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const topo = arg("--topo", "linear,300");
const runs = Number(arg("--runs", "3"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const timed = (fn) => {
  const t = performance.now();
  const r = fn();
  const ms = performance.now() - t;
  if (r.code !== 0) throw new Error(`failed (${r.code}): ${r.stderr}${r.stdout}`);
  return { ms, r };
};

const m = startMachines(3);
const stop = () => {
  m.cleanup();
  process.exit(130);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
const rows = { spread: { up: [], ping: [], down: [] }, one: { up: [], ping: [], down: [] } };
const loads = [];
try {
  const [m1, m2, m3] = m.machines;
  const hosts = `a=root@${m1.ip},b=root@${m2.ip},c=root@${m3.ip}`;
  // The CLI run on machine m1 itself, as a user logged in there types it.
  const onM1 = (args) => m.on("m1", [...MACHINE_NSLAB.split(" "), ...args], 600_000);
  for (let i = 0; i < runs; i++) {
    loads.push(loadavg()[0]);
    const tag = `${m.tag.slice(1)}${i}`;
    // (a) spread over three machines
    const spread = `mhb${tag}s`;
    const up = timed(() =>
      m.nslab(
        [
          "up",
          "--topo",
          topo,
          "--hosts",
          hosts,
          "--placement",
          "block",
          "--ssh-config",
          m.sshConfig,
          "--nslab-command",
          MACHINE_NSLAB,
          "--name",
          spread,
          "--prefix",
          `s${tag}`.slice(0, 5),
        ],
        { timeoutMs: 600_000 },
      ),
    );
    rows.spread.up.push(up.ms);
    const ping = timed(() => m.nslab(["ping", spread, "--farthest"], { timeoutMs: 600_000 }));
    rows.spread.ping.push(ping.ms);
    rows.spread.down.push(timed(() => m.nslab(["down", spread], { timeoutMs: 600_000 })).ms);
    for (const x of ["m1", "m2", "m3"]) {
      const left = m.leftovers(x);
      if (left.length > 0) throw new Error(`${x} kept ${left.slice(0, 5).join(", ")}`);
    }
    // (b) the same lab on one machine
    const one = `mhb${tag}o`;
    rows.one.up.push(
      timed(() => onM1(["up", "--topo", topo, "--name", one, "--prefix", `o${tag}`.slice(0, 5)])).ms,
    );
    rows.one.ping.push(timed(() => onM1(["ping", one, "--farthest"])).ms);
    rows.one.down.push(timed(() => onM1(["down", one])).ms);
    const left = m.leftovers("m1");
    if (left.length > 0) throw new Error(`m1 kept ${left.slice(0, 5).join(", ")}`);
    console.error(
      `run ${i + 1}/${runs}: 3 machines up ${(up.ms / 1000).toFixed(2)} s, ping ${Math.round(ping.ms)} ms; 1 machine up ${(rows.one.up[i] / 1000).toFixed(2)} s`,
    );
  }
} finally {
  m.cleanup();
}
const s = (x) => `${(median(x) / 1000).toFixed(2)} s`;
const result = {
  startedAt: new Date().toISOString(),
  topo,
  runs,
  loadavg1: loads,
  medians: Object.fromEntries(
    Object.entries(rows).map(([k, v]) => [
      k,
      Object.fromEntries(Object.entries(v).map(([p, xs]) => [p, median(xs)])),
    ]),
  ),
  rows,
};
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const out = join(ROOT, "bench", "results", `multihost-${result.startedAt.replace(/[:.]/g, "-")}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
console.log(`| ${topo} | up | ping --farthest | down |`);
console.log("| --- | ---: | ---: | ---: |");
console.log(
  `| 3 simulated machines | ${s(rows.spread.up)} | ${s(rows.spread.ping)} | ${s(rows.spread.down)} |`,
);
console.log(`| 1 simulated machine | ${s(rows.one.up)} | ${s(rows.one.ping)} | ${s(rows.one.down)} |`);
console.log(`load average (1 min) at each run: ${loads.map((l) => l.toFixed(1)).join(", ")}; ${out}`);
