/** The OVS daemons (ovsdb-server, ovs-vswitchd) on hosts without an init system: probe, start, stop. */
import { existsSync, mkdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { NslabError } from "../../errors.js";
import { type Runner, systemRunner } from "../runner/index.js";
import { ensureRootRow } from "./bridges.js";
import {
  type DaemonHandle,
  isSameProcess,
  readOwnPidfile,
  type StopReport,
  stopDaemon,
} from "./daemon-process.js";
import { JsonRpcConnection } from "./jsonrpc.js";
import { vswitchdAlive } from "./liveness.js";
import { OvsdbClient } from "./ovsdb.js";

/** Where the packaged OVS keeps its sockets and pidfiles. */
export const DEFAULT_OVS_RUN_DIR = "/var/run/openvswitch";
const DEFAULT_DB_LINK = "/etc/openvswitch/conf.db";
const DEFAULT_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
const DEFAULT_LOG_DIR = "/var/log/openvswitch";

/** Every path the daemons use. Tests point all of them into a private temp dir. */
export interface OvsRuntimePaths {
  /** Sockets (`db.sock`, control sockets) and pidfiles. */
  runDir: string;
  /** The database file (on Debian the target of the /etc/openvswitch/conf.db symlink). */
  dbPath: string;
  /** The schema a missing database is created from. */
  schemaPath: string;
  /** Where `ovsdb-server.log` and `ovs-vswitchd.log` go. */
  logDir: string;
}

/** What {@link probeOvs} found. */
export interface OvsProbe {
  /** The database socket accepts a connection and answers `list_dbs`. */
  running: boolean;
  /** ovs-vswitchd is alive (its pidfile names a live ovs-vswitchd, or its control socket answers). */
  vswitchd: boolean;
  /** The openvswitch kernel module is loaded (else only `datapath_type=netdev` bridges work). */
  kernelDatapath: boolean;
}

/** The daemons {@link startOvs} started; null for one that was already running (not ours to stop). */
export interface StartedOvs {
  ovsdbServer: DaemonHandle | null;
  vswitchd: DaemonHandle | null;
}

/**
 * The default paths, with `overrides` applied; every path is made absolute (the daemons chdir to /).
 * OVS's own variables move them as they move ovs-vsctl's: OVS_RUNDIR, OVS_DBDIR (conf.db), OVS_LOGDIR
 * (a private Open vSwitch, e.g. a test's, with NSLAB_STATE_DIR pointing nslab's records elsewhere too).
 */
export function ovsRuntimePaths(
  overrides: Partial<OvsRuntimePaths> = {},
  env: NodeJS.ProcessEnv = process.env,
): OvsRuntimePaths {
  return {
    runDir: resolve(overrides.runDir ?? (env.OVS_RUNDIR || DEFAULT_OVS_RUN_DIR)),
    dbPath: resolve(
      overrides.dbPath ?? (env.OVS_DBDIR ? `${env.OVS_DBDIR}/conf.db` : followLink(DEFAULT_DB_LINK)),
    ),
    schemaPath: resolve(overrides.schemaPath ?? DEFAULT_SCHEMA),
    logDir: resolve(overrides.logDir ?? (env.OVS_LOGDIR || DEFAULT_LOG_DIR)),
  };
}

/** The database socket under `runDir`. */
export function ovsDbSocket(paths: OvsRuntimePaths): string {
  return `${paths.runDir}/db.sock`;
}

/** Is OVS up at these paths? Never throws for "not running". */
export async function probeOvs(
  paths: OvsRuntimePaths,
  options: { timeoutMs?: number; sysModuleDir?: string } = {},
): Promise<OvsProbe> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    running: await dbAnswers(ovsDbSocket(paths), timeoutMs),
    vswitchd: await vswitchdAlive(paths.runDir, timeoutMs),
    kernelDatapath: existsSync(`${options.sysModuleDir ?? "/sys/module"}/openvswitch`),
  };
}

/**
 * Start whatever of ovsdb-server and ovs-vswitchd is not running at `paths`: create the database if
 * missing, start ovsdb-server, wait for its socket, ensure the root row, start ovs-vswitchd, and wait
 * until it has applied a fresh `next_cfg` (proof it is connected and configuring). If a step fails,
 * the daemons this call started are stopped again.
 */
export async function startOvs(
  paths: OvsRuntimePaths,
  runner: Runner = systemRunner,
  options: { timeoutMs?: number } = {},
): Promise<StartedOvs> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const socket = ovsDbSocket(paths);
  const unixctl = (name: string) =>
    isDefaultRunDir(paths.runDir) ? [] : [`--unixctl=${paths.runDir}/${name}.ctl`];
  const env = { OVS_RUNDIR: paths.runDir, OVS_LOGDIR: paths.logDir };
  const started: StartedOvs = { ovsdbServer: null, vswitchd: null };
  const probe = await probeOvs(paths);
  try {
    mkdirSync(paths.runDir, { recursive: true, mode: 0o755 });
    mkdirSync(paths.logDir, { recursive: true, mode: 0o750 });
    if (!probe.running) {
      if (!existsSync(paths.dbPath)) {
        mkdirSync(dirname(paths.dbPath), { recursive: true, mode: 0o755 });
        await runner.run(["ovsdb-tool", "create", paths.dbPath, paths.schemaPath], { timeoutMs });
      }
      started.ovsdbServer = await startDaemon(runner, paths.runDir, "ovsdb-server", timeoutMs, env, [
        paths.dbPath,
        `--remote=punix:${socket}`,
        `--pidfile=${paths.runDir}/ovsdb-server.pid`,
        ...unixctl("ovsdb-server"),
        "--detach",
        `--log-file=${paths.logDir}/ovsdb-server.log`,
      ]);
      await waitForDb(socket, timeoutMs);
    }
    const client = await OvsdbClient.connect(socket, { timeoutMs });
    try {
      await ensureRootRow(client);
      if (!probe.vswitchd) {
        started.vswitchd = await startDaemon(runner, paths.runDir, "ovs-vswitchd", timeoutMs, env, [
          `unix:${socket}`,
          `--pidfile=${paths.runDir}/ovs-vswitchd.pid`,
          ...unixctl("ovs-vswitchd"),
          "--detach",
          `--log-file=${paths.logDir}/ovs-vswitchd.log`,
        ]);
        // Up = it acknowledges a configuration change we make now. (cur_cfg == next_cfg alone proves
        // nothing: both are 0 in a fresh database before any vswitchd ever ran.)
        await client.waitForCfg(await client.bumpNextCfg(), timeoutMs);
      }
    } finally {
      await client.close();
    }
    return started;
  } catch (e) {
    await stopOvs(started);
    throw e;
  }
}

/**
 * Stop the daemons {@link startOvs} started (ovs-vswitchd first): SIGTERM to exactly those pids after
 * checking /proc/PID/comm and the start time still match, up to `graceMs` (5 s) for each to exit,
 * then SIGKILL. A pid that now belongs to another process is left alone. Never kills by name.
 * `_runner` is accepted for symmetry with startOvs; signals go through process.kill.
 */
export async function stopOvs(
  started: StartedOvs,
  _runner: Runner = systemRunner,
  options: { graceMs?: number } = {},
): Promise<StopReport[]> {
  const graceMs = options.graceMs ?? 5_000;
  const reports: StopReport[] = [];
  for (const handle of [started.vswitchd, started.ovsdbServer]) {
    if (handle) reports.push(await stopDaemon(handle, graceMs));
  }
  return reports;
}

/** Past this size {@link compactDb} compacts the database (replaying it costs ~20 ms of a start here). */
export const COMPACT_MIN_BYTES = 256 * 1024;

/**
 * Have `server` (an ovsdb-server {@link startOvs} started at `paths`, still the same process) write its
 * database as one snapshot, when the file has grown past `minBytes`. The file is a log of every
 * transaction since its last snapshot, and ovsdb-server reads all of it at each start; it snapshots by
 * itself only after running a while, which a server started for a lab and stopped after it seldom
 * does. On the development VM a day of labs had grown it to 17 MB, 1.36 s of every start (32 ms once
 * compacted, which took 47 ms). Asked over the server's own control socket (unixctl speaks JSON-RPC),
 * without starting a process. The file's sizes before and after, or undefined when it was left alone.
 */
export async function compactDb(
  paths: OvsRuntimePaths,
  server: DaemonHandle,
  options: { minBytes?: number; timeoutMs?: number } = {},
): Promise<{ beforeBytes: number; afterBytes: number } | undefined> {
  const beforeBytes = fileSize(paths.dbPath);
  if (beforeBytes < (options.minBytes ?? COMPACT_MIN_BYTES) || !isSameProcess(server)) return undefined;
  // The control socket as startOvs asked for it: PID-named in the packaged run dir, else by name.
  const ctl = isDefaultRunDir(paths.runDir)
    ? `${paths.runDir}/ovsdb-server.${server.pid}.ctl`
    : `${paths.runDir}/ovsdb-server.ctl`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const c = await JsonRpcConnection.connect(ctl, {
    connectTimeoutMs: timeoutMs,
    requestTimeoutMs: timeoutMs,
  });
  try {
    await c.request("ovsdb-server/compact", []);
  } finally {
    await c.close();
  }
  return { beforeBytes, afterBytes: fileSize(paths.dbPath) };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------

export async function startDaemon(
  runner: Runner,
  runDir: string,
  comm: string,
  timeoutMs: number,
  env: Record<string, string>,
  args: string[],
): Promise<DaemonHandle> {
  const pidfile = `${runDir}/${comm}.pid`;
  const since = Date.now() - 1_000;
  try {
    // With --detach the command returns once the daemon is initialised (ovs-vswitchd: after its
    // first configuration pass).
    await runner.run([comm, ...args], { timeoutMs, env });
  } catch (e) {
    // A daemon that never finished initialising is still running detached: stop it before failing.
    const orphan = readOwnPidfile(pidfile, comm, since);
    if (orphan) await stopDaemon(orphan, 5_000);
    throw e;
  }
  const handle = readOwnPidfile(pidfile, comm, since);
  if (!handle) {
    throw new NslabError("E_ENV", `${comm} reported success but ${pidfile} names no live ${comm}`, {
      hint: `see ${comm}.log`,
    });
  }
  return handle;
}

/**
 * The daemons at `paths` whose pidfiles were written since `since` (ms) and name a live process of
 * the right kind: what a start begun at `since` left running if the starter died before it could
 * say so (see `ensureOvs`).
 */
export function daemonsStartedSince(paths: OvsRuntimePaths, since: number): StartedOvs {
  return {
    ovsdbServer: readOwnPidfile(`${paths.runDir}/ovsdb-server.pid`, "ovsdb-server", since),
    vswitchd: readOwnPidfile(`${paths.runDir}/ovs-vswitchd.pid`, "ovs-vswitchd", since),
  };
}

/** Wait until the socket at `path` answers `list_dbs` (ovsdb-server may still be binding it). */
async function waitForDb(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await dbAnswers(path, 1_000))) {
    if (Date.now() >= deadline) {
      throw new NslabError("E_ENV", `ovsdb-server did not answer on ${path} within ${timeoutMs} ms`, {
        hint: "see ovsdb-server.log",
      });
    }
    await sleep(50);
  }
}

async function dbAnswers(path: string, timeoutMs: number): Promise<boolean> {
  let client: OvsdbClient | undefined;
  try {
    client = await OvsdbClient.connect(path, { timeoutMs });
    await client.listDbs();
    return true;
  } catch {
    return false;
  } finally {
    await client?.close();
  }
}

function isDefaultRunDir(runDir: string): boolean {
  return realOrSelf(runDir) === realOrSelf(DEFAULT_OVS_RUN_DIR);
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The target of a symlink (even a dangling one), or the path itself. */
function followLink(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return resolve(dirname(path), readlinkSync(path));
    } catch {
      return path;
    }
  }
}
