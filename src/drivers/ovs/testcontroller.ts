/**
 * Debian's `ovs-testcontroller` (package openvswitch-testcontroller), the controller Mininet runs as
 * its default one: a learning switch for every bridge that connects. nslab runs one for the labs
 * that ask for `controller: default`, as a daemon it knows by pid, comm and start time (pidfile and
 * control socket in nslab's state directory). It listens on a unix socket in OVS's run directory:
 * ovs-vswitchd connects to no unix socket elsewhere ("possibility for remote exploit"). Starting
 * and stopping it; the policy (who needs it, when it stops) is the engine's service.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fnv1a32 } from "../../util/hash.js";
import type { Runner } from "../runner/index.js";
import { type DaemonHandle, isSameProcess, readOwnPidfile, stopDaemon } from "./daemon-process.js";
import { startDaemon } from "./daemons.js";

const COMM = "ovs-testcontroller";

/** Where the controller run for the nslab state directory `dir` keeps its files. */
export interface TestControllerFiles {
  /** The socket it listens on, in OVS's run directory. */
  socket: string;
  pidfile: string;
  unixctl: string;
}

/**
 * The files of the controller of state directory `dir`, its socket in OVS's run directory `ovsRunDir`
 * (named after `dir` unless it is the default /run/nslab, so private state directories of tests
 * never share one).
 */
export function testControllerFiles(dir: string, ovsRunDir: string): TestControllerFiles {
  const tag = dir === "/run/nslab" ? "" : `-${fnv1a32(dir).toString(16).padStart(8, "0")}`;
  return {
    socket: join(ovsRunDir, `nslab-testcontroller${tag}.sock`),
    pidfile: join(dir, `${COMM}.pid`),
    unixctl: join(dir, `${COMM}.ctl`),
  };
}

/**
 * Start the controller in `dir` (it returns once it listens, detached). Flows it installs expire
 * after 60 s idle, as Mininet's default controller's do. It speaks OpenFlow up to 1.4: with 1.5 the
 * packet-outs of ovs-testcontroller 3.1 carry an uninitialised packet_type mask and ovs-vswitchd
 * refuses some of them at random (OFPBMC_BAD_MASK), so a lab's first pings were lost now and then.
 */
export async function startTestController(
  runner: Runner,
  dir: string,
  f: TestControllerFiles,
): Promise<DaemonHandle> {
  rmSync(f.socket, { force: true });
  return startDaemon(runner, dir, COMM, 30_000, { OVS_RUNDIR: dir }, [
    "--detach",
    "--no-chdir",
    `--pidfile=${f.pidfile}`,
    `--unixctl=${f.unixctl}`,
    "-vsyslog:off",
    "--protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14",
    `punix:${f.socket}`,
  ]);
}

/** A controller left running in `dir` by a start that began at `since` (ms) and died before saying so. */
export function orphanTestController(f: TestControllerFiles, since: number): DaemonHandle | null {
  return readOwnPidfile(f.pidfile, COMM, since);
}

/** Whether `handle` is a controller still running and listening. */
export function testControllerAlive(handle: DaemonHandle, f: TestControllerFiles): boolean {
  return isSameProcess(handle) && existsSync(f.socket);
}

/** Stop the controller `handle` names (never another process) and remove its files. */
export async function stopTestController(
  handle: DaemonHandle | null,
  f: TestControllerFiles,
): Promise<boolean> {
  const stopped = handle ? (await stopDaemon(handle, 5_000)).outcome : "not-running";
  for (const file of [f.socket, f.pidfile, f.unixctl]) rmSync(file, { force: true });
  return stopped === "terminated" || stopped === "killed";
}
