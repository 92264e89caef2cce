/** withInterrupts: one process listener per signal however many changes run, and outer aborts. */
import { describe, expect, it } from "vitest";
import { withInterrupts } from "../../../src/engine/interrupts.js";

const quiet = () => {};

describe("withInterrupts", () => {
  it("shares one SIGINT and one SIGTERM listener among any number of concurrent changes", async () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const signals: AbortSignal[] = [];
    const runs = Array.from({ length: 20 }, () =>
      withInterrupts(quiet, undefined, async (signal) => {
        signals.push(signal);
        await gate;
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual([
      before[0]! + 1,
      before[1]! + 1,
    ]);
    process.emit("SIGTERM", "SIGTERM");
    expect(signals.every((s) => s.aborted)).toBe(true);
    release();
    await Promise.all(runs);
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
  });

  it("starts aborted when the outer signal has aborted already, and follows it later", async () => {
    const done = new AbortController();
    done.abort();
    expect(await withInterrupts(quiet, done.signal, async (s) => s.aborted)).toBe(true);
    const later = new AbortController();
    const seen = await withInterrupts(quiet, later.signal, async (s) => {
      later.abort();
      return s.aborted;
    });
    expect(seen).toBe(true);
  });
});
