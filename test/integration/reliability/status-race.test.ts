/**
 * `status` of every lab while labs come and go: a lab taken down between the listing of labs and
 * the reading of its record is simply no longer listed — never an E_NOT_FOUND for the whole call.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { statusAll } from "../../../src/index.js";
import { canTouchKernel, mustRun, nslab, uniqueTag } from "../../support/kernel.js";

const CLI = join(import.meta.dirname, "..", "..", "..", "dist", "bin", "nslab.js");
const labs: string[] = [];
let loopsDone: Promise<unknown> | undefined;
afterAll(async () => {
  await loopsDone; // (a failed test may leave them running)
  for (const lab of labs) nslab(["down", lab]);
});

function cli(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: "ignore" });
    child.once("close", resolve);
  });
}

describe.skipIf(!canTouchKernel && !mustRun)("status while labs come and go", () => {
  it("lists the labs that are up, whatever goes down meanwhile", async () => {
    const tag = uniqueTag().slice(1, 5);
    const until = Date.now() + 10_000;
    const loops = [0, 1].map(async (i) => {
      const name = `str-${tag}-${i}`;
      labs.push(name);
      let cycles = 0;
      while (Date.now() < until) {
        expect(await cli(["up", "--topo", "single,3", "--name", name, "--prefix", `r${tag}${i}`])).toBe(0);
        expect(await cli(["down", name])).toBe(0);
        cycles++;
      }
      return cycles;
    });
    loopsDone = Promise.allSettled(loops);
    const errors: string[] = [];
    let calls = 0;
    while (Date.now() < until) {
      calls++;
      try {
        const reports = await statusAll();
        for (const r of reports) expect(r.lab).toBeTruthy();
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    const cycles = await Promise.all(loops);
    expect(cycles.every((c) => c > 0)).toBe(true);
    expect(calls).toBeGreaterThan(5);
    expect(errors).toEqual([]);
  }, 60_000);
});
