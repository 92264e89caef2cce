/**
 * Every real-kernel test file holds the host-wide `host-net` lock shared while it runs, so that a
 * test which changes what every lab depends on (and takes it exclusive) runs alone — also against
 * test runs of other checkouts on the same host. See host-lock.ts.
 * And no file may leave a process running in a namespace that no longer has a name (leaks.ts): the
 * check runs after the file's own afterAll hooks (hooks run as a stack), so it sees what the file's
 * teardown — and nslab's `down` and rollback under it — left.
 * Each file gets a temporary directory of its own (TMPDIR, which os.tmpdir() reads, inherited by the
 * commands it runs), removed when it ends: topology files written by a test never pile up in /tmp.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { hostLock, SHARED_HOLD } from "./host-lock.js";
import { leakedProcesses, processKeys } from "./leaks.js";

// Kept on globalThis so that a test can give it up for a while (exclusiveHostNet).
const g = globalThis as { [SHARED_HOLD]?: Awaited<ReturnType<typeof hostLock>> };
// Waiting for an exclusive holder (a stress run, a firewall test) may take minutes: not a hook timeout.
beforeAll(async () => {
  if (process.getuid?.() === 0) g[SHARED_HOLD] = await hostLock("host-net", "shared", 1_800_000);
}, 1_900_000);
const scratch = mkdtempSync(join(tmpdir(), "nslab-test-"));
process.env.TMPDIR = scratch;
const before = processKeys();
afterAll(async () => {
  try {
    // A process just signalled may take a moment to go.
    let leaked = leakedProcesses(before);
    for (let i = 0; i < 30 && leaked.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      leaked = leakedProcesses(before);
    }
    if (leaked.length > 0)
      throw new Error(
        `left running in namespaces that no longer have a name (end them before deleting the namespace):\n${leaked
          .map((p) => `  pid ${p.pid} (${p.netns}): ${p.args}`)
          .join("\n")}`,
      );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await g[SHARED_HOLD]?.release();
    g[SHARED_HOLD] = undefined;
  }
}, 30_000);
