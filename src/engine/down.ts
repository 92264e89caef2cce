/**
 * `down`: remove exactly what a lab created, found through its record and confirmed by the
 * ownership marker on each object (never by name pattern). Works after the topology file changed
 * or vanished, and after the record itself was lost. A second `down` finds nothing and succeeds.
 */
import type { Driver } from "../drivers/driver.js";
import { NslabError } from "../errors.js";
import { removeLabDir } from "../state/lab-dir.js";
import { acquireLock, staleLocks } from "../state/lock.js";
import { isMultiLab, listMultiLabs } from "../state/multi.js";
import {
  clearLeftovers,
  labsWithLeftovers,
  listLabs,
  type OwnedObject,
  readLab,
  recordedNamespaces,
  removeLab,
  saveLab,
} from "../state/store.js";
import { discoverLabs } from "./discover.js";
import { openDriver } from "./driver.js";
import { type CommonOptions, logOf } from "./options.js";
import { heldServices, release, SERVICES, type ServiceContext } from "./services/index.js";
import { type TeardownReport, teardown } from "./teardown.js";

export type { DownResult } from "./results.js";

import type { DownResult } from "./results.js";

/** Options of {@link downAll}. */
export interface DownAllOptions extends CommonOptions {
  /** Only labs for which this returns true. */
  filter?: (lab: string) => boolean;
}

/**
 * Take lab `lab` down: remove exactly the objects it created (from its record, each confirmed by
 * its ownership marker), then its record. Idempotent: a lab that is not up is `found: false`.
 * Throws E_APPLY (the lab is then marked dirty) when something could not be removed.
 */
export async function down(lab: string, options: CommonOptions = {}): Promise<DownResult> {
  // A lab this machine brought up over several machines: down on each (its code loads only then).
  if (isMultiLab(lab)) return (await import("./multi/down.js")).downMulti(lab, options);
  return downHere(lab, options);
}

/**
 * Take down this machine's lab `lab` only — also when this machine controls a lab of that name
 * spread over several and holds a part of it (what `nslab remote` does with its part).
 */
export async function downHere(lab: string, options: CommonOptions = {}): Promise<DownResult> {
  const driver = openDriver(options);
  driver.prestart(); // while the record and the lock are read
  try {
    return await downWith(lab, driver, options);
  } finally {
    await driver.close();
  }
}

/**
 * Take every nslab lab on this host down — those with records and those found by their markers
 * alone — or, with `filter`, the ones it accepts. Careful on shared hosts: this includes other
 * people's labs. A lab another nslab process is working on (an `up` under way) is skipped, with a
 * warning and `busy` set in its result, never interrupted.
 */
export async function downAll(options: DownAllOptions = {}): Promise<DownResult[]> {
  // Labs this machine spread over several machines first (this machine may hold a part of one).
  const multi = listMultiLabs().filter(options.filter ?? (() => true));
  const spread: DownResult[] = [];
  if (multi.length > 0) {
    const { downMulti } = await import("./multi/down.js");
    for (const lab of multi)
      try {
        spread.push(await downMulti(lab, options));
      } catch (e) {
        // A machine that cannot be reached keeps that lab's record; the other labs still go down.
        if (!(e instanceof NslabError)) throw e;
        options.log?.("warn", `lab '${lab}' is not down everywhere: ${e.message}`);
        spread.push({
          lab,
          found: true,
          removed: [],
          skipped: [],
          busy: e.message,
          leftovers: [],
          durationMs: 0,
        });
      }
  }
  const driver = openDriver(options);
  try {
    const ovs = await driver.ovsdb().catch(() => undefined);
    const found = await discoverLabs(driver, ovs);
    // Labs with a record, with marked objects, or with what a killed nslab left in /run/nslab (a
    // half-written record, a lock): `down` of each clears it all.
    const leftovers = [...labsWithLeftovers(), ...staleLocks().filter((l) => !l.startsWith("_"))];
    const labs = [...new Set([...listLabs(), ...found.keys(), ...leftovers])]
      .filter(options.filter ?? (() => true))
      .sort();
    const results: DownResult[] = [];
    for (const lab of labs) {
      try {
        results.push(await downWith(lab, driver, options));
      } catch (e) {
        // A lab an `up` (or another `down`) is working on right now is not ours to pull away.
        if (!(e instanceof NslabError && e.code === "E_LOCKED")) throw e;
        logOf(options)(
          "warn",
          `skipped lab '${lab}': ${e.message}; run 'nslab down --all' again once it is done`,
        );
        results.push({
          lab,
          found: true,
          removed: [],
          skipped: [],
          leftovers: [],
          busy: e.message,
          durationMs: 0,
        });
      }
    }
    return [...spread, ...results];
  } finally {
    await driver.close();
  }
}

async function downWith(lab: string, driver: Driver, options: CommonOptions): Promise<DownResult> {
  const started = performance.now();
  const log = logOf(options);
  const services: ServiceContext = { lab, runner: driver.runner, log, faults: driver.faults };
  const lock = acquireLock(lab, `nslab down ${lab}`, (m) => log("warn", m));
  try {
    const leftovers = clearLeftovers(lab);
    for (const f of leftovers) log("info", `removed ${f}, left by an nslab process that died writing it`);
    const state = readLab(lab);
    let objects: OwnedObject[];
    if (state) objects = state.owned;
    else {
      // A scan made before this lock (down --all's) may be stale by now: the lab may have gone down
      // meanwhile. Without a record, look again (objects of a lab without a record are rare).
      // Only this lab's marks are looked for: other labs' recorded namespaces are not visited.
      const ovs = await driver.ovsdb().catch(() => undefined);
      objects = (await discoverLabs(driver, ovs, recordedNamespaces(lab), lab)).get(lab) ?? [];
      if (objects.length > 0)
        log("warn", `lab '${lab}' has no record; removing the ${objects.length} object(s) marked as its own`);
    }
    if (!state && objects.length === 0) {
      // An `up` killed while starting a shared service (Open vSwitch) leaves no record yet, but maybe
      // daemons that nslab started and no lab uses: stop those (a no-op when nslab started none, or
      // a lab needs them).
      await release(SERVICES, services);
      return {
        lab,
        found: false,
        removed: [],
        skipped: [],
        leftovers,
        durationMs: performance.now() - started,
      };
    }

    const held = heldServices(state, objects);
    if (state) saveLab({ ...state, status: "destroying" });
    // Removing some objects needs their service running (OVS bridges: OVSDB).
    for (const s of held) if (s.neededToRemove(objects)) await s.acquire(services);
    let report: TeardownReport;
    try {
      report = await teardown(lab, objects, driver, {
        // A record not marked "up" comes from an interrupted run: links it created may lack their alias.
        acceptUnaliasedLinks: state?.status !== "up",
        ovs: () => driver.ovsdb(),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (e) {
      if (state)
        saveLab({
          ...state,
          status: "dirty",
          problem: { message: (e as Error).message, fix: `nslab down ${lab}` },
        });
      throw e;
    }
    for (const s of report.skipped)
      if (s.reason !== "already gone")
        log("warn", `left ${s.object.kind} '${s.object.name}' alone: ${s.reason}`);
    if (report.failures.length > 0) {
      const fix = `nslab down ${lab}`;
      if (state)
        saveLab({
          ...state,
          status: "dirty",
          problem: {
            message: report.failures.map((f) => `${f.object.kind} ${f.object.name}: ${f.message}`).join("; "),
            fix,
          },
        });
      throw new NslabError(
        "E_APPLY",
        `could not remove everything of lab '${lab}':\n  - ${report.failures.map((f) => `${f.object.kind} ${f.object.name}: ${f.message}${f.command ? ` (${f.command})` : ""}`).join("\n  - ")}`,
        { hint: `fix the cause and run '${fix}' again` },
      );
    }
    removeLab(lab);
    removeLabDir(lab);
    await release(held, services);
    return {
      lab,
      found: true,
      removed: report.removed,
      skipped: report.skipped,
      processesEnded: report.processes?.ended ?? 0,
      processesKilled: report.processes?.killed ?? 0,
      leftovers,
      durationMs: performance.now() - started,
    };
  } finally {
    lock.release();
  }
}
