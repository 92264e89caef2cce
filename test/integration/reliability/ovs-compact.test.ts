/**
 * The Open vSwitch database a lab's daemons ran on stays short: `down` of the last lab using the
 * daemons nslab started asks ovsdb-server to compact the file (a log every start replays) once it has
 * grown past COMPACT_MIN_BYTES, before stopping it. A private Open vSwitch (OVS_RUNDIR/OVS_DBDIR/
 * OVS_LOGDIR and NSLAB_STATE_DIR point into this test's scratch directory), so no other lab's daemons
 * or database are touched.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMPACT_MIN_BYTES, OvsdbClient } from "../../../src/drivers/ovs/index.js";
import { liveProcess } from "../../../src/util/proc.js";
import { canTouchKernel, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { netNames, scratch } from "../../support/net.js";

describe.skipIf(!canTouchKernel && !mustRun)(
  "down compacts the database of the daemons nslab started",
  () => {
    const { prefix, lab } = netNames("oc");
    const files = scratch();
    const dir = files.path("private");
    const env = {
      NSLAB_STATE_DIR: join(dir, "state"),
      OVS_RUNDIR: join(dir, "run"),
      OVS_DBDIR: join(dir, "db"),
      OVS_LOGDIR: join(dir, "log"),
    };
    for (const d of Object.values(env)) mkdirSync(d, { recursive: true });
    chmodSync(env.NSLAB_STATE_DIR, 0o700);
    const db = join(env.OVS_DBDIR, "conf.db");
    const file = files.file(
      "lab.yaml",
      `name: ${lab}
nodes:
  h1: {interfaces: {eth0: 10.79.0.1/24}}
  sw: {kind: ovs-bridge, datapath: netdev}
links:
  - [h1:eth0, sw:p1]
`,
    );
    const before = scopedSnapshot(prefix, lab);
    const daemonPids = new Set<number>();
    afterAll(() => {
      nslab(["down", lab], { env });
      // The private daemons this test's lab started (down stops them; these are what a failure left).
      for (const pid of daemonPids)
        if (liveProcess(pid)?.comm.startsWith("ovs")) process.kill(pid, "SIGKILL");
      files.cleanup();
    });

    it("a grown log is compacted by down, a short one is left as it is", async () => {
      const up = () => {
        const r = nslab(["up", file, "--name", lab, "--prefix", prefix], { env });
        for (const d of ["ovsdb-server", "ovs-vswitchd"]) {
          const f = join(env.OVS_RUNDIR, `${d}.pid`);
          if (existsSync(f)) daemonPids.add(Number(readFileSync(f, "utf8").trim()));
        }
        expect(r.code, r.stderr).toBe(0);
      };
      up();
      let down = nslab(["down", lab], { env });
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).not.toContain("compacted");
      const short = statSync(db).size;
      expect(short).toBeLessThan(COMPACT_MIN_BYTES);

      up();
      // Grow the log past the threshold, a transaction at a time, as many labs' bridges and ports would.
      const c = await OvsdbClient.connect(join(env.OVS_RUNDIR, "db.sock"));
      try {
        for (let i = 0; statSync(db).size < COMPACT_MIN_BYTES * 1.5; i++)
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
      const grown = statSync(db).size;
      down = nslab(["down", lab], { env });
      expect(down.code, down.stderr).toBe(0);
      // down's own transactions (its bridge and port removed) come before the compaction: a little more.
      const m = /compacted the Open vSwitch database \((.+): (\d+) KiB → (\d+) KiB\)/.exec(down.stderr);
      expect(m, down.stderr).not.toBeNull();
      expect(m![1]).toBe(db);
      expect(Number(m![2])).toBeGreaterThanOrEqual(Math.ceil(grown / 1024));
      expect(Number(m![3]) * 1024).toBeGreaterThanOrEqual(statSync(db).size);
      expect(down.stderr).toContain("stopped the Open vSwitch daemons nslab had started");
      expect(statSync(db).size).toBeLessThan(64 * 1024);
      for (const pid of daemonPids) expect(liveProcess(pid)?.comm ?? "gone").not.toMatch(/^ovs/);
      expect(scopedSnapshot(prefix, lab)).toEqual(before);
    }, 120_000);
  },
);
