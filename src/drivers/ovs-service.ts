/**
 * Open vSwitch as a shared service for labs: use the one that runs, or start ovsdb-server and
 * ovs-vswitchd and remember (in /run/nslab/ovs.json) that nslab did; stop exactly those daemons,
 * by PID, when the last lab that needs OVS goes down.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NslabError } from "../errors.js";
import { checkFile, removeFile, stateDir, writeFileAtomic } from "../state/dir.js";
import { acquireLockWaiting, liveLocks } from "../state/lock.js";
import { listLabs, readLab } from "../state/store.js";
import {
  daemonsStartedSince,
  isSameProcess,
  type OvsRuntimePaths,
  ovsDbSocket,
  ovsRuntimePaths,
  probeOvs,
  type StartedOvs,
  startOvs,
  stopOvs,
} from "./ovs/index.js";
import type { Runner } from "./runner/index.js";
import { findBinary } from "./runner/index.js";

/** What a lab learns about the OVS it will use. */
export interface OvsInfo {
  socket: string;
  /** nslab started (some of) the daemons during this call. */
  startedNow: boolean;
  kernelDatapath: boolean;
}

type Log = (message: string) => void;

/** The OVS paths nslab uses (the system's; `NSLAB_OVS_RUNDIR` etc. are not offered on purpose). */
export function ovsPaths(): OvsRuntimePaths {
  return ovsRuntimePaths();
}

function recordFile(): string {
  return join(stateDir(), "ovs.json");
}

/**
 * /run/nslab/ovs.json: the daemons nslab started. `startingSince` (ms) is written before a start
 * begins, so that daemons whose starter was killed before it could record them (kill -9 between
 * spawning ovsdb-server and writing their pids) are still known as nslab's: their pidfiles are
 * newer than that.
 */
interface OvsRecord extends StartedOvs {
  startingSince?: number;
}

/**
 * The record, with the daemons of an interrupted start counted in (in memory: the caller that
 * holds the `_ovs` lock writes the record it decides on; no start can be under way then).
 */
function readRecord(): StartedOvs | undefined {
  const file = recordFile();
  if (!checkFile(file)) return undefined;
  let record: OvsRecord;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as OvsRecord;
  } catch {
    return undefined;
  }
  if (record.startingSince === undefined) return record;
  const orphans = daemonsStartedSince(ovsPaths(), record.startingSince);
  return {
    ovsdbServer: record.ovsdbServer ?? orphans.ovsdbServer,
    vswitchd: record.vswitchd ?? orphans.vswitchd,
  };
}

function writeRecord(record: OvsRecord): void {
  writeFileAtomic(recordFile(), `${JSON.stringify(record)}\n`);
}

/** Make sure ovsdb-server and ovs-vswitchd run; start what is missing. */
export async function ensureOvs(runner: Runner, log: Log): Promise<OvsInfo> {
  for (const bin of ["ovsdb-server", "ovs-vswitchd", "ovsdb-tool"])
    if (!findBinary(bin))
      throw new NslabError("E_ENV", `Open vSwitch is not installed ('${bin}' is missing)`, {
        hint: "install it with: apt-get install openvswitch-switch (or: nslab doctor --install)",
      });
  const paths = ovsPaths();
  const lock = await acquireLockWaiting("_ovs", "ovs start", { onReclaim: log });
  try {
    const probe = await probeOvs(paths);
    if (probe.running && probe.vswitchd)
      return { socket: ovsDbSocket(paths), startedNow: false, kernelDatapath: probe.kernelDatapath };
    log(`starting Open vSwitch (${probe.running ? "ovs-vswitchd" : "ovsdb-server and ovs-vswitchd"})`);
    const before = readRecord();
    const kept: StartedOvs = {
      ovsdbServer: before?.ovsdbServer && isSameProcess(before.ovsdbServer) ? before.ovsdbServer : null,
      vswitchd: before?.vswitchd && isSameProcess(before.vswitchd) ? before.vswitchd : null,
    };
    // Pidfiles are written with 1 s of slack before this moment counted in (mtime granularity).
    writeRecord({ ...kept, startingSince: Date.now() - 1_000 });
    let started: StartedOvs;
    try {
      started = await startOvs(paths, runner);
    } catch (e) {
      // startOvs stopped what it started; nothing new is ours.
      if (kept.ovsdbServer || kept.vswitchd) writeRecord(kept);
      else removeFile(recordFile());
      throw e;
    }
    await testPause();
    writeRecord({
      ovsdbServer: started.ovsdbServer ?? kept.ovsdbServer,
      vswitchd: started.vswitchd ?? kept.vswitchd,
    });
    return { socket: ovsDbSocket(paths), startedNow: true, kernelDatapath: probe.kernelDatapath };
  } finally {
    lock.release();
  }
}

/**
 * Test hook (`NSLAB_TEST_PAUSE_AT=ovs-started`): stop between starting the daemons and recording
 * them, so a test can kill -9 nslab exactly there.
 */
async function testPause(): Promise<void> {
  if (process.env.NSLAB_TEST_PAUSE_AT !== "ovs-started") return;
  process.stderr.write("nslab-test: paused after starting Open vSwitch\n");
  await new Promise((r) => setTimeout(r, 60_000));
}

/**
 * Stop the daemons nslab started, if no lab needs OVS any more (no record uses it and no `up` is
 * under way). `except` is a lab being removed whose record may still exist. Daemons nslab did not
 * start are never touched.
 */
export async function releaseOvs(runner: Runner, log: Log, except?: string): Promise<void> {
  const lock = await acquireLockWaiting("_ovs", "ovs stop", { onReclaim: log });
  try {
    const record = readRecord();
    if (!record) return;
    const users = listLabs().filter((lab) => {
      if (lab === except) return false;
      try {
        return readLab(lab)?.usesOvs ?? false;
      } catch {
        return true; // unreadable record: be conservative, keep OVS
      }
    });
    if (users.length > 0) return;
    // A lab being brought up holds its lock from before it checks that OVS runs until its record
    // says it uses OVS: while one is under way, OVS may be about to be used.
    if (liveLocks().some((l) => l.name !== except && l.command.startsWith("nslab up "))) return;
    const reports = await stopOvs(record, runner);
    for (const r of reports)
      if (r.outcome === "still-running") log(`could not stop ${r.comm} (pid ${r.pid})`);
    removeFile(recordFile());
    if (reports.some((r) => r.outcome === "terminated" || r.outcome === "killed"))
      log("stopped the Open vSwitch daemons nslab had started");
  } finally {
    lock.release();
  }
}

/** Whether nslab is the one running OVS here (for `status` and `doctor`). */
export function ovsStartedByNslab(): boolean {
  const r = readRecord();
  return !!r && [r.ovsdbServer, r.vswitchd].some((d) => d && isSameProcess(d));
}
