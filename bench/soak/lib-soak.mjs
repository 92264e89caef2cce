// The library soak, in ONE process: `Lab.up` / `lab.down()` of the three seed labs in turn (unique
// name and prefix), N cycles, sampling this process's own fds, active handles, RSS and heap (after a
// GC: run with --expose-gc). Prints one JSON object on stdout; run by bench/soak.mjs.
//   node --expose-gc bench/soak/lib-soak.mjs --cycles N --prefix P --tag T
import { join } from "node:path";
import { ROOT } from "../lib.mjs";
import { fdTargets, leftovers, selfSample } from "./metrics.mjs";

const { Lab, loadTopology } = await import(join(ROOT, "dist", "index.js"));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const cycles = Number(opt("cycles", "1000"));
const prefix = opt("prefix");
const tag = opt("tag");
const every = Math.max(1, Math.floor(cycles / 100));
if (!prefix || !tag) throw new Error("usage: lib-soak.mjs --cycles N --prefix P --tag T");

const seeds = ["direct", "bridge", "ovs"];
const topologies = [];
for (const seed of seeds)
  topologies.push(
    await loadTopology(join(ROOT, "examples", "seed", `${seed}.yaml`), {
      name: `soak-${tag}-lib-${seed}`,
      prefix,
    }),
  );

const times = [];
const samples = [{ cycle: 0, ...selfSample() }];
const fdsAtStart = fdTargets();
const failures = [];
for (let i = 1; i <= cycles; i++) {
  const topology = topologies[(i - 1) % topologies.length];
  const t0 = performance.now();
  try {
    const lab = await Lab.up(topology);
    await lab.down();
  } catch (e) {
    failures.push({ cycle: i, lab: topology.name, error: String(e?.message ?? e).slice(0, 2000) });
    try {
      await (await import(join(ROOT, "dist", "index.js"))).down(topology.name);
    } catch {}
    if (failures.length >= 10) break;
  }
  times.push(performance.now() - t0);
  if (i % every === 0 || i === cycles) {
    samples.push({ cycle: i, ...selfSample() });
    const left = leftovers(
      [prefix],
      topologies.map((t) => t.name),
    );
    if (left.length > 0) failures.push({ cycle: i, lab: "*", error: `left behind: ${left.join(", ")}` });
  }
}
const fdsAtEnd = fdTargets();
const grown = fdsAtEnd.filter(
  (t, _i, all) => all.filter((x) => x === t).length > fdsAtStart.filter((x) => x === t).length,
);
process.stdout.write(
  `${JSON.stringify({ cycles, times, samples, failures, fdsAtStart: fdsAtStart.length, fdsAtEnd: fdsAtEnd.length, grownFdKinds: [...new Set(grown)] })}\n`,
);
