/**
 * `down --all` next to an `up` in progress: the lab being brought up holds its lock, and down --all
 * must neither break that `up` nor give up on the other labs — it skips the busy lab and says so.
 * (Filtered to this test's labs: down --all without a filter would take down everyone's.)
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { downAll } from "../../../src/index.js";
import {
  canTouchKernel,
  mustRun,
  nslab,
  scopedSnapshot,
  startNslab,
  uniqueTag,
} from "../../support/kernel.js";

const STATE = process.env.NSLAB_STATE_DIR || "/run/nslab";
const labs: string[] = [];
let upUnderWay: Promise<unknown> | undefined;
afterAll(async () => {
  // A failed test may leave the up running: its lock would make the down below fail (busy).
  await upUnderWay;
  for (const lab of labs) nslab(["down", lab]);
});

describe.skipIf(!canTouchKernel && !mustRun)("down --all and an up in progress", () => {
  it("skips the lab being brought up (saying so), takes the others down, and the up succeeds", async () => {
    const tag = uniqueTag().slice(1, 5);
    // Names that sort the busy lab first: before the fix, its E_LOCKED ended down --all there.
    const busy = `dab-a-${tag}`;
    const other = `dab-b-${tag}`;
    labs.push(busy, other);
    const before = scopedSnapshot(`da${tag}`, `db${tag}`, busy, other);
    expect(nslab(["up", "--topo", "single,2", "--name", other, "--prefix", `db${tag}`]).code).toBe(0);
    const up = startNslab(["up", "--topo", "linear,120", "--name", busy, "--prefix", `da${tag}`]);
    upUnderWay = up.exited;
    // Wait until the up holds its lock and has written its record (so down --all sees the lab).
    const deadline = Date.now() + 60_000;
    while (
      !(existsSync(join(STATE, "locks", `${busy}.lock`)) && existsSync(join(STATE, "labs", `${busy}.json`)))
    ) {
      if (Date.now() > deadline || up.child.exitCode !== null)
        throw new Error(`up never got under way:\n${(await up.exited).stderr}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const warnings: string[] = [];
    const results = await downAll({
      filter: (lab) => lab === busy || lab === other,
      log: (level, message) => {
        if (level === "warn") warnings.push(message);
      },
    });
    const done = await up.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(results.find((r) => r.lab === other)).toMatchObject({ found: true });
    expect(results.find((r) => r.lab === busy)).toMatchObject({
      busy: expect.stringMatching(new RegExp(`process ${up.child.pid} \\(nslab up ${busy}\\)`)),
    });
    expect(warnings.join("\n")).toMatch(new RegExp(`skipped lab '${busy}'.*busy`));
    // The busy lab came up whole: it answers, and its own down removes everything.
    expect(nslab(["status", busy]).code).toBe(0);
    expect(nslab(["down", busy]).code).toBe(0);
    expect(scopedSnapshot(`da${tag}`, `db${tag}`, busy, other)).toEqual(before);
  });
});
