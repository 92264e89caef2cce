#!/usr/bin/env node
// The FRR bench (`npm run bench -- --frr` or `node bench/frr-ring.mjs`; as root, outside CI): a ring
// of N routers (default 100) with `routing: ospf`, each with a loopback and a host behind it, brought
// up with the CLI as a person types it — `nslab up ring.yaml`, which returns once OSPF has converged
// — then: time to up and converged (end to end, and the convergence part nslab reports), memory per
// router (PSS of every process in the router's network namespace, from /proc/PID/smaps_rollup), a
// farthest-pair ping, and `nslab down` (which ends the daemons). Results: bench/results/frr-*.json.
//
//   --n N         routers in the ring (default 100)
//   --runs R      runs (default 1)
//   --timeout S   nslab up --wait S (default 120)
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanupAll, guarded, median, must, NSLAB, ROOT, run, settle, uniquePrefix } from "./lib.mjs";

const args = { n: 100, runs: 1, timeout: 120 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--n") args.n = Number(process.argv[++i]);
  else if (a === "--runs") args.runs = Number(process.argv[++i]);
  else if (a === "--timeout") args.timeout = Number(process.argv[++i]);
  else if (a !== "--frr") throw new Error(`frr-ring: unknown option ${a}`);
}
if (process.getuid?.() !== 0) {
  process.stderr.write("frr-ring: must run as root\n");
  process.exit(1);
}

/** The ring as an nslab file: r1 … rN, r_i:eth1 — r_{i+1}:eth0, a host h_i on r_i:eth2. */
function ringYaml(name, n) {
  const lines = [`name: ${name}`, "addressing: { ipv4: 10.128.0.0/14 }", "routing: ospf", "nodes:"];
  for (let i = 1; i <= n; i++) {
    lines.push(`  r${i}: { kind: router, interfaces: { lo: 10.${100 + (i >> 8)}.${i & 255}.1/32 } }`);
    lines.push(`  h${i}: { ipv6: false }`);
  }
  lines.push("links:");
  for (let i = 1; i <= n; i++) {
    lines.push(`  - [r${i}:eth1, r${(i % n) + 1}:eth0]`);
    lines.push(`  - [h${i}:eth0, r${i}:eth2]`);
  }
  return `${lines.join("\n")}\n`;
}

/** The inode of each router's network namespace → its name. */
function routerNamespaces(prefix, n) {
  const out = new Map();
  for (let i = 1; i <= n; i++) out.set(statSync(`/run/netns/${prefix}r${i}`).ino, `r${i}`);
  return out;
}

/** PSS (KiB) per router: every process whose network namespace is the router's. */
function pssPerRouter(namespaces) {
  const per = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const router = namespaces.get(statSync(`/proc/${pid}/ns/net`).ino);
      if (!router) continue;
      const kb = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
      per.set(router, (per.get(router) ?? 0) + kb);
    } catch {
      // gone meanwhile
    }
  }
  return [...per.values()];
}

const results = { startedAt: new Date().toISOString(), args, runs: [] };
const dir = join(tmpdir(), `nslab-frr-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  for (let k = 0; k < args.runs; k++) {
    const prefix = uniquePrefix("f");
    const lab = `frrring${prefix.slice(1, -1)}`;
    const file = join(dir, `${lab}.yaml`);
    writeFileSync(file, ringYaml(lab, args.n));
    await settle();
    await guarded(
      () => run([...NSLAB, "down", lab]),
      async () => {
        const up = await must([
          ...NSLAB,
          "up",
          file,
          "--name",
          lab,
          "--prefix",
          prefix,
          "--wait",
          String(args.timeout),
        ]);
        const converged = /routing converged in ([\d.]+) s/.exec(up.stderr + up.stdout)?.[1];
        const pss = pssPerRouter(routerNamespaces(prefix, args.n));
        const ping = await run([...NSLAB, "ping", lab, "--farthest"]);
        const down = await must([...NSLAB, "down", lab]);
        const r = {
          upMs: up.ms,
          convergedS: converged ? Number(converged) : null,
          pssKiBPerRouter: {
            median: median(pss),
            min: Math.min(...pss),
            max: Math.max(...pss),
            routers: pss.length,
          },
          farPingOk: ping.code === 0,
          downMs: down.ms,
        };
        results.runs.push(r);
        process.stdout.write(
          `ring of ${args.n}: up + converged ${(r.upMs / 1000).toFixed(1)} s (convergence ${r.convergedS ?? "?"} s), PSS per router ${(r.pssKiBPerRouter.median / 1024).toFixed(1)} MiB (median of ${pss.length}), farthest pair ${r.farPingOk ? "answers" : "FAILED"}, down ${(r.downMs / 1000).toFixed(1)} s\n`,
        );
      },
    );
  }
} finally {
  await cleanupAll();
}
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const out = join(ROOT, "bench", "results", `frr-${results.startedAt.replace(/[:.]/g, "-")}.json`);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`results: ${out}\n`);
