/**
 * What of a lab's record is still there and still the lab's: each object looked up (namespaces in
 * /run/netns, root links by name through the agent, OVS bridges in OVSDB) and checked for the lab's
 * ownership marker before `teardown` removes it.
 */
import type { Driver } from "../drivers/driver.js";
import { listNetns } from "../drivers/host/facts.js";
import { listBridges, type OvsdbClient } from "../drivers/ovs/index.js";
import type { DumpLink } from "../plan/observed.js";
import { isNslabGroup, labOfMarker, OVS_LAB_KEY } from "../plan/ops.js";
import type { OwnedObject } from "../state/store.js";

const key = (o: OwnedObject) => `${o.kind}/${o.name}`;

/** Which of `objects` exist and carry `lab`'s marker; the rest go to `report.skipped`. */
export async function ownedAndPresent(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  options: { acceptUnaliasedLinks?: boolean; ovs?: () => Promise<OvsdbClient> },
  report: { skipped: { object: OwnedObject; reason: string }[] },
  seen: { root?: Map<string, DumpLink> },
): Promise<OwnedObject[]> {
  const out: OwnedObject[] = [];
  const skip = (object: OwnedObject, reason: string) => report.skipped.push({ object, reason });

  const nsWanted = objects.filter((o) => o.kind === "netns");
  if (nsWanted.length > 0) {
    const existing = new Set(listNetns());
    const present = nsWanted.filter((o) => existing.has(o.name));
    for (const o of nsWanted) if (!existing.has(o.name)) skip(o, "already gone");
    // The agent checks each namespace's marker in the very request that deletes it (delown).
    const checkedLater = driver.backend === "agent";
    if (checkedLater) out.push(...present);
    const dumps =
      present.length > 0 && !checkedLater ? await driver.dumpMany(present.map((o) => o.name)) : new Map();
    for (const o of checkedLater ? [] : present) {
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
    const byName = await driver.rootLinksNamed(linkWanted.map((o) => o.name));
    seen.root = byName;
    for (const o of linkWanted) {
      const l = byName.get(o.name);
      if (!l) skip(o, "already gone");
      else if (labOfMarker(l.alias) === lab) out.push(o);
      else if (!l.alias && isNslabGroup(l.group) && options.acceptUnaliasedLinks) out.push(o);
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
