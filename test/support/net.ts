/**
 * Helpers for the networking integration tests: a unique lab name and a short unique prefix per test
 * (root-namespace names stay within 15 bytes), temporary topology files, and what runs in a namespace.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** Run a command in the root namespace and return its stdout. */
export function run(cmd: string, args: string[]): string {
  return spawnSync(cmd, args, { encoding: "utf8" }).stdout;
}
