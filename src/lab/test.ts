/**
 * `test`: prove a lab does what its file says — every expectation (reachable AND unreachable pairs,
 * ICMP and TCP) plus the subnet ping matrix — with a result per check. A running lab is tested as it
 * is; a topology that is not up yet is brought up for the test and taken down after (unless kept).
 * In a lab whose routers run FRR the checks wait for routing to converge first (as `up` does), so a
 * test right after `up --no-wait` checks the converged lab, not one still learning its routes.
 */
import { down } from "../engine/down.js";
import { withDriver } from "../engine/driver.js";
import { sameTopology } from "../engine/fingerprint.js";
import { asDeployed, runsRouting, waitForRouting } from "../engine/frr.js";
import { type CommonOptions, logOf } from "../engine/options.js";
import { up } from "../engine/up.js";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import { isMultiLab, readMultiLab } from "../state/multi.js";
import { type LabState, readLab } from "../state/store.js";
import { type CheckResult, labChecks, type RunChecksOptions, runChecks } from "../verify/checks.js";
import type { PingPair } from "../verify/pairs.js";
import { pingPairs } from "../verify/ping.js";
import type { PingResult } from "../verify/ping-result.js";
import { floodLimit } from "./ping.js";
import { upRecordOf } from "./record.js";

export interface TestOptions extends CommonOptions, RunChecksOptions {
  /** Also run the subnet ping matrix (default true). */
  matrix?: boolean;
  /** When `test` brought the lab up, leave it up afterwards. */
  keep?: boolean;
  /**
   * Labs whose routers run FRR: check once routing has converged (default true); false checks at
   * once. When `test` brings the lab up, `up` waits (or not) the same way.
   */
  wait?: boolean;
  /** How long to wait for routing to converge (default 120 s); E_VERIFY naming what is lacking after it. */
  waitTimeoutMs?: number;
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
  /** Labs whose routers run FRR: how long routing took to converge before the checks (`up`'s wait when `test` brought it up). */
  convergedMs?: number;
}

/** Test running lab `lab` with the expectations it was brought up with. */
export async function testRunning(lab: string, options: TestOptions = {}): Promise<TestReport> {
  // A lab this machine spread over several: each check runs on its source's machine.
  if (isMultiLab(lab)) return (await import("./remote/test.js")).testMulti(lab, options);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const record = upRecordOf(lab, "give the topology file instead: nslab test FILE brings it up for the test");
  const convergedMs = await converged(record, options);
  return check(record.topology, false, started, startedAt, options, convergedMs);
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
  if (target.hosts !== undefined) return testSpread(target, options);
  const state = readLab(lab);
  let broughtUp = false;
  let convergedMs: number | undefined;
  if (state) {
    // The record holds the lab as deployed: with its routers' FRR files and daemons added.
    const same =
      state.status === "up" &&
      (sameTopology(state.topology, target) ||
        sameTopology(state.topology, await asDeployed(target, options.runner)));
    if (!same)
      throw new NslabError(
        "E_CONFLICT",
        state.status === "up"
          ? `lab '${lab}' is up with a different topology than this file`
          : `lab '${lab}' has a record in state '${state.status}'`,
        { hint: `take it down first (nslab down ${lab}), or test it by name: nslab test ${lab}` },
      );
    convergedMs = await converged(state, options);
  } else {
    log("info", `bringing lab '${lab}' up for the test`);
    convergedMs = (await up(target, options)).convergedMs;
    broughtUp = true;
  }
  try {
    return await check(target, broughtUp, started, startedAt, options, convergedMs);
  } finally {
    if (broughtUp && !options.keep) {
      log("info", `taking lab '${lab}' down after the test`);
      await down(lab, options);
    }
  }
}

/** `test FILE` of a lab spread over machines: tested as it runs, or brought up for the test. */
async function testSpread(target: Topology, options: TestOptions): Promise<TestReport> {
  const log = logOf(options);
  const lab = target.name;
  const state = readMultiLab(lab);
  if (state && !(state.status === "up" && sameTopology(state.topology, target)))
    throw new NslabError(
      "E_CONFLICT",
      state.status === "up"
        ? `lab '${lab}' is up with a different topology than this file`
        : `lab '${lab}' has a record in state '${state.status}'`,
      { hint: `take it down first (nslab down ${lab}), or test it by name: nslab test ${lab}` },
    );
  if (state) return testRunning(lab, options);
  log("info", `bringing lab '${lab}' up for the test`);
  await up(target, options);
  try {
    return { ...(await testRunning(lab, options)), broughtUp: true };
  } finally {
    if (!options.keep) {
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
  convergedMs: number | undefined,
): Promise<TestReport> {
  const checks = labChecks(topology, { matrix: options.matrix !== false });
  const choice = {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  };
  // The matrix is pinged as `nslab ping` pings (through the agent: every pair at once, no process
  // per pair; a lab of 10 hosts took 1.1 s of `ping` processes); expectations probe one by one.
  const results = await withDriver(choice, async (driver) => {
    const agent = driver.backend === "agent" && checks.some((c) => c.pair) ? await driver.agent() : undefined;
    return runChecks(driver.runner, checks, {
      ...options,
      ...(agent
        ? {
            pingPairs: (pairs: readonly PingPair[], onResult: (r: PingResult) => void) =>
              pingPairs(driver.runner, pairs, {
                agent,
                floodLimit: floodLimit(topology),
                // A third of the wait, then (for pairs without a reply) the whole wait again.
                waitSeconds: (options.waitSeconds ?? 3) / 3,
                onResult,
              }),
          }
        : {}),
    });
  });
  const failed = results.filter((r) => !r.ok).length;
  return {
    lab: topology.name,
    results,
    passed: results.length - failed,
    failed,
    broughtUp,
    startedAt,
    durationMs: performance.now() - started,
    ...(convergedMs !== undefined ? { convergedMs } : {}),
  };
}

/**
 * A running lab whose routers run FRR: wait until its routing has converged (E_VERIFY naming what
 * each router lacks after `waitTimeoutMs`); the time it took, or undefined when nothing was waited for.
 */
async function converged(record: LabState, options: TestOptions): Promise<number | undefined> {
  if (options.wait === false || !runsRouting(record.topology)) return undefined;
  const log = logOf(options);
  const labfs = record.owned.find((o) => o.kind === "labfs")?.name;
  const choice = {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  };
  const r = await withDriver(choice, (driver) =>
    waitForRouting(record.topology, driver, labfs, {
      log,
      ...(options.waitTimeoutMs !== undefined ? { timeoutMs: options.waitTimeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  log("info", `routing converged in ${(r.ms / 1000).toFixed(1)} s`);
  return r.ms;
}
