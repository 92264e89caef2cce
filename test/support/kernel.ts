/**
 * Helpers for tests against the real kernel: unique names per run, a snapshot of everything a lab
 * could leave behind (namespaces, root links, OVS bridges, /run/nslab), and the CLI as a child.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

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
}

/** Everything that must be the same before `up` and after `down`. */
export function kernelSnapshot(): KernelSnapshot {
  const links = JSON.parse(execFileSync("ip", ["-j", "link", "show"], { encoding: "utf8" })) as {
    ifname: string;
  }[];
  let ovsBridges: string[] = [];
  if (existsSync("/var/run/openvswitch/db.sock")) {
    const r = spawnSync("ovs-vsctl", ["--timeout=5", "list-br"], { encoding: "utf8" });
    if (r.status === 0) ovsBridges = r.stdout.split("\n").filter(Boolean).sort();
  }
  const stateDir = process.env.NSLAB_STATE_DIR || "/run/nslab";
  const labsDir = join(stateDir, "labs");
  return {
    netns: existsSync("/run/netns") ? readdirSync("/run/netns").sort() : [],
    rootLinks: links.map((l) => l.ifname).sort(),
    ovsBridges,
    state: existsSync(labsDir) ? readdirSync(labsDir).sort() : [],
  };
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

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

/** Run the built CLI; returns exit code and output (never throws). */
export function nslab(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** Run a command inside a namespace; returns exit code and output. */
export function inNs(ns: string, argv: string[], timeoutMs = 30_000) {
  const r = spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
