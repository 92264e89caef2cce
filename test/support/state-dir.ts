/** A state directory of a test's own (NSLAB_STATE_DIR): fresh for each test, removed after it. */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/** Registers the hooks; returns the directory of the test running now. */
export function tempStateDir(name: string): () => string {
  let root = "";
  const saved = process.env.NSLAB_STATE_DIR;
  beforeEach(() => {
    root = join(tmpdir(), `nslab-${name}-test-${process.pid}-${Math.random().toString(16).slice(2)}`);
    process.env.NSLAB_STATE_DIR = root;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    // (process.env turns an undefined into the string "undefined")
    if (saved === undefined) delete process.env.NSLAB_STATE_DIR;
    else process.env.NSLAB_STATE_DIR = saved;
  });
  return () => root;
}
