/**
 * The Open vSwitch database a lab's daemons ran on stays short: `down` of the last lab using the
 * daemons nslab started asks ovsdb-server to compact the file (a log every start replays) once it has
 * grown past COMPACT_MIN_BYTES, before stopping it. A private Open vSwitch (OVS_RUNDIR/OVS_DBDIR/
 * OVS_LOGDIR and NSLAB_STATE_DIR point into this test's scratch directory), so no other lab's daemons
 * or database are touched.
 */
import { statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { COMPACT_MIN_BYTES } from "../../../src/drivers/ovs/index.js";
import { liveProcess } from "../../../src/util/proc.js";
import { canTouchKernel, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { netNames, scratch } from "../../support/net.js";
import { growOvsdbLog, privateOvs } from "../../support/private-ovs.js";

describe.skipIf(!canTouchKernel && !mustRun)(
  "down compacts the database of the daemons nslab started",
  () => {
    const { prefix, lab } = netNames("oc");
    const files = scratch();
    const ovs = privateOvs(files.path("private"));
    const { env, db } = ovs;
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
    afterAll(() => {
      nslab(["down", lab], { env });
      ovs.killLeft();
      files.cleanup();
    });

    it("a grown log is compacted by down, a short one is left as it is", async () => {
      const up = () => {
        const r = nslab(["up", file, "--name", lab, "--prefix", prefix], { env });
        ovs.notePids();
        expect(r.code, r.stderr).toBe(0);
      };
      up();
      let down = nslab(["down", lab], { env });
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).not.toContain("compacted");
      expect(statSync(db).size).toBeLessThan(COMPACT_MIN_BYTES);

      up();
      await growOvsdbLog(ovs.socket, db, COMPACT_MIN_BYTES * 1.5);
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
      for (const pid of ovs.pids()) expect(liveProcess(pid)?.comm ?? "gone").not.toMatch(/^ovs/);
      expect(scopedSnapshot(prefix, lab)).toEqual(before);
    }, 120_000);
  },
);
