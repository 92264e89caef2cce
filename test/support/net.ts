/**
 * Helpers for the networking integration tests: a unique lab name and a short unique prefix per test
 * (root-namespace names stay within 15 bytes), temporary topology files, and what runs in a namespace.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { nslab, scopedSnapshot } from "./kernel.js";

/** `{ prefix: "x3fa-", lab: "net-x3fa" }`: the prefix is 5 bytes, so `prefix + 10-byte name` fits IFNAMSIZ. */
export function netNames(kind: string): { prefix: string; lab: string } {
  const hex = randomBytes(2).toString("hex").slice(0, 3);
  return { prefix: `x${hex}-`, lab: `${kind}-x${hex}-${randomBytes(2).toString("hex")}` };
}

/** A scratch directory for topology files, removed by `cleanup()`. */
export function scratch(): {
  file(name: string, text: string): string;
  path(name: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "nslab-net-"));
  return {
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** PIDs of processes inside namespace `ns` (none, after nslab stopped what it started). */
export function pidsIn(ns: string): string[] {
  const r = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean);
}

/**
 * Delete a namespace a test made itself, ending first every process still in it (SIGKILL, then
 * waiting for them to go): `ip netns del` alone removes the name and leaves them running, unseen.
 */
export async function deleteOwnNamespace(ns: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pids = pidsIn(ns);
    if (pids.length === 0) break;
    for (const pid of pids)
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  spawnSync("ip", ["netns", "del", ns]);
}

/** Run a command in the root namespace and return its stdout. */
export function run(cmd: string, args: string[]): string {
  return spawnSync(cmd, args, { encoding: "utf8" }).stdout;
}

/**
 * A networking test's lab: unique names, a scratch directory, and (after all tests of the file)
 * `down` of the lab — and of the labs named lab + each of `alsoDown` — the scratch removed, and a
 * check that the kernel is as it was before. Call it at the top of a `describe`.
 */
export function netLab(
  kind: string,
  alsoDown: string[] = [],
): { prefix: string; lab: string; files: ReturnType<typeof scratch> } {
  const { prefix, lab } = netNames(kind);
  const files = scratch();
  const before = scopedSnapshot(prefix, lab);
  afterAll(() => {
    for (const l of [lab, ...alsoDown.map((suffix) => `${lab}${suffix}`)]) nslab(["down", l]);
    files.cleanup();
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
  });
  return { prefix, lab, files };
}
