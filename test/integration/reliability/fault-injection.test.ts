/**
 * A failed `up` leaves the host exactly as it found it: operation N is made to fail, for every N
 * of the OVS seed lab and of a lab mixing all three link styles, and after each failure the
 * kernel snapshot (namespaces, root links, OVS bridges and ports, lab records) equals the one
 * taken before.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApplyError } from "../../../src/drivers/apply/executor.js";
import { down } from "../../../src/engine/down.js";
import { planForHost } from "../../../src/engine/plan.js";
import { up } from "../../../src/engine/up.js";
import { loadTopology } from "../../../src/model/load.js";
import { canTouchKernel, mustRun, scopedSnapshot, uniqueTag } from "../../support/kernel.js";

const tag = uniqueTag().slice(1, 5);
const cases = [
  { file: "examples/seed/ovs.yaml", name: `fi-ovs-${tag}`, prefix: `f${tag}-` },
  { file: "examples/mixed.yaml", name: `fi-mix-${tag}`, prefix: `g${tag}-` },
];

describe.skipIf(!canTouchKernel && !mustRun)(
  "fault injection: every operation of a failed up is undone",
  () => {
    afterAll(async () => {
      for (const c of cases) await down(c.name).catch(() => {});
    });

    for (const c of cases) {
      it(`${c.file}: fail at each operation in turn`, async () => {
        const t = await loadTopology(c.file, { name: c.name, prefix: c.prefix });
        // Planned as `up` plans it (with this host's facts: nodes' own environments included).
        const total = (await planForHost(t)).operations.length;
        expect(total).toBeGreaterThan(10);
        const before = scopedSnapshot(c.prefix, c.name);
        for (let n = 1; n <= total; n++) {
          const error = await up(t, { faults: { failOp: n } }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `operation ${n}`).toBeInstanceOf(ApplyError);
          expect((error as ApplyError).message).toContain(`operation ${n} of ${total} failed`);
          expect(scopedSnapshot(c.prefix, c.name), `after a failure at operation ${n}`).toEqual(before);
        }
        // And without a fault it comes up, then goes away completely.
        await up(t);
        expect(scopedSnapshot(c.prefix, c.name)).not.toEqual(before);
        await down(c.name);
        expect(scopedSnapshot(c.prefix, c.name)).toEqual(before);
      });
    }
  },
);
