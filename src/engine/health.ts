/**
 * The health checks of running labs, beyond their kernel objects (which `status` observes itself):
 * the lab's record (an interrupted `up` or `down`), the shared services the lab holds
 * (HostService.checkLab: the OVS daemons and datapath), and per-lab hooks. A feature adds its check
 * as one entry in {@link LAB_CHECKS} (or as its service's `checkLab`); `status`, `--json`, the
 * library and the web view then show its problems with the others.
 */
import { isMountedTmpfs } from "../drivers/host/mounts.js";
import { liveLocks } from "../state/lock.js";
import type { LabState } from "../state/store.js";
import type { HealthProblem, LabCheck, LabHealthContext } from "./health-types.js";
import { natTablesCheck } from "./nat-health.js";
import { SERVICES } from "./services/index.js";
import { nodeServicesCheck } from "./services-health.js";

export type { HealthProblem, LabCheck, LabHealthContext } from "./health-types.js";
export { repairCommand } from "./health-types.js";

/** A record not marked `up` whose writer is gone: an `up`, a change or a `down` was interrupted. */
const recordCheck: LabCheck = {
  name: "record",
  appliesTo: (record) => record.status !== "up",
  async check({ lab, record }) {
    if (record.status === "dirty") {
      const p = record.problem;
      return [
        {
          what: p?.message ?? "cleaning up after a failure did not finish",
          where: "the lab as a whole",
          fix: p?.fix ?? `nslab down ${lab}`,
          check: "record",
        },
      ];
    }
    const holder = liveLocks().find((l) => l.name === lab);
    if (holder) return []; // being changed right now, by process holder.pid
    const verb =
      record.status === "deploying"
        ? "bringing it up"
        : record.status === "updating"
          ? "changing it"
          : "taking it down";
    return [
      {
        what: `an nslab process ended while ${verb} (process ${record.pid} is gone): the lab is half-made`,
        where: "the lab as a whole",
        fix: `nslab down ${lab} (removes what it made; then bring it up again)`,
        check: "record",
      },
    ];
  },
};

/**
 * The lab's file system is mounted: the nodes' files, /etc/hosts, kept mount namespaces (`nslab
 * exec`) and services' state live in it. It goes without a `down` at a reboot of a host whose /run
 * is a disk (the record stays and says the lab is up), or with an umount by hand.
 */
const fileSystemCheck: LabCheck = {
  name: "node environment",
  appliesTo: (record) => record.status === "up" && record.owned.some((o) => o.kind === "labfs"),
  async check({ record, repair }) {
    const labfs = record.owned.find((o) => o.kind === "labfs")!.name;
    if (isMountedTmpfs(labfs)) return [];
    return [
      {
        what: `its file system ${labfs} is not mounted: its nodes have no files, /etc/hosts or mount namespaces (nslab exec fails); a reboot, most often`,
        where: "the lab as a whole",
        fix: `${repair} (re-creates what is missing, in place)`,
        check: "node environment",
      },
    ];
  },
};

/** Every shared service that checks its part of a lab, as a check of the labs that hold it. */
const serviceChecks: LabCheck[] = SERVICES.flatMap((s) => {
  const checkLab = s.checkLab;
  if (!checkLab) return [];
  return [
    {
      name: s.name,
      appliesTo: (record: LabState) => record.status === "up" && s.heldBy(record),
      check: (ctx: LabHealthContext) => checkLab.call(s, ctx),
    },
  ];
});

/** Every per-lab check, in the order their problems are listed. */
export const LAB_CHECKS: readonly LabCheck[] = [
  recordCheck,
  fileSystemCheck,
  natTablesCheck,
  ...serviceChecks,
  nodeServicesCheck,
];

/** The problems every check that concerns lab `ctx.lab` finds (checks run side by side). */
export async function checkLabHealth(
  ctx: LabHealthContext,
  checks: readonly LabCheck[] = LAB_CHECKS,
): Promise<HealthProblem[]> {
  const found = await Promise.all(
    checks
      .filter((c) => c.appliesTo(ctx.record))
      .map(async (c): Promise<HealthProblem[]> => {
        try {
          return await c.check(ctx);
        } catch (e) {
          return [
            {
              what: `could not be checked: ${(e as Error).message}`,
              where: c.name,
              fix: "see the message; nslab doctor checks the host",
              check: c.name,
            },
          ];
        }
      }),
  );
  return found.flat();
}
