/**
 * Removing what a lab owns — and only that. Each object is checked against its ownership marker
 * first. Namespaces are deleted in one go (the kernel takes their veth pairs with them, far faster
 * than deleting pairs one by one), then nslab waits for their root-side ends to vanish, then
 * deletes what is left. Used by `down` and by the rollback of a failed `up`.
 */

import { applyOps } from "../drivers/apply/executor.js";
import type { Driver } from "../drivers/driver.js";
import type { DumpLink } from "../drivers/nsagent/index.js";
import { listBridges, type OvsdbClient } from "../drivers/ovs/index.js";
import { listNetns } from "../host/facts.js";
import { labOfMarker, NSLAB_LINK_GROUP, type Op, OVS_LAB_KEY } from "../plan/ops.js";
import type { OwnedObject } from "../state/store.js";

export interface TeardownOptions {
  /**
   * Also remove root links that carry nslab's link group but no alias yet: what an `up` killed
   * between creating a link and marking it leaves behind. Only for objects of this lab's record.
   */
  acceptUnaliasedLinks?: boolean;
  /** Test hook: the first removal fails (without being attempted), to exercise "rollback failed". */
  failFirst?: boolean;
  /** Connects to OVSDB (OVS running) when the lab owns OVS bridges. */
  ovs?: () => Promise<OvsdbClient>;
  signal?: AbortSignal;
}

export interface TeardownReport {
  removed: OwnedObject[];
  /** Objects left alone: gone already, or not (any more) this lab's. */
  skipped: { object: OwnedObject; reason: string }[];
  /** Objects that could not be removed. */
  failures: { object: OwnedObject; message: string; command?: string }[];
}

const key = (o: OwnedObject) => `${o.kind}/${o.name}`;

/** Remove `objects` that exist and are marked as `lab`'s. */
export async function teardown(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  options: TeardownOptions = {},
): Promise<TeardownReport> {
  const report: TeardownReport = { removed: [], skipped: [], failures: [] };
  const ours = await ownedAndPresent(lab, objects, driver, options, report);

  // 1. OVS bridges (their ports go with them).
  const ovsBridges = ours.filter((o) => o.kind === "ovs-bridge");
  if (ovsBridges.length > 0)
    await run(
      ovsBridges.map((o) => ({ op: "ovs.bridge.del", bridge: o.name })),
      ovsBridges,
    );

  // 2. Namespaces, all at once.
  const namespaces = ours.filter((o) => o.kind === "netns");
  if (namespaces.length > 0)
    await run(
      namespaces.map((o) => ({ op: "netns.del", ns: o.name })),
      namespaces,
    );

  // 3. Root-side veth ends whose peers were in those namespaces vanish on their own, shortly.
  let links: OwnedObject[] = ours.filter((o) => o.kind === "link");
  if (links.length > 0 && namespaces.length > 0) links = await settle(links, driver);

  // 4. Whatever root links remain (bridges, bridge-to-bridge pairs, ends held by a busy namespace).
  if (links.length > 0) {
    const root = await driver.dump(null);
    const present = new Set(root.links.map((l) => l.name));
    const doomed = links.filter((o) => present.has(o.name));
    for (const o of links) if (!present.has(o.name)) report.removed.push(o);
    // Ports before bridges: deleting a veth end detaches it; deleting the bridge then is cheap.
    const byKind = (o: OwnedObject) => (root.links.find((l) => l.name === o.name)?.kind === "bridge" ? 1 : 0);
    doomed.sort((a, b) => byKind(a) - byKind(b));
    if (doomed.length > 0)
      await run(
        doomed.map((o) => ({ op: "link.del", ns: null, dev: o.name })),
        doomed,
      );
  }
  return report;

  async function run(ops: Op[], objs: OwnedObject[]): Promise<void> {
    if (options.failFirst && ops.length > 0) {
      options.failFirst = false;
      report.failures.push({ object: objs[0]!, message: "injected teardown fault (test hook)" });
      ops = ops.slice(1);
      objs = objs.slice(1);
      if (ops.length === 0) return;
    }
    const res = await applyOps(ops, driver.route, {
      mode: "continue",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    res.outcomes.forEach((o, i) => {
      const obj = objs[i]!;
      if (o.status === "ok") report.removed.push(obj);
      else if (o.status === "failed" || o.status === "partial") {
        // Already gone counts as removed (idempotent teardown).
        if (/No such file|Cannot find device|does not exist|ENOENT/i.test(o.message))
          report.removed.push(obj);
        else report.failures.push({ object: obj, message: o.message, command: o.command });
      } else report.failures.push({ object: obj, message: "not attempted (interrupted)" });
    });
  }

  async function settle(list: OwnedObject[], drv: Driver): Promise<OwnedObject[]> {
    const deadline = Date.now() + Math.max(2000, list.length * 4);
    let remaining = list;
    for (;;) {
      const root = await drv.dump(null);
      const present = new Set(root.links.map((l) => l.name));
      const gone = remaining.filter((o) => !present.has(o.name));
      report.removed.push(...gone);
      remaining = remaining.filter((o) => present.has(o.name));
      // Only veth ends with a peer elsewhere can still vanish by themselves.
      const waiting = remaining.filter((o) => isForeignPeer(root.links.find((l) => l.name === o.name)));
      if (waiting.length === 0 || Date.now() > deadline) return remaining;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function isForeignPeer(l: DumpLink | undefined): boolean {
  return !!l && l.kind === "veth" && l.linkNetnsid !== null;
}

/** Which of `objects` exist and carry `lab`'s marker; the rest go to `report.skipped`. */
async function ownedAndPresent(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  options: TeardownOptions,
  report: TeardownReport,
): Promise<OwnedObject[]> {
  const out: OwnedObject[] = [];
  const skip = (object: OwnedObject, reason: string) => report.skipped.push({ object, reason });

  const nsWanted = objects.filter((o) => o.kind === "netns");
  if (nsWanted.length > 0) {
    const existing = new Set(listNetns());
    const present = nsWanted.filter((o) => existing.has(o.name));
    for (const o of nsWanted) if (!existing.has(o.name)) skip(o, "already gone");
    const dumps = present.length > 0 ? await driver.dumpMany(present.map((o) => o.name)) : new Map();
    for (const o of present) {
      const d = dumps.get(o.name);
      const alias =
        d && !(d instanceof Error) ? d.links.find((l: DumpLink) => l.name === "lo")?.alias : undefined;
      const owner = labOfMarker(alias);
      if (owner === lab) out.push(o);
      else
        skip(o, owner ? `now belongs to lab '${owner}'` : "not marked as this lab's (not created by nslab?)");
    }
  }

  const linkWanted = objects.filter((o) => o.kind === "link");
  if (linkWanted.length > 0) {
    const root = await driver.dump(null);
    const byName = new Map(root.links.map((l) => [l.name, l]));
    for (const o of linkWanted) {
      const l = byName.get(o.name);
      if (!l) skip(o, "already gone");
      else if (labOfMarker(l.alias) === lab) out.push(o);
      else if (!l.alias && l.group === NSLAB_LINK_GROUP && options.acceptUnaliasedLinks) out.push(o);
      else
        skip(
          o,
          labOfMarker(l.alias) ? `now belongs to lab '${labOfMarker(l.alias)}'` : "not marked as this lab's",
        );
    }
  }

  const ovsWanted = objects.filter((o) => o.kind === "ovs-bridge");
  if (ovsWanted.length > 0 && options.ovs) {
    const bridges = await listBridges(await options.ovs());
    const byName = new Map(bridges.map((b) => [b.name, b]));
    for (const o of ovsWanted) {
      const b = byName.get(o.name);
      if (!b) skip(o, "already gone");
      else if (b.externalIds[OVS_LAB_KEY] === lab) out.push(o);
      else
        skip(
          o,
          b.externalIds[OVS_LAB_KEY]
            ? `now belongs to lab '${b.externalIds[OVS_LAB_KEY]}'`
            : "not marked as this lab's",
        );
    }
  } else for (const o of ovsWanted) skip(o, "Open vSwitch is not running");

  // Keep the record's order (creation order), so removal can run in reverse where it matters.
  const set = new Set(out.map(key));
  return objects.filter((o) => set.has(key(o)));
}
