// `npm run bench -- --seed [--runs N]` (and part of `--all`): the walkthrough's three experiments (examples/seed/*.yaml),
// `nslab up FILE` and `nslab down LAB` as a person types them, against the walkthrough's own commands
// (../shared/seed/veth-experiments.md, without the ping) typed as one `ip -batch` script — for the
// Open vSwitch one, `ip -batch`, one `ovs-vsctl` call with the bridge and its two ports (with the
// userspace datapath where the host has no openvswitch module, as nslab chooses), `ip -batch` again.
// Down: `ip -batch` deleting the namespaces (and the bridge), `ovs-vsctl del-br`. Names get a unique
// prefix on both sides (a person's ns1/ns2 are never touched), runs are interleaved, each lab is
// checked with a ping outside the timed part, and everything is removed on errors and on Ctrl-C.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  cleanupAll,
  guarded,
  holdOvs,
  median,
  must,
  NSLAB,
  onCleanup,
  ROOT,
  run,
  uniquePrefix,
} from "./lib.mjs";

const which = ["direct", "bridge", "ovs"];
const userspace = !existsSync("/sys/module/openvswitch");

/** The walkthrough's commands for `seed`, names prefixed with `p`: [batch before OVS, ovs-vsctl argv, batch after]. */
function walkthrough(seed, p) {
  const ns = (n) => `${p}${n}`;
  const addrs = [
    `netns exec ${ns("ns1")} ip addr add 10.1.1.2/24 dev veth0`,
    `netns exec ${ns("ns1")} ip link set veth0 up`,
    `netns exec ${ns("ns2")} ip addr add 10.1.1.3/24 dev veth1`,
    `netns exec ${ns("ns2")} ip link set veth1 up`,
  ];
  const nss = [`netns add ${ns("ns1")}`, `netns add ${ns("ns2")}`];
  if (seed === "direct")
    return {
      up: [
        [
          ...nss,
          `link add ${p}veth0 type veth peer name ${p}veth1`,
          // the walkthrough's names in the namespaces: prefixed only while the root holds them
          `link set ${p}veth0 netns ${ns("ns1")} name veth0`,
          `link set ${p}veth1 netns ${ns("ns2")} name veth1`,
          ...addrs,
        ],
      ],
      down: [[`netns del ${ns("ns1")}`, `netns del ${ns("ns2")}`]],
    };
  const sw = seed === "bridge" ? `${p}br0` : `${p}ovs-br`;
  const port = (i) => (seed === "bridge" ? `${p}br-veth${i}` : `${p}ovs-veth${i}`);
  const pairs = [
    `link add ${p}veth0 type veth peer name ${port(0)}`,
    `link add ${p}veth1 type veth peer name ${port(1)}`,
    `link set ${p}veth0 netns ${ns("ns1")} name veth0`,
    `link set ${p}veth1 netns ${ns("ns2")} name veth1`,
  ];
  if (seed === "bridge")
    return {
      up: [
        [
          ...nss,
          `link add ${sw} type bridge`,
          `link set ${sw} up`,
          ...pairs,
          `link set ${port(0)} master ${sw}`,
          `link set ${port(0)} up`,
          `link set ${port(1)} master ${sw}`,
          `link set ${port(1)} up`,
          ...addrs,
        ],
      ],
      down: [[`netns del ${ns("ns1")}`, `netns del ${ns("ns2")}`, `link del ${sw}`]],
    };
  return {
    up: [
      [...nss, ...pairs],
      [
        "ovs-vsctl",
        "add-br",
        sw,
        ...(userspace ? ["--", "set", "bridge", sw, "datapath_type=netdev"] : []),
        "--",
        "add-port",
        sw,
        port(0),
        "--",
        "add-port",
        sw,
        port(1),
      ],
      [`link set ${port(0)} up`, `link set ${port(1)} up`, ...addrs],
    ],
    down: [
      ["ovs-vsctl", "del-br", sw],
      [`netns del ${ns("ns1")}`, `netns del ${ns("ns2")}`],
    ],
  };
}

/** Run a list of steps (an array of ip batch lines, or an argv whose first word is a program); total ms. */
async function steps(list, dir) {
  let ms = 0;
  for (const s of list) {
    if (s[0] === "ovs-vsctl") {
      ms += (await must(s)).ms;
      continue;
    }
    const f = join(dir, "batch");
    writeFileSync(f, `${s.join("\n")}\n`);
    ms += (await must(["ip", "-batch", f])).ms;
  }
  return ms;
}

/** Every step of a teardown, whatever fails (a step whose objects were never made fails). */
async function cleanup(list, dir) {
  for (const s of list) await steps([s], dir).catch(() => {});
}

/** The lab works: ns1 reaches ns2 (a few tries: ovs-vswitchd adds ports a moment after ovs-vsctl returns). */
async function ping(seed, p) {
  for (let i = 0; ; i++) {
    const r = await run(["ip", "netns", "exec", `${p}ns1`, "ping", "-c", "1", "-W", "1", "10.1.1.3"]);
    if (r.code === 0) return;
    if (i === 9) throw new Error(`seed ${seed} (${p}): ns1 does not reach 10.1.1.3: ${r.stdout}${r.stderr}`);
  }
}

/**
 * `runs` interleaved rounds of the three seeds, each side's up and down: per seed the medians (ms)
 * and their ratios, with `node -e 0`'s median and the load. Leaves nothing behind.
 */
export async function measureSeed(runs = 5) {
  const dir = mkdtempSync(join(tmpdir(), "nslab-bench-seed-"));
  const times = {};
  // Open vSwitch kept running for the whole bench (as a person's machine would have it): neither side
  // is billed for starting its daemons.
  const releaseOvs = await holdOvs();
  const off = onCleanup(releaseOvs);
  try {
    for (const seed of which) times[seed] = { ipUp: [], ipDown: [], nslabUp: [], nslabDown: [] };
    for (let r = 0; r < runs; r++)
      for (const seed of which) {
        const file = join(ROOT, "examples", "seed", `${seed}.yaml`);
        // ip -batch
        const p = uniquePrefix("q");
        const w = walkthrough(seed, p);
        await guarded(
          () => cleanup(w.down, dir),
          async () => {
            times[seed].ipUp.push(await steps(w.up, dir));
            await ping(seed, p);
            times[seed].ipDown.push(await steps(w.down, dir));
          },
        );
        // nslab
        const q = uniquePrefix("s");
        const lab = `bench-seed-${q.slice(0, -1)}`;
        await guarded(
          () => run([...NSLAB, "down", lab, "-q"]),
          async () => {
            times[seed].nslabUp.push(
              (await must([...NSLAB, "up", file, "--name", lab, "--prefix", q, "-q"])).ms,
            );
            await ping(seed, q);
            times[seed].nslabDown.push((await must([...NSLAB, "down", lab, "-q"])).ms);
          },
        );
      }
    const node = [];
    for (let r = 0; r < runs; r++) node.push((await must(["node", "-e", "0"])).ms);
    const seeds = which.map((seed) => {
      const x = times[seed];
      const [ipUp, nslabUp, ipDown, nslabDown] = [x.ipUp, x.nslabUp, x.ipDown, x.nslabDown].map(median);
      return {
        seed,
        ipUp,
        nslabUp,
        upRatio: nslabUp / ipUp,
        ipDown,
        nslabDown,
        downRatio: nslabDown / ipDown,
      };
    });
    return { runs, nodeMs: median(node), load: loadavg()[0], seeds, times };
  } finally {
    off();
    await releaseOvs();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The medians as a Markdown table under a line saying how they were measured. */
export function seedTable(result) {
  const f = (ms) => `${ms.toFixed(0)} ms`;
  return [
    `seed labs, medians of ${result.runs} (node -e 0: ${f(result.nodeMs)}; load ${result.load.toFixed(2)}; goal: up within 1.5× of ip -batch)`,
    "| seed   | ip -batch up | nslab up | ratio | ip -batch down | nslab down | ratio |",
    "| ------ | -----------: | -------: | ----: | -------------: | ---------: | ----: |",
    ...result.seeds.map(
      (x) =>
        `| ${x.seed.padEnd(6)} | ${f(x.ipUp).padStart(12)} | ${f(x.nslabUp).padStart(8)} | ${x.upRatio.toFixed(2).padStart(5)} | ${f(x.ipDown).padStart(14)} | ${f(x.nslabDown).padStart(10)} | ${x.downRatio.toFixed(2).padStart(5)} |`,
    ),
  ].join("\n");
}

/** `--seed`: measure and print. */
export async function main(argv = process.argv.slice(2)) {
  const at = argv.indexOf("--runs");
  try {
    console.log(seedTable(await measureSeed(at >= 0 ? Number(argv[at + 1]) || 5 : 5)));
  } finally {
    await cleanupAll();
  }
}
