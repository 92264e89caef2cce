/**
 * The stress run's short version (`npm run stress` runs 8 workers for 5 minutes with the CLI's
 * `down --all`): 4 worker processes loop up → ping → down on their own labs (Linux bridge and OVS)
 * for 30 s while `nslab status` and a down --all of this run's labs (the library's downAll, filtered:
 * other labs on the host are left alone) run in between. Zero failures, nothing left.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canTouchKernel, mustRun } from "../support/kernel.js";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "nslab-stress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!canTouchKernel && !mustRun)("stress (short)", () => {
  it("4 workers, 30 s, status and down --all in between: zero failures, nothing left", () => {
    const json = join(dir, "stress.json");
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "bench", "stress.mjs"),
        ...["--workers", "4", "--duration", "30", "--down-all", "own", "--down-all-every", "5"],
        ...["--json", json],
      ],
      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 600_000 },
    );
    console.log(r.stdout);
    expect(r.status, `${r.stdout}\n${r.stderr.slice(-3000)}`).toBe(0);
    const results = JSON.parse(readFileSync(json, "utf8")) as {
      verdict: string[];
      workers: { kind: string; cycles: number; pinged: number; failures: unknown[] }[];
      status: { calls: number };
      downAll: { calls: number };
    };
    expect(results.verdict).toEqual([]);
    expect(results.workers.map((w) => w.kind)).toEqual(["bridge", "ovs", "bridge", "ovs"]);
    for (const w of results.workers) {
      expect(w.failures).toEqual([]);
      expect(w.cycles).toBeGreaterThan(0);
    }
    expect(results.workers.reduce((n, w) => n + w.pinged, 0)).toBeGreaterThan(0);
    expect(results.status.calls).toBeGreaterThan(0);
    expect(results.downAll.calls).toBeGreaterThan(0);
  }, 700_000);
});
