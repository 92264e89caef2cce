/**
 * Every real-kernel test file holds the host-wide `host-net` lock shared while it runs, so that a
 * test which changes what every lab depends on (and takes it exclusive) runs alone — also against
 * test runs of other checkouts on the same host. See host-lock.ts.
 */
import { afterAll, beforeAll } from "vitest";
import { type HostLock, hostLock } from "./host-lock.js";

let lock: HostLock | undefined;
beforeAll(async () => {
  if (process.getuid?.() === 0) lock = await hostLock("host-net", "shared");
});
afterAll(async () => {
  await lock?.release();
});
