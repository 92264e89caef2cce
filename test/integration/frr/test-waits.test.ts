/**
 * `nslab test` waits for routing itself: right after `up --no-wait` (the daemons started, OSPF still
 * forming adjacencies) a test of the lab, by name and by its file, checks the converged lab and
 * passes; `--no-wait` checks at once; the library's `Lab.test` waits the same way.
 */
import { describe, expect, it } from "vitest";
import { RunningLab } from "../../../src/lab/running.js";
import { canTouchKernel, mustRun, nslab } from "../../support/kernel.js";
import { netLab } from "../../support/net.js";

describe.skipIf(!canTouchKernel && !mustRun)("test waits for routing to converge", () => {
  const { prefix, lab } = netLab("tstw");
  const file = "examples/ospf-ring.yaml";

  it("test LAB and test FILE after up --no-wait: converged first, every check passes", async () => {
    const up = nslab(["up", file, "--name", lab, "--prefix", prefix, "--no-wait"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toMatch(/routing converged/);
    const byName = nslab(["test", lab, "--json", "--wait", "60"]);
    expect(byName.code, byName.stdout + byName.stderr).toBe(0);
    expect(byName.stderr).toMatch(/routing converged in [\d.]+ s/);
    const report = JSON.parse(byName.stdout);
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThan(4);
    expect(report.convergedMs).toBeGreaterThan(0);
    // The file of the running lab (its record holds FRR's files and daemons added): the same lab.
    const byFile = nslab(["test", file, "--name", lab, "--prefix", prefix, "--json"]);
    expect(byFile.code, byFile.stdout + byFile.stderr).toBe(0);
    expect(JSON.parse(byFile.stdout)).toMatchObject({ broughtUp: false, failed: 0 });
    expect(JSON.parse(byFile.stdout).convergedMs).toBeGreaterThanOrEqual(0);
    // --no-wait: no look at the routers at all.
    const noWait = nslab(["test", lab, "--no-wait", "--json", "--no-matrix"]);
    expect(noWait.code, noWait.stderr).toBe(0);
    expect(noWait.stderr).not.toMatch(/routing converged/);
    expect(JSON.parse(noWait.stdout).convergedMs).toBeUndefined();
    // The library: Lab.test waits too.
    const r = await new RunningLab(lab).test({ matrix: false, waitTimeoutMs: 60_000 });
    expect(r.failed).toBe(0);
    expect(r.convergedMs).toBeGreaterThanOrEqual(0);
    expect(nslab(["down", lab]).code).toBe(0);
  });

  it("--wait takes seconds", () => {
    const r = nslab(["test", lab, "--wait", "soon"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--wait takes a number of seconds, not 'soon'/);
  });
});
