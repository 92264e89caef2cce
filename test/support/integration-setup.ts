/**
 * Every real-kernel test file holds the host-wide `host-net` lock shared while it runs, so that a
 * test which changes what every lab depends on (and takes it exclusive) runs alone — also against
 * test runs of other checkouts on the same host. See host-lock.ts.
 */
import { afterAll, beforeAll } from "vitest";
import { hostLock, SHARED_HOLD } from "./host-lock.js";

// Kept on globalThis so that a test can give it up for a while (exclusiveHostNet).
const g = globalThis as { [SHARED_HOLD]?: Awaited<ReturnType<typeof hostLock>> };
// Waiting for an exclusive holder (a stress run, a firewall test) may take minutes: not a hook timeout.
beforeAll(async () => {
  if (process.getuid?.() === 0) g[SHARED_HOLD] = await hostLock("host-net", "shared", 1_800_000);
}, 1_900_000);
afterAll(async () => {
  await g[SHARED_HOLD]?.release();
  g[SHARED_HOLD] = undefined;
});
