/** `ping`: every pair of addresses sharing a subnet in a running lab, pinged from inside. */
import { systemRunner } from "../drivers/runner/index.js";
import { NslabError } from "../errors.js";
import { readLab } from "../state/store.js";
import { subnetPairs } from "../verify/pairs.js";
import { type PingOptions, type PingResult, pingPairs } from "../verify/ping.js";
import type { CommonOptions } from "./options.js";

/** What `ping` found. */
export interface PingReport {
  lab: string;
  /** One result per pair, sources in node order. */
  results: PingResult[];
  /** Number of pairs that did not answer. */
  lost: number;
  durationMs: number;
}

/**
 * Ping every pair of addresses sharing a subnet in lab `lab`, from inside its namespaces (each
 * source from its own address on that subnet). A lost ping is a result (`lost`), not an error;
 * E_NOT_FOUND when the lab is not up.
 */
export async function ping(lab: string, options: CommonOptions & PingOptions = {}): Promise<PingReport> {
  const started = performance.now();
  const state = readLab(lab);
  if (state?.status !== "up")
    throw new NslabError(
      "E_NOT_FOUND",
      state ? `lab '${lab}' is ${state.status}, not up` : `no lab named '${lab}' is up`,
      {
        hint: "list labs with: nslab status",
      },
    );
  const pairs = subnetPairs(state.topology);
  const results = await pingPairs(options.runner ?? systemRunner, pairs, options);
  return { lab, results, lost: results.filter((r) => !r.ok).length, durationMs: performance.now() - started };
}
