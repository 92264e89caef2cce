/**
 * Labs that run without a record (/run/nslab lost: a reboot of /run, a careless `rm`), found the
 * way `down --all` finds them — by the ownership markers on their objects — and reported by
 * `status` as such, with the command that removes them.
 */
import type { Driver } from "../drivers/driver.js";
import { discoverLabs } from "../engine/discover.js";
import type { OwnedObject } from "../state/store.js";
import type { LabReport } from "./report.js";

/**
 * A report for each lab that has marked objects but no record. `recorded`: the labs with a record,
 * and `namespaces`: the namespaces their records name (not read again).
 */
export async function unrecordedLabs(
  driver: Driver,
  recorded: ReadonlySet<string>,
  namespaces: ReadonlySet<string>,
): Promise<LabReport[]> {
  const ovs = await driver.ovsdb().catch(() => undefined);
  const found = await discoverLabs(driver, ovs, namespaces);
  const out: LabReport[] = [];
  for (const [lab, objects] of found) {
    if (recorded.has(lab)) continue;
    out.push(unrecordedReport(lab, objects));
  }
  return out.sort((a, b) => a.lab.localeCompare(b.lab));
}

/** The report of lab `lab`, found by its markers on `objects` alone. */
export function unrecordedReport(lab: string, objects: OwnedObject[]): LabReport {
  // Only /etc/netns entries (on a disk) outlived a lab whose network and state were in memory.
  const leftovers = objects.every((o) => o.kind === "etc-netns");
  return {
    lab,
    status: "record-missing",
    healthy: false,
    health: [
      leftovers
        ? {
            what: `only its ${describe(objects)} ${objects.length === 1 ? "is" : "are"} left, linking to its hosts file where nothing is: the lab went without a \`down\` (a reboot, most often)`,
            where: "the lab as a whole",
            fix: `nslab down ${lab} (removes them; \`up\` of a lab with the same node names replaces them by itself)`,
            check: "record",
          }
        : {
            what: `its record is missing (nslab's state directory was emptied): found by the markers on its objects (${describe(objects)})`,
            where: "the lab as a whole",
            fix: `nslab down ${lab} (removes every object marked as the lab's; then bring it up again from its file)`,
            check: "record",
          },
    ],
    nodes: [],
    objects,
  };
}

function describe(objects: readonly OwnedObject[]): string {
  const count = (kind: OwnedObject["kind"], one: string, many: string) => {
    const n = objects.filter((o) => o.kind === kind).length;
    return n === 0 ? [] : [`${n} ${n === 1 ? one : many}`];
  };
  return [
    ...count("netns", "namespace", "namespaces"),
    ...count("link", "link", "links"),
    ...count("ovs-bridge", "OVS bridge", "OVS bridges"),
    ...count("labfs", "file system", "file systems"),
    ...count("etc-netns", "/etc/netns entry", "/etc/netns entries"),
    ...count("firewall", "set of firewall rules", "sets of firewall rules"),
    ...count("phys", "borrowed host interface", "borrowed host interfaces"),
  ].join(", ");
}
