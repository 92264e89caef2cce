/**
 * Helpers for tests against the real kernel: unique names per run, a snapshot of everything a lab
 * could leave behind (namespaces, root links, OVS bridges, /run/nslab), and the CLI as a child.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readMounts } from "../../src/drivers/host/mounts.js";
import { liveProcess } from "../../src/util/proc.js";
import { ourPids } from "./pids.js";

export { ourPids } from "./pids.js";

/** Real-kernel tests run as root; in CI they must run (never skip). */
export const canTouchKernel = process.getuid?.() === 0;
export const mustRun = !!process.env.CI;
if (mustRun && !canTouchKernel)
  throw new Error("CI is set but the integration tests are not running as root");

/** A short random tag for unique names (`t3fa9c`). */
export function uniqueTag(): string {
  return `t${randomBytes(3).toString("hex")}`;
}

export interface KernelSnapshot {
  netns: string[];
  rootLinks: string[];
  ovsBridges: string[];
  state: string[];
  /** Labs whose private file system (tmpfs `nslab-LAB`) is mounted. */
  labFileSystems: string[];
  /** Entries of /etc/netns (what `ip netns exec` binds over /etc), by namespace. */
  etcNetns: string[];
}

/**
 * Everything that must be the same before `up` and after `down`: namespaces, root links, OVS
 * bridges with their ports, lab records, labs' file systems, /etc/netns entries. With `only`, just the names it accepts (other people's
 * labs may come and go on a shared machine meanwhile).
 */
export function kernelSnapshot(only: (name: string) => boolean = () => true): KernelSnapshot {
  // A shared host may carry someone's 10,000-link lab: its JSON is megabytes.
  const links = JSON.parse(
    execFileSync("ip", ["-j", "link", "show"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }),
  ) as {
    ifname: string;
  }[];
  let ovsBridges: string[] = [];
  if (existsSync("/var/run/openvswitch/db.sock")) {
    const r = spawnSync("ovs-vsctl", ["--timeout=5", "list-br"], { encoding: "utf8" });
    if (r.status === 0)
      for (const br of r.stdout.split("\n").filter(Boolean)) {
        const ports = spawnSync("ovs-vsctl", ["--timeout=5", "list-ports", br], { encoding: "utf8" }).stdout;
        ovsBridges.push(`${br}: ${ports.split("\n").filter(Boolean).sort().join(",")}`);
      }
  }
  ovsBridges = ovsBridges.filter((b) => only(b.split(":")[0]!)).sort();
  const stateDir = process.env.NSLAB_STATE_DIR || "/run/nslab";
  const labsDir = join(stateDir, "labs");
  return {
    netns: (existsSync("/run/netns") ? readdirSync("/run/netns") : []).filter(only).sort(),
    // Not `ovs-netdev`: Open vSwitch's own device for its userspace datapath, made with the first
    // netdev bridge of anyone on the host and removed by ovs-vswitchd after the last — which it may
    // do a moment after a `down` returned (down does not wait for ovs-vswitchd to close the sockets
    // of ports whose devices are already gone), or while another test's OVS lab comes and goes.
    rootLinks: links
      .map((l) => l.ifname)
      .filter((name) => name !== "ovs-netdev" && only(name))
      .sort(),
    ovsBridges,
    state: (existsSync(labsDir) ? readdirSync(labsDir) : [])
      .filter((f) => only(f.replace(/\.json$/, "")))
      .sort(),
    labFileSystems: readMounts()
      .filter((m) => m.fstype === "tmpfs" && m.source.startsWith("nslab-"))
      .map((m) => m.source.slice("nslab-".length))
      .filter(only)
      .sort(),
    etcNetns: (existsSync("/etc/netns") ? readdirSync("/etc/netns") : []).filter(only).sort(),
  };
}

/**
 * Every entry under the state directory (/run/nslab), recursively but for the labs' file systems
 * (`fs/`, mounts) — `labs/`, `labs/x.json`,
 * `locks/x.lock`, `ovs.json.tmp.1234` … — sorted: what `down` must leave exactly as it was before
 * `up`. In CI everything; on a shared development machine the directories, the entries of the labs
 * `lab` accepts, and temp files written by nslab processes this test started ({@link ourPids}).
 */
export function stateEntries(lab: (name: string) => boolean): string[] {
  const root = process.env.NSLAB_STATE_DIR || "/run/nslab";
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      // fs/: the labs' private file systems (mounts, checked through /proc/self/mountinfo).
      if (!rel && e.name === "fs") continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${path}/`);
        walk(path);
      } else out.push(path);
    }
  };
  if (existsSync(root)) walk("");
  if (process.env.CI) return out.sort();
  return out
    .filter((path) => {
      // labs/LAB/: a lab's run-time directory (its services' logs), there while it is up.
      const own = /^labs\/([^/]+)\//.exec(path);
      if (own) return lab(own[1]!);
      if (path.endsWith("/")) return true;
      const writer = /\.tmp\.(\d+)$/.exec(path);
      if (writer && ourPids.has(Number(writer[1]))) return true;
      const m = /^(labs|locks)\/(.+?)(\.json|\.lock)(\.tmp\.\d+|\.reclaim)?$/.exec(path);
      return m !== null && lab(m[2]!);
    })
    .sort();
}

/** Poll `fn` until it returns true (the kernel tears some things down asynchronously). */
export async function eventually(fn: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}

export const CLI = join(import.meta.dirname, "..", "..", "dist", "bin", "nslab.js");

/** Run the built CLI; returns exit code and output (never throws). */
export function nslab(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
    timeout: 180_000,
  });
  if (r.pid) ourPids.add(r.pid);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** Run a command inside a namespace; returns exit code and output. */
export function inNs(ns: string, argv: string[], timeoutMs = 30_000) {
  const r = spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A snapshot for a test's own objects: in CI (the machine is the test's alone) everything; on a
 * shared development machine only names starting with one of `prefixes` (or equal to one of them).
 */
export function scopedSnapshot(...prefixes: string[]): KernelSnapshot {
  if (process.env.CI) return kernelSnapshot();
  return ownSnapshot(...prefixes);
}

/**
 * Only the names with these prefixes, in CI too: for checks against a literal expectation
 * (a fresh CI machine still has its own `eth0`, `lo`, and what other tests left for their cleanup).
 */
export function ownSnapshot(...prefixes: string[]): KernelSnapshot {
  return kernelSnapshot((name) => prefixes.some((p) => name === p || name.startsWith(p)));
}

/** A running CLI process, for tests that interrupt or kill it. */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the CLI prints `line` (a substring) on stderr. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or 128+signal) and the output so far. */
  exited: Promise<{ code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Start the built CLI without waiting for it. */
export function startNslab(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: "1", ...env } });
  if (child.pid) ourPids.add(child.pid);
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => {
    stderr += d;
    for (const w of waiters.splice(0))
      if (stderr.includes(w.text)) w.resolve();
      else waiters.push(w);
  });
  const exited = new Promise<{ code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr })),
  );
  return {
    child,
    exited,
    waitFor(text, timeoutMs = 30_000) {
      if (stderr.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`timed out waiting for '${text}'; stderr so far:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
  };
}

/** Run the CLI and require success, showing its output when it fails. */
export function nslabOk(args: string[], options: { env?: Record<string, string> } = {}) {
  const r = nslab(args, options);
  if (r.code !== 0) throw new Error(`nslab ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

/**
 * The live Open vSwitch daemons of this host's OVS (`comm pid`, sorted): what a test compares
 * before and after to see that nslab stopped exactly the daemons it started. Private instances that
 * tests run with their files in a temp dir (`--pidfile=/tmp/…`) are not the host's and not counted.
 */
export function ovsDaemons(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const p = liveProcess(Number(pid));
    if (!p || (p.comm !== "ovsdb-server" && p.comm !== "ovs-vswitchd")) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone meanwhile
    }
    const pidfile = argv.find((a) => a.startsWith("--pidfile="))?.slice("--pidfile=".length);
    if (pidfile && !/^\/(var\/)?run\/openvswitch\//.test(pidfile)) continue;
    out.push(`${p.comm} ${pid}`);
  }
  return out.sort();
}
