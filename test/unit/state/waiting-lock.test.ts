/** Locks that queue (the OVS daemons' lock) and the list of live locks that releasing OVS consults. */
import { describe, expect, it } from "vitest";
import { acquireLock, acquireLockWaiting, liveLocks } from "../../../src/state/lock.js";

describe("acquireLockWaiting", () => {
  it("waits while another holder (this process included) has the lock, then takes it", async () => {
    const first = acquireLock("queue-test", "nslab up queue-test");
    const started = Date.now();
    setTimeout(() => first.release(), 150);
    const second = await acquireLockWaiting("queue-test", "ovs start");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    second.release();
  });

  it("gives up with E_LOCKED after its timeout", async () => {
    const held = acquireLock("queue-test-2", "ovs start");
    try {
      await expect(acquireLockWaiting("queue-test-2", "ovs stop", { timeoutMs: 100 })).rejects.toMatchObject({
        code: "E_LOCKED",
      });
    } finally {
      held.release();
    }
  });
});

describe("liveLocks", () => {
  it("lists the locks live processes hold, with their commands", () => {
    const lock = acquireLock("listed-lab", "nslab up listed-lab");
    expect(liveLocks()).toContainEqual({
      name: "listed-lab",
      pid: process.pid,
      command: "nslab up listed-lab",
    });
    lock.release();
    expect(liveLocks().map((l) => l.name)).not.toContain("listed-lab");
  });
});
