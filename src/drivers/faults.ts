/**
 * Failures injected on purpose, to test rollback and recovery against the real kernel: the one seam
 * for them. A `Faults` value travels with the driver (engine options → the driver factory); the
 * points that honour it are the executor (an operation fails, or `up` pauses before one), the
 * teardown of a rollback (its first removal fails), the start of the shared OVS daemons (a pause
 * between starting and recording them, to kill nslab exactly there) and the writes of state files
 * (a pause with the temp file written, not yet renamed). Nothing reads the environment
 * for them: the CLI entry turns `NSLAB_TEST_FAULTS` into a `Faults` value, once ({@link parseFaults}).
 */
import { writeSync } from "node:fs";
import { NslabError } from "../errors.js";

/** What to break, and where. Empty: nothing (the default). */
export interface Faults {
  /** Operation N (1-based) of the plan `up` applies fails as if the kernel refused it. */
  failOp?: number;
  /** Before operation N of that plan, say so on stderr and wait (up to 60 s) for an interrupt. */
  pauseOp?: number;
  /** After starting the OVS daemons, before recording them: say so on stderr and wait 60 s. */
  pauseAfterOvsStart?: boolean;
  /** The first removal of a rollback fails without being attempted ("the rollback failed too"). */
  failRollback?: boolean;
  /**
   * Inside a state-file write, between writing its temp file and renaming it into place, say so on
   * stderr and block (up to 60 s): `lab` — the first write of a new lab's record (its intent);
   * `ovs` — the first write of /run/nslab/ovs.json. Where a `kill -9` leaves a temp file behind.
   */
  pauseInRecordWrite?: "lab" | "ovs";
}

/** The environment variable the CLI reads faults from (tests only). */
export const FAULTS_ENV = "NSLAB_TEST_FAULTS";

/**
 * Faults from their text form: comma-separated `fail-op=N`, `pause-op=N`, `pause=ovs-started`,
 * `pause=lab-record-write`, `pause=ovs-record-write`, `fail-rollback` (e.g.
 * `NSLAB_TEST_FAULTS=fail-op=60,fail-rollback`). Empty or undefined: none.
 */
export function parseFaults(text: string | undefined): Faults {
  const faults: Faults = {};
  for (const item of (text ?? "").split(",")) {
    const part = item.trim();
    if (!part) continue;
    const [key, value] = part.split("=", 2) as [string, string | undefined];
    const n = Number(value);
    const count = value !== undefined && /^\d+$/.test(value) && n >= 1 ? n : undefined;
    if (key === "fail-op" && count !== undefined) faults.failOp = count;
    else if (key === "pause-op" && count !== undefined) faults.pauseOp = count;
    else if (key === "pause" && value === "ovs-started") faults.pauseAfterOvsStart = true;
    else if (key === "pause" && value === "lab-record-write") faults.pauseInRecordWrite = "lab";
    else if (key === "pause" && value === "ovs-record-write") faults.pauseInRecordWrite = "ovs";
    else if (key === "fail-rollback" && value === undefined) faults.failRollback = true;
    else
      throw new NslabError("E_USAGE", `${FAULTS_ENV}: cannot read '${part}'`, {
        hint: "write fail-op=N, pause-op=N, pause=ovs-started, pause=lab-record-write, pause=ovs-record-write or fail-rollback, separated by commas",
      });
  }
  return faults;
}

/**
 * The hook a state-file write runs between its temp file and the rename: the `pauseInRecordWrite`
 * fault when it names `which` (the write is synchronous, so this blocks the thread: a test kills the
 * process there), else nothing.
 */
export function recordWriteHook(
  faults: Faults,
  which: "lab" | "ovs",
  what: string,
): { beforeRename?: () => void } {
  if (faults.pauseInRecordWrite !== which) return {};
  return {
    beforeRename: () => {
      writeSync(2, `nslab-test: paused while writing ${what}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    },
  };
}
