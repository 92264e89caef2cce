/**
 * Undoing applied operations: objects they created are removed through the ownership-checked
 * teardown (fast, and never touching what is not the lab's); changes they made to objects that
 * already existed (an address on a running namespace, a port on a running bridge) are undone by
 * their inverse operations. With the fault `fail-rollback`, the first removal fails (tests).
 */
import type { OpOutcome } from "../drivers/apply/types.js";
import type { Driver } from "../drivers/driver.js";
import { inverseOps } from "../plan/inverse.js";
import type { Op } from "../plan/ops.js";
import type { OwnedObject } from "../state/store.js";
import { createdObjects } from "./inventory.js";
import { type TeardownReport, teardown } from "./teardown.js";

/** The operations that changed something, by their outcomes. */
export function appliedOps(ops: readonly Op[], outcomes: readonly OpOutcome[]): Op[] {
  return ops.filter((_, i) => outcomes[i]?.status === "ok" || outcomes[i]?.status === "partial");
}

/**
 * Undo `applied` (operations of this run, in the order they were applied). `existed`: what the lab
 * owned before this run (changing a running lab): a firewall part it had already is not removed as
 * a whole (by comment), only this run's rules, one by one.
 */
export async function rollback(
  lab: string,
  applied: readonly Op[],
  driver: Driver,
  existed: readonly OwnedObject[] = [],
): Promise<TeardownReport["failures"]> {
  const created = createdObjects(applied).filter(
    (o) => o.kind !== "firewall" || !existed.some((x) => x.kind === o.kind && x.name === o.name),
  );
  const report = await teardown(lab, created, driver, {
    acceptUnaliasedLinks: true,
    ovs: () => driver.ovsdb(),
    ...(driver.faults.failRollback ? { failFirst: true } : {}),
  });
  const failures = [...report.failures];
  // Changes to things that existed before this run (the created ones went with the teardown).
  const rest = inverseOps(applied).filter((op) => !undoneByTeardown(op, created));
  if (rest.length > 0) {
    const r = await driver.apply(rest, { mode: "continue" });
    r.outcomes.forEach((o, i) => {
      // Gone already (e.g. the other end's namespace was deleted) is what undoing wanted.
      if ((o.status === "failed" || o.status === "partial") && !ALREADY_GONE.test(o.message))
        failures.push({
          object: { kind: "link", name: describe(rest[i]!) },
          message: o.message,
          command: o.command,
        });
    });
  }
  return failures;
}

const ALREADY_GONE =
  /Cannot find device|No such device|No such process|Cannot assign requested address|No such file system|ENOENT|ENODEV|ESRCH/;

function undoneByTeardown(op: Op, created: ReturnType<typeof createdObjects>): boolean {
  const has = (kind: string, name: string) => created.some((o) => o.kind === kind && o.name === name);
  if (op.op === "netns.del") return has("netns", op.ns);
  if (op.op === "link.del") return op.ns === null ? has("link", op.dev) : false;
  if (op.op === "ovs.bridge.del") return has("ovs-bridge", op.bridge);
  // The lab's file system goes whole (with every node's mount namespace), /etc/netns entries too.
  if (op.op === "labfs.umount") return has("labfs", op.path);
  if (op.op === "mntns.del") return created.some((o) => o.kind === "labfs");
  // The teardown finds the entries' hosts file by the lab's file system: without it (an added node
  // of a running lab), their inverse operations remove them.
  if (op.op === "etcnetns.del") return has("etc-netns", op.ns) && created.some((o) => o.kind === "labfs");
  // The lab's firewall part goes by comment and table name with the teardown.
  const rootFirewall =
    op.op === "fw.delete" || ((op.op === "nft.table.del" || op.op === "nft.chain.del") && op.ns === null);
  if (rootFirewall) return created.some((o) => o.kind === "firewall");
  if (op.op === "phys.return") return has("phys", op.saved.name);
  return false;
}

function describe(op: Op): string {
  return "ns" in op && op.ns ? `${op.op} in ${op.ns}` : op.op;
}
