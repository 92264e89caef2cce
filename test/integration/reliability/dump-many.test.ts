/**
 * Reading many namespaces at once: over 2,000 the driver splits them between two agents; every
 * namespace still maps to its own dump (or to the error that kept it from being read), in order.
 */
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { Driver } from "../../../src/drivers/driver.js";
import { canTouchKernel, mustRun, uniqueTag } from "../../support/kernel.js";

const tag = uniqueTag().slice(1, 6);
const real = [`dm${tag}a`, `dm${tag}b`];
afterAll(() => {
  for (const ns of real) spawnSync("ip", ["netns", "del", ns]);
});

describe.skipIf(!canTouchKernel && !mustRun)("dumpMany", () => {
  it("splits 2,501 namespaces between agents and keeps each answer with its namespace", async () => {
    for (const ns of real) expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
    expect(spawnSync("ip", ["-n", real[1]!, "link", "add", "d0", "type", "veth", "peer", "d1"]).status).toBe(
      0,
    );
    const missing = Array.from({ length: 2_499 }, (_, i) => `dm${tag}x${i}`);
    // One real namespace in the first half, one in the second.
    const names = [real[0]!, ...missing.slice(0, 1_500), real[1]!, ...missing.slice(1_500)];
    const driver = new Driver({ backend: "agent" });
    try {
      const out = await driver.dumpMany(names);
      expect([...out.keys()]).toEqual(names);
      const a = out.get(real[0]!);
      const b = out.get(real[1]!);
      expect(a instanceof Error ? a.message : a?.links.map((l) => l.name)).toEqual(["lo"]);
      expect(b instanceof Error ? b.message : b?.links.map((l) => l.name).sort()).toEqual(["d0", "d1", "lo"]);
      expect(missing.every((ns) => out.get(ns) instanceof Error)).toBe(true);
    } finally {
      await driver.close();
    }
  });
});
