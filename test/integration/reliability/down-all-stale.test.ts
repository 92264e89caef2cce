/**
 * `down --all` works from a scan of the host made before it takes each lab's lock. A lab taken
 * down by its owner meanwhile must then be "not up" — not "no record; removing the N objects marked
 * as its own" from the stale scan (which also started Open vSwitch again just to remove nothing).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { downAll } from "../../../src/index.js";
import { canTouchKernel, mustRun, nslab, scopedSnapshot, uniqueTag } from "../../support/kernel.js";

const CLI = join(import.meta.dirname, "..", "..", "..", "dist", "bin", "nslab.js");
const labs: string[] = [];
afterAll(() => {
  for (const lab of labs) nslab(["down", lab]);
});

describe.skipIf(!canTouchKernel && !mustRun)("down --all and a lab that goes down meanwhile", () => {
  it("finds it not up, instead of removing it again from the stale scan", async () => {
    const tag = uniqueTag().slice(1, 5);
    const lab = `das-${tag}`;
    labs.push(lab);
    const before = scopedSnapshot(`s${tag}`, lab);
    expect(
      nslab(["up", "--topo", "single,2", "--switch", "ovs", "--name", lab, "--prefix", `s${tag}`]).code,
    ).toBe(0);
    const warnings: string[] = [];
    const results = await downAll({
      // Runs after down --all scanned the host, before it takes the lab's lock: the owner takes
      // the lab down right then.
      filter: (name) => {
        if (name !== lab) return false;
        const r = spawnSync(process.execPath, [CLI, "down", lab], { encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
        return true;
      },
      log: (_level, message) => {
        warnings.push(message);
      },
    });
    expect(results).toEqual([expect.objectContaining({ lab, found: false, removed: [] })]);
    expect(warnings.filter((w) => /no record|starting Open vSwitch/.test(w))).toEqual([]);
    expect(scopedSnapshot(`s${tag}`, lab)).toEqual(before);
  });
});
