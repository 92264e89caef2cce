/**
 * The OpenFlow controller nslab runs for labs that ask for `controller: default` (Mininet's
 * `--controller default`): one ovs-testcontroller for all of them, listening on a unix socket in
 * OVS's run directory, started by the first lab that needs it and stopped, by pid and start time,
 * when the last one goes down (also after a `kill -9`, by whichever nslab runs next). It is
 * remembered in /run/nslab/ovs-testcontroller.json; `startingSince` is written before a start, so
 * a controller whose starter died before recording it is still found (by its pidfile) and stopped.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DaemonHandle, ovsRuntimePaths } from "../../drivers/ovs/index.js";
import {
  orphanTestController,
  startTestController,
  stopTestController,
  type TestControllerFiles,
  testControllerAlive,
  testControllerFiles,
} from "../../drivers/ovs/testcontroller.js";
import { findBinary } from "../../drivers/runner/index.js";
import { NslabError } from "../../errors.js";
import type { Topology } from "../../model/types.js";
import { checkFile, fileOrTemps, removeFile, stateDir, stateRoot, writeFileAtomic } from "../../state/dir.js";
import { acquireLockWaiting } from "../../state/lock.js";
import type { HostService, ServiceContext } from "./service.js";
import { heldByRecords, upsUnderWay } from "./users.js";

const LOCK = "_testcontroller";

/** The files of the controller of this state directory. */
function files(): TestControllerFiles {
  return testControllerFiles(stateRoot(), ovsRuntimePaths().runDir);
}

/** The controller target bridges with `controller: default` connect to (no I/O: plans use it). */
export function defaultControllerTarget(): string {
  return `unix:${files().socket}`;
}

/** Whether a topology asks for the controller nslab runs. */
export function usesDefaultController(t: Topology): boolean {
  return t.nodes.some((n) => n.kind === "ovs-bridge" && n.openflow?.controllers.includes("default"));
}

interface Record {
  handle?: DaemonHandle;
  startingSince?: number;
  /**
   * The labs whose `up` acquired the controller: one still under way keeps it running though its
   * record does not say so yet (other labs' ups, which may not need it, do not).
   */
  claims?: string[];
}

const recordFile = () => join(stateDir(), "ovs-testcontroller.json");

function readRecord(): Record | null {
  const file = recordFile();
  if (!checkFile(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record;
  } catch {
    return null;
  }
}

/** The controller nslab runs now, if any (counting one whose starter died before recording it). */
function running(): DaemonHandle | null {
  const r = readRecord();
  if (!r) return null;
  if (r.handle) return r.handle;
  return r.startingSince !== undefined ? orphanTestController(files(), r.startingSince) : null;
}

export const testControllerService: HostService = {
  name: "OpenFlow test controller",

  neededBy: (ops) => {
    const target = defaultControllerTarget();
    return ops.some((o) => o.op === "ovs.bridge.set" && o.controllers.includes(target));
  },

  heldBy: (record) => usesDefaultController(record.topology),

  neededToRemove: () => false,

  async acquire(ctx) {
    if (!findBinary("ovs-testcontroller"))
      throw new NslabError(
        "E_ENV",
        "'controller: default' needs ovs-testcontroller, which is not installed",
        {
          hint: "install it with: apt-get install openvswitch-testcontroller (or give a controller of your own)",
        },
      );
    const lock = await acquireLockWaiting(LOCK, "testcontroller start", {
      onReclaim: (m) => ctx.log("info", m),
    });
    try {
      const f = files();
      const now = running();
      if (now && testControllerAlive(now, f)) {
        const r = readRecord() ?? {};
        const claims = [...new Set([...(r.claims ?? []), ctx.lab])];
        writeFileAtomic(recordFile(), `${JSON.stringify({ ...r, claims })}\n`);
        return { started: false };
      }
      if (now) await stopTestController(now, f); // alive but not listening: start afresh
      writeFileAtomic(recordFile(), `${JSON.stringify({ startingSince: Date.now() - 1_000 })}\n`);
      let handle: DaemonHandle;
      try {
        handle = await startTestController(ctx.runner, stateDir(), f);
      } catch (e) {
        removeFile(recordFile());
        throw e;
      }
      writeFileAtomic(recordFile(), `${JSON.stringify({ handle, claims: [ctx.lab] })}\n`);
      ctx.log("info", `started ovs-testcontroller (pid ${handle.pid}) at ${defaultControllerTarget()}`);
      return { started: true };
    } finally {
      lock.release();
    }
  },

  unused: () => !fileOrTemps(recordFile()),

  async release(ctx: ServiceContext) {
    const lock = await acquireLockWaiting(LOCK, "testcontroller stop", {
      onReclaim: (m) => ctx.log("info", m),
    });
    try {
      const r = readRecord();
      if (!r) return;
      const claims = (r.claims ?? []).filter((lab) => lab !== ctx.lab);
      if (heldByRecords(testControllerService, ctx.lab) || upsUnderWay(claims, ctx.lab).length > 0) {
        writeFileAtomic(recordFile(), `${JSON.stringify({ ...r, claims })}\n`);
        return;
      }
      if (await stopTestController(running(), files()))
        ctx.log("info", "stopped the ovs-testcontroller nslab had started");
      removeFile(recordFile());
    } finally {
      lock.release();
    }
  },

  async health() {
    if (!findBinary("ovs-testcontroller")) return undefined;
    const now = running();
    return {
      name: "OpenFlow test controller",
      status: "ok",
      detail:
        now && testControllerAlive(now, files())
          ? `running (pid ${now.pid}, ${defaultControllerTarget()}) for labs with 'controller: default'`
          : "not running: nslab starts ovs-testcontroller for labs with 'controller: default', and stops it after",
    };
  },
};
