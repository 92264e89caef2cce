/**
 * The soak's short version (`npm run soak` runs 1,000 cycles, and 100 of the big lab): 50 up/down
 * cycles through the CLI of each seed lab, 20 of a 200-host generated lab (2.5 s each), and 50 Lab
 * API cycles in one process. Nothing may
 * fail, nothing of the run may be left (namespaces, links, OVS ports, records, locks, temp files),
 * and neither the soak process nor the OVS daemons may grow in fds (bench/soak.mjs decides).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canTouchKernel, mustRun } from "../support/kernel.js";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "nslab-soak-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SoakRun {
  label: string;
  cycles: number;
  failures: unknown[];
  first100: { median: number };
  last100: { median: number };
}

describe.skipIf(!canTouchKernel && !mustRun)("soak (short)", () => {
  it("50 cycles of each seed lab and of the Lab API, 20 of single,200: no failure, nothing left, no growth", () => {
    const json = join(dir, "soak.json");
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "bench", "soak.mjs"),
        "--cycles",
        "50",
        "--big-cycles",
        "20",
        "--lib-cycles",
        "50",
        "--json",
        json,
      ],
      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 1_500_000 },
    );
    console.log(r.stdout);
    expect(r.status, `${r.stdout}\n${r.stderr.slice(-3000)}`).toBe(0);
    const results = JSON.parse(readFileSync(json, "utf8")) as {
      verdict: string[];
      labs: SoakRun[];
      big: SoakRun;
      lib: SoakRun & { growth: { fds: number; handles: number } };
    };
    expect(results.verdict).toEqual([]);
    for (const run of [...results.labs, results.big, results.lib]) {
      expect(run.cycles).toBe(run === results.big ? 20 : 50);
      expect(run.failures).toEqual([]);
    }
    expect(results.labs.map((l) => l.label)).toEqual(["seed direct", "seed bridge", "seed ovs"]);
    expect(results.lib.growth.fds).toBeLessThanOrEqual(2);
    expect(results.lib.growth.handles).toBeLessThanOrEqual(2);
  }, 1_600_000);
});
