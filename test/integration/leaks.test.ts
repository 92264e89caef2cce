/**
 * The check every real-kernel test file ends with (support/leaks.ts, run by the integration setup):
 * a process left in a namespace whose name was deleted is found; one ended first is not.
 */
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, uniqueTag } from "../support/kernel.js";
import { leakedProcesses, processKeys } from "../support/leaks.js";
import { deleteOwnNamespace } from "../support/net.js";

describe.skipIf(!canTouchKernel && !mustRun)("processes left in unnamed namespaces", () => {
  it("finds a process whose namespace was deleted under it, and not one ended with its namespace", async () => {
    const before = processKeys();
    const ns = `leak${uniqueTag()}`;
    expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
    const left = spawn("ip", ["netns", "exec", ns, "sleep", "300"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(leakedProcesses(before)).toEqual([]); // its namespace still has its name
      spawnSync("ip", ["netns", "del", ns]); // the leak: the name goes, the process stays
      expect(leakedProcesses(before)).toEqual([
        expect.objectContaining({ pid: left.pid, args: "sleep 300" }),
      ]);
    } finally {
      left.kill("SIGKILL");
      await new Promise((r) => left.once("exit", r));
    }
    expect(leakedProcesses(before)).toEqual([]);

    const ns2 = `leak${uniqueTag()}`;
    expect(spawnSync("ip", ["netns", "add", ns2]).status).toBe(0);
    spawn("ip", ["netns", "exec", ns2, "sleep", "300"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 200));
    await deleteOwnNamespace(ns2);
    await new Promise((r) => setTimeout(r, 100));
    expect(leakedProcesses(before)).toEqual([]);
  });
});
