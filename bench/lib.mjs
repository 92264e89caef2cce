// Shared helpers of the benchmark: unique names, timed child processes, root-namespace snapshots,
// and a cleanup registry that runs on exit and on SIGINT/SIGTERM (the bench must leave nothing).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// Every Node the bench starts (`node -e 0`, the baseline of the CLI's cost; the floor's helpers)
// starts as the installed `nslab` starts Node: without NODE_EXTRA_CA_CERTS, whose file Node parses
// before any JavaScript (~40 ms here). Left in, it made `node -e 0` that much slower than nslab's
// own start and the CLI's cost look smaller than it is.
delete process.env.NODE_EXTRA_CA_CERTS;
export const CLI = join(ROOT, "dist", "bin", "nslab.js");
/** The command as a person types it (`nslab`: package.json's bin) of the build in `dir`, as an argv
 * prefix; `node dist/bin/nslab.js` for builds made before that existed. */
export function nslabArgv(dir = ROOT) {
  const bin = join(dir, "dist", "bin", "nslab");
  return existsSync(bin) ? [bin] : ["node", join(dir, "dist", "bin", "nslab.js")];
}
export const NSLAB = nslabArgv();
export const AGENT = join(ROOT, "dist", "native", "nsagent");

/** A prefix nobody else uses right now: a letter, `digits` hex digits and '-' (5 bytes by default,
 * so `P` + `s1-eth1000` stays within IFNAMSIZ). Checked against existing namespaces and links. */
export function uniquePrefix(letter, digits = 3) {
  for (;;) {
    const p = `${letter}${randomBytes(2).toString("hex").slice(0, digits)}-`;
    if (!rootLinks().some((l) => l.startsWith(p)) && !listNetns().some((n) => n.startsWith(p))) return p;
  }
}

export function listNetns() {
  try {
    return readdirSync("/run/netns");
  } catch {
    return [];
  }
}

/** Names of the links in the root namespace. */
export function rootLinks() {
  try {
    return readdirSync("/sys/class/net");
  } catch {
    return [];
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Run argv to completion; resolves { code, stdout, stderr, ms }. `input` goes to stdin. The child
 * gets its own process group so a Ctrl-C reaches the bench (which cleans up), not the child.
 */
export function run(argv, { input, env, timeoutMs = 1_800_000 } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", ...env },
      detached: true,
    });
    running.add(child);
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
      });
    });
  });
}

/** Like run(), but fails loudly. */
export async function must(argv, options) {
  const r = await run(argv, options);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr.trim().slice(0, 2000)}`);
  return r;
}

/** Children of the bench still running (interrupted runs are signalled, by PID, on cleanup). */
const running = new Set();

/** Poll until none of `names` exists in the root namespace (or the deadline passes). */
export async function waitGone(names, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let left = names;
  for (;;) {
    left = left.filter((n) => existsSync(`/sys/class/net/${n}`));
    if (left.length === 0) return [];
    if (Date.now() > deadline) return left;
    await sleep(5);
  }
}

/** Cleanup actions, run once in reverse order at the end, on error, and on SIGINT/SIGTERM. */
const cleanups = [];
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/**
 * Run `body` with `cleanup` registered: it runs if the body throws (then the error is rethrown) or
 * if the bench is interrupted meanwhile; after a successful body it is just dropped (the body took
 * the lab down itself).
 */
export async function guarded(cleanup, body) {
  const off = onCleanup(cleanup);
  try {
    return await body();
  } catch (e) {
    off();
    try {
      await cleanup();
    } catch (c) {
      process.stderr.write(`bench: cleanup failed: ${c.message}\n`);
    }
    throw e;
  } finally {
    off();
  }
}

let cleaning = false;
export async function cleanupAll() {
  if (cleaning) return;
  cleaning = true;
  for (const child of running) child.kill("SIGTERM");
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`bench: cleanup step failed: ${e.message}\n`);
    }
  }
  cleaning = false;
}

// A closed pipe on our own output must not kill the bench before it cleans up.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
for (const ev of ["uncaughtException", "unhandledRejection"])
  process.on(ev, (e) => {
    process.stderr.write(`bench: ${ev}: ${e?.stack ?? e}\n`);
    void cleanupAll().finally(() => process.exit(1));
  });

let interrupted = false;
export function isInterrupted() {
  return interrupted;
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${sig}: cleaning up what this run created…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });

/** CPU times (all, idle) from /proc/stat, in clock ticks. */
function cpuTimes() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { all: f.reduce((a, b) => a + b, 0), idle: f[3] + f[4] };
}

/**
 * Wait until the machine is quiet again (≥ 80% idle over 300 ms, `quiet` times in a row; at most
 * `maxMs`): the kernel goes on tearing down a deleted lab's namespaces in the background after
 * `down` returns, and the next timed run should not pay for the previous one. Returns the time
 * waited (ms) and whether it came to rest.
 */
export async function settle(maxMs = 15_000, quiet = 1) {
  const started = Date.now();
  let inARow = 0;
  while (Date.now() - started < maxMs) {
    const a = cpuTimes();
    await sleep(300);
    const b = cpuTimes();
    inARow = b.all > a.all && (b.idle - a.idle) / (b.all - a.all) >= 0.8 ? inARow + 1 : 0;
    if (inARow >= quiet) return { waitedMs: Date.now() - started, quiet: true };
  }
  return { waitedMs: Date.now() - started, quiet: false };
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Whether a program is on the system PATH. */
export function have(program) {
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}

/** A one-switch lab that keeps Open vSwitch running for the bench; returns its `down`. */
export async function holdOvs() {
  const p = uniquePrefix("o");
  const lab = `bench-${p.slice(0, -1)}`;
  const up = await run(
    [...NSLAB, "-q", "up", "--topo", "single,1", "--switch", "ovs"].concat([
      "--controller",
      "none",
      "--name",
      lab,
      "--prefix",
      p,
    ]),
  );
  if (up.code !== 0) throw new Error(`bench: could not start Open vSwitch: ${up.stderr.trim()}`);
  return async () => {
    const down = await run([...NSLAB, "-q", "down", lab]);
    if (down.code !== 0) process.stderr.write(`bench: nslab down ${lab}: ${down.stderr.trim()}\n`);
  };
}
