/**
 * Open vSwitch as a shared service for labs: use the one that runs, or start ovsdb-server and
 * ovs-vswitchd and remember (in /run/nslab/ovs.json) that nslab did; stop exactly those daemons, by
 * PID, when the last lab that needs OVS goes down. The daemons themselves (probe, start, stop) are
 * drivers/ovs/daemons.ts; this file is the policy.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { vswitchdTimeout } from "../../drivers/apply/ovs-channel.js";
import { recordWriteHook } from "../../drivers/faults.js";
import {
  compactDb,
  daemonsStartedSince,
  isSameProcess,
  OvsdbClient,
  ovsDbSocket,
  ovsRuntimePaths,
  probeOvs,
  type StartedOvs,
  startOvs,
  stopOvs,
} from "../../drivers/ovs/index.js";
import { findBinary } from "../../drivers/runner/index.js";
import { NslabError } from "../../errors.js";
import {
  checkFile,
  fileOrTemps,
  removeFile,
  removeStaleTemps,
  stateDir,
  writeFileAtomic,
} from "../../state/dir.js";
import { acquireLockWaiting } from "../../state/lock.js";
import { ovsLabHealth } from "./ovs-health.js";
import type { HostService, ServiceContext } from "./service.js";
import { heldByOthers } from "./users.js";

/** The lock every lab takes around starting and stopping the daemons. */
const LOCK = "_ovs";

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
  const orphans = daemonsStartedSince(ovsRuntimePaths(), record.startingSince);
  return {
    ovsdbServer: record.ovsdbServer ?? orphans.ovsdbServer,
    vswitchd: record.vswitchd ?? orphans.vswitchd,
  };
}

function writeRecord(record: OvsRecord, hook: { beforeRename?: () => void } = {}): void {
  writeFileAtomic(recordFile(), `${JSON.stringify(record)}\n`, hook);
}

/** Under the `_ovs` lock: remove temp files of ovs.json whose writer died mid-write. */
function clearLeftovers(ctx: ServiceContext): void {
  for (const f of removeStaleTemps(recordFile()))
    ctx.log("info", `removed ${f}, left by an nslab process that died writing it`);
}

const info = (ctx: ServiceContext) => (m: string) => ctx.log("info", m);

export const ovsService: HostService = {
  name: "Open vSwitch",

  neededBy: (ops) => ops.some((o) => o.op.startsWith("ovs.")),

  heldBy: (record) => record.usesOvs,

  neededToRemove: (objects) => objects.some((o) => o.kind === "ovs-bridge"),

  /** Make sure ovsdb-server and ovs-vswitchd run; start what is missing. */
  async acquire(ctx) {
    for (const bin of ["ovsdb-server", "ovs-vswitchd", "ovsdb-tool"])
      if (!findBinary(bin))
        throw new NslabError("E_ENV", `Open vSwitch is not installed ('${bin}' is missing)`, {
          hint: "install it with: apt-get install openvswitch-switch (or: nslab doctor --install)",
        });
    const paths = ovsRuntimePaths();
    const lock = await acquireLockWaiting(LOCK, "ovs start", { onReclaim: info(ctx) });
    try {
      clearLeftovers(ctx);
      const probe = await probeOvs(paths);
      if (probe.running && probe.vswitchd) return { started: false };
      ctx.log(
        "info",
        `starting Open vSwitch (${probe.running ? "ovs-vswitchd" : "ovsdb-server and ovs-vswitchd"})`,
      );
      const before = readRecord();
      const kept: StartedOvs = {
        ovsdbServer: before?.ovsdbServer && isSameProcess(before.ovsdbServer) ? before.ovsdbServer : null,
        vswitchd: before?.vswitchd && isSameProcess(before.vswitchd) ? before.vswitchd : null,
      };
      // Pidfiles are written with 1 s of slack before this moment counted in (mtime granularity).
      writeRecord(
        { ...kept, startingSince: Date.now() - 1_000 },
        recordWriteHook(ctx.faults, "ovs", recordFile()),
      );
      let started: StartedOvs;
      try {
        started = await startOvs(paths, ctx.runner);
      } catch (e) {
        // startOvs stopped what it started; nothing new is ours.
        if (kept.ovsdbServer || kept.vswitchd) writeRecord(kept);
        else removeFile(recordFile());
        throw e;
      }
      if (ctx.faults.pauseAfterOvsStart) await pause();
      writeRecord({
        ovsdbServer: started.ovsdbServer ?? kept.ovsdbServer,
        vswitchd: started.vswitchd ?? kept.vswitchd,
      });
      return { started: true };
    } finally {
      lock.release();
    }
  },

  // No record of daemons nslab started, nor a temp file of one: nothing to stop or clean up.
  unused: () => !fileOrTemps(recordFile()),

  /**
   * Stop the daemons nslab started, if no lab needs OVS any more (no record uses it and no `up` is
   * under way). Daemons nslab did not start are never touched.
   */
  async release(ctx) {
    const lock = await acquireLockWaiting(LOCK, "ovs stop", { onReclaim: info(ctx) });
    try {
      clearLeftovers(ctx);
      const record = readRecord();
      if (!record) return;
      if (heldByOthers(ovsService, ctx.lab)) return;
      const paths = ovsRuntimePaths();
      if (record.vswitchd) await vswitchdIdle(ovsDbSocket(paths));
      // The next start replays the database's whole log: leave it short (a failure only costs that).
      if (record.ovsdbServer)
        await compactDb(paths, record.ovsdbServer).then(
          (done) => {
            if (done)
              ctx.log(
                "info",
                `compacted the Open vSwitch database (${paths.dbPath}: ${kib(done.beforeBytes)} → ${kib(done.afterBytes)})`,
              );
          },
          (e: unknown) =>
            ctx.log("warn", `could not compact the Open vSwitch database: ${(e as Error).message}`),
        );
      const reports = await stopOvs(record, ctx.runner);
      for (const r of reports)
        if (r.outcome === "still-running") ctx.log("info", `could not stop ${r.comm} (pid ${r.pid})`);
      removeFile(recordFile());
      if (reports.some((r) => r.outcome === "terminated" || r.outcome === "killed"))
        ctx.log("info", "stopped the Open vSwitch daemons nslab had started");
    } finally {
      lock.release();
    }
  },

  checkLab: (ctx) => ovsLabHealth(ctx),

  async health() {
    if (!findBinary("ovsdb-server")) return undefined;
    const paths = ovsRuntimePaths();
    const probe = await probeOvs(paths, { timeoutMs: 1000 });
    return {
      name: "OVS daemons",
      status: "ok",
      detail: probe.running
        ? `running (${ovsDbSocket(paths)}${probe.vswitchd ? ", ovs-vswitchd up" : ", ovs-vswitchd NOT running"})`
        : "not running: nslab starts ovsdb-server and ovs-vswitchd when a lab needs them, and stops them after",
    };
  },
};

/**
 * Let ovs-vswitchd finish what it was given (the last lab's `down` does not wait for it to release
 * the ports of the bridges it deleted): a daemon stopped mid-work gets SIGKILL after the grace time.
 * Bounded; stopping goes on either way.
 */
async function vswitchdIdle(socket: string): Promise<void> {
  let client: OvsdbClient | undefined;
  try {
    client = await OvsdbClient.connect(socket, { timeoutMs: 5_000 });
    await client.waitForCfg(await client.pendingCfg(), vswitchdTimeout(1000));
  } catch {
    // Not answering: stopOvs ends it anyway.
  } finally {
    await client?.close();
  }
}

/** The fault `pause=ovs-started`: stop between starting the daemons and recording them (kill -9 here). */
async function pause(): Promise<void> {
  process.stderr.write("nslab-test: paused after starting Open vSwitch\n");
  await new Promise((r) => setTimeout(r, 60_000));
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;
