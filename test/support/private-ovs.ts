/**
 * A private Open vSwitch for a test that runs labs through the CLI: OVS_RUNDIR, OVS_DBDIR and
 * OVS_LOGDIR (which move the daemons nslab starts, as they move ovs-vsctl) and NSLAB_STATE_DIR (nslab's
 * records) all point into `dir`, so no other lab's daemons, database or records are touched.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { OvsdbClient } from "../../src/drivers/ovs/index.js";
import { liveProcess } from "../../src/util/proc.js";

export interface PrivateOvs {
  /** The environment to run nslab with. */
  env: { NSLAB_STATE_DIR: string; OVS_RUNDIR: string; OVS_DBDIR: string; OVS_LOGDIR: string };
  /** The database file the private ovsdb-server keeps. */
  db: string;
  /** The database socket. */
  socket: string;
  /** Remember the daemons running now (call after each `up`). */
  notePids(): void;
  /** The daemons remembered. */
  pids(): ReadonlySet<number>;
  /** SIGKILL those still running (what a failed test left; `down` stops them otherwise). */
  killLeft(): void;
}

export function privateOvs(dir: string): PrivateOvs {
  const env = {
    NSLAB_STATE_DIR: join(dir, "state"),
    OVS_RUNDIR: join(dir, "run"),
    OVS_DBDIR: join(dir, "db"),
    OVS_LOGDIR: join(dir, "log"),
  };
  for (const d of Object.values(env)) mkdirSync(d, { recursive: true });
  chmodSync(env.NSLAB_STATE_DIR, 0o700);
  const pids = new Set<number>();
  return {
    env,
    db: join(env.OVS_DBDIR, "conf.db"),
    socket: join(env.OVS_RUNDIR, "db.sock"),
    notePids() {
      for (const d of ["ovsdb-server", "ovs-vswitchd"]) {
        const f = join(env.OVS_RUNDIR, `${d}.pid`);
        if (existsSync(f)) pids.add(Number(readFileSync(f, "utf8").trim()));
      }
    },
    pids: () => pids,
    killLeft() {
      // Only this test's own daemons, by the pids their pidfiles gave.
      for (const pid of pids) if (liveProcess(pid)?.comm.startsWith("ovs")) process.kill(pid, "SIGKILL");
    },
  };
}

/**
 * Grow the database file at `db` past `bytes`, a transaction at a time (each appended to its log), as
 * many labs' bridges and ports would: the root row's external_ids rewritten with ~8 kB each time.
 */
export async function growOvsdbLog(socket: string, db: string, bytes: number): Promise<void> {
  const c = await OvsdbClient.connect(socket);
  try {
    for (let i = 0; statSync(db).size < bytes; i++)
      await c.transact([
        {
          op: "update",
          table: "Open_vSwitch",
          where: [],
          row: { external_ids: ["map", [["nslab-it", `${i}:${"x".repeat(8_000)}`]]] },
        },
      ]);
  } finally {
    await c.close();
  }
}
