/**
 * The first part of taking a lab down (and of a rollback): stop its service supervisor, end every
 * process that runs in the lab's network or mount namespaces (services, and anything started by
 * hand — `down` never leaves a process holding a namespace of the lab), then detach the lab's file
 * system (which takes every node's kept mount namespace with it); and its /etc/netns entries, removed
 * while the kernel works.
 */
import { readdirSync, rmdirSync } from "node:fs";
import type { Driver } from "../drivers/driver.js";
import { isMountedTmpfs } from "../drivers/host/mounts.js";
import { type EndReport, endProcesses, type NsTarget, processesIn } from "../drivers/host/ns-procs.js";
import { stopSupervisor, supervisorAlive } from "../drivers/supervisor.js";
import { labfsName, labfsPath, labHostsPath } from "../plan/node-env.js";
import { markerFor, type Op } from "../plan/ops.js";
import { stateRoot } from "../state/dir.js";
import { labDir } from "../state/lab-dir.js";
import type { OwnedObject } from "../state/store.js";

/** Where the results go (teardown's report). */
interface Report {
  removed: OwnedObject[];
  skipped: { object: OwnedObject; reason: string }[];
  failures: { object: OwnedObject; message: string; command?: string }[];
}

/**
 * Stop the supervisor, end the lab's processes, remove the lab's file system and /etc/netns entries
 * (those of `objects`). Adds what it removed, skipped or failed to `report`.
 */
export async function clearNodeEnv(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  report: Report,
): Promise<EndReport> {
  const dir = labDir(lab);
  if (supervisorAlive(dir)) await stopSupervisor(dir);
  const labfs = objects.find((o) => o.kind === "labfs");
  // The lab's file system is there (a tmpfs of its own at its place in nslab's state directory);
  // that it carries the lab's name, the agent checks before it unmounts it.
  const ours = labfs && isMountedTmpfs(labfs.name) ? labfs.name : undefined;
  const targets: NsTarget[] = objects
    .filter((o) => o.kind === "netns")
    .map((o) => ({ file: `/run/netns/${o.name}`, label: o.name }));
  if (ours) {
    let files: string[] = [];
    try {
      files = readdirSync(`${ours}/ns`);
    } catch {
      // no node namespaces (yet)
    }
    for (const f of files) targets.push({ file: `${ours}/ns/${f}`, label: `mount namespace of ${f}` });
  }
  let found = processesIn(targets);
  // A network namespace is only emptied if it still carries the lab's marker.
  const nsLabels = [
    ...new Set(found.filter((p) => p.target.file.startsWith("/run/netns/")).map((p) => p.target.label)),
  ];
  if (nsLabels.length > 0) {
    const dumps = await driver.dumpMany(nsLabels);
    const notOurs = new Set(
      nsLabels.filter((ns) => {
        const d = dumps.get(ns);
        return !d || d instanceof Error || d.links.find((l) => l.name === "lo")?.alias !== markerFor(lab);
      }),
    );
    found = found.filter((p) => !notOurs.has(p.target.label) || !p.target.file.startsWith("/run/netns/"));
  }
  const ended = await endProcesses(targets, found);

  if (labfs) {
    // Another file system there (the agent finds it not marked as the lab's) is left alone.
    if (ours)
      await applyReported(
        [{ op: "labfs.umount", path: labfs.name, name: labfsName(lab) }],
        [labfs],
        driver,
        report,
        / is not marked /,
      );
    else {
      // Its mount point, empty where nothing is mounted (a reboot where /run is a disk), goes too;
      // rmdir leaves a directory with anything in it.
      try {
        rmdirSync(labfs.name);
      } catch {
        // gone already, or not empty
      }
      report.skipped.push({ object: labfs, reason: "already gone" });
    }
  }
  return ended;
}

/**
 * Remove the lab's /etc/netns entries (those of `objects`: each only while it links to the lab's
 * hosts file). File system work off the main thread (the node-environment channel's): `teardown`
 * runs it while the kernel deletes the lab's links and namespaces. Never rejects: what failed goes
 * to `report`.
 */
export async function removeEtcNetns(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  report: Report,
): Promise<void> {
  const objs = objects.filter((o) => o.kind === "etc-netns");
  if (objs.length === 0) return;
  // Where the lab's file system is (its record's, or the one found mounted); where it would be,
  // for entries found without it (left when it went without a `down`).
  const labfs = objects.find((o) => o.kind === "labfs")?.name ?? labfsPath(lab, stateRoot());
  const ops: Op[] = objs.map((o) => ({ op: "etcnetns.del", ns: o.name, hosts: labHostsPath(labfs) }));
  try {
    await applyReported(ops, objs, driver, report);
  } catch (e) {
    for (const object of objs) report.failures.push({ object, message: (e as Error).message });
  }
}

/**
 * Apply `ops` (`objs[i]` removed by `ops[i]`), their outcomes in `report`; a failure whose message
 * matches `notOurs` is an object left alone (skipped), not a failure.
 */
async function applyReported(
  ops: Op[],
  objs: OwnedObject[],
  driver: Driver,
  report: Report,
  notOurs?: RegExp,
): Promise<void> {
  if (ops.length === 0) return;
  const res = await driver.apply(ops, { mode: "continue" });
  res.outcomes.forEach((o, i) => {
    if (o.status === "ok") report.removed.push(objs[i]!);
    else if ((o.status === "failed" || o.status === "partial") && notOurs?.test(o.message))
      report.skipped.push({ object: objs[i]!, reason: `not this lab's: ${o.message}` });
    else if (o.status === "failed" || o.status === "partial")
      report.failures.push({ object: objs[i]!, message: o.message, command: o.command });
  });
}
