/**
 * `test`: prove a lab does what its file says — every expectation (reachable AND unreachable pairs,
 * ICMP and TCP) plus the subnet ping matrix — with a result per check. A running lab is tested as it
 * is; a topology that is not up yet is brought up for the test and taken down after (unless kept).
 */
import { systemRunner } from "../drivers/runner/index.js";
import { down } from "../engine/down.js";
import { sameTopology } from "../engine/fingerprint.js";
import { type CommonOptions, logOf } from "../engine/options.js";
import { up } from "../engine/up.js";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { readLab } from "../state/store.js";
import { type CheckResult, labChecks, type RunChecksOptions, runChecks } from "../verify/checks.js";
import { upRecordOf } from "./record.js";

export interface TestOptions extends CommonOptions, RunChecksOptions {
  /** Also run the subnet ping matrix (default true). */
  matrix?: boolean;
  /** When `test` brought the lab up, leave it up afterwards. */
  keep?: boolean;
}

/** What `test` found. */
export interface TestReport {
  lab: string;
  results: CheckResult[];
  passed: number;
  failed: number;
  /** `test` brought the lab up for the run (and took it down again unless kept). */
  broughtUp: boolean;
  startedAt: string;
  durationMs: number;
}

/** Test running lab `lab` with the expectations it was brought up with. */
export async function testRunning(lab: string, options: TestOptions = {}): Promise<TestReport> {
  const topology = upRecordOf(
    lab,
    "give the topology file instead: nslab test FILE brings it up for the test",
  ).topology;
  return check(topology, false, performance.now(), new Date().toISOString(), options);
}

/**
 * Test lab `target`: a lab name (tested with the expectations it was brought up with), or a topology
 * (its expectations; brought up first when it is not up, and taken down after unless `keep`).
 */
export async function testLab(target: string | Topology, options: TestOptions = {}): Promise<TestReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  if (typeof target === "string") return testRunning(target, options);
  const log = logOf(options);
  const lab = target.name;
  const state = readLab(lab);
  let broughtUp = false;
  if (state) {
    if (state.status !== "up" || !sameTopology(state.topology, target))
      throw new NslabError(
        "E_CONFLICT",
        state.status === "up"
          ? `lab '${lab}' is up with a different topology than this file`
          : `lab '${lab}' has a record in state '${state.status}'`,
        { hint: `take it down first (nslab down ${lab}), or test it by name: nslab test ${lab}` },
      );
  } else {
    log("info", `bringing lab '${lab}' up for the test`);
    await up(target, options);
    broughtUp = true;
  }
  try {
    return await check(target, broughtUp, started, startedAt, options);
  } finally {
    if (broughtUp && !options.keep) {
      log("info", `taking lab '${lab}' down after the test`);
      await down(lab, options);
    }
  }
}

async function check(
  topology: Topology,
  broughtUp: boolean,
  started: number,
  startedAt: string,
  options: TestOptions,
): Promise<TestReport> {
  const checks = labChecks(topology, { matrix: options.matrix !== false });
  const results = await runChecks(options.runner ?? systemRunner, checks, options);
  const failed = results.filter((r) => !r.ok).length;
  return {
    lab: topology.name,
    results,
    passed: results.length - failed,
    failed,
    broughtUp,
    startedAt,
    durationMs: performance.now() - started,
  };
}
