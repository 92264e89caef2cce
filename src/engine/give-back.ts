/**
 * Giving borrowed host interfaces back (`phys:` links), before the lab's namespaces go: each is
 * looked for where it can be — in its node (under its name there), in the root namespace (never
 * moved, or pushed back by the kernel when its namespace was deleted: a NIC comes back down and
 * without addresses, under its name or `devN`), or in a namespace that lost its name but is still
 * held by a process — by the lab's marker on it, its permanent MAC, or its name and MAC; then moved
 * to the root namespace and restored as the record saved it. A virtual interface (a veth, as in
 * tests) dies with its namespace: then there is nothing to give back, and `down` says so.
 */
import type { Driver } from "../drivers/driver.js";
import { attachNetns, detachNetns, listDevices, type SeenDevice } from "../drivers/host/devices.js";
import { listNetns, processNetns } from "../drivers/host/facts.js";
import type { HostDevice } from "../plan/host-devices.js";
import { type NsName, type Op, physOfMarker } from "../plan/ops.js";
import type { OwnedObject } from "../state/store.js";

/** What giving back did (merged into the teardown's report). */
export interface GiveBackReport {
  removed: OwnedObject[];
  skipped: { object: OwnedObject; reason: string }[];
  failures: { object: OwnedObject; message: string; command?: string }[];
}

type Borrowed = Extract<OwnedObject, { kind: "phys" }>;

/** Where a device was found: in a node, the root namespace, or a namespace only a process holds. */
export type Place = "node" | "root" | "process";

/** Which of `devices` (seen in a place of kind `place`) is the borrowed interface `o` of `lab`. */
export function findBorrowed(
  lab: string,
  o: Borrowed,
  devices: readonly SeenDevice[],
  place: Place,
): SeenDevice | undefined {
  const marked = devices.find((d) => {
    const m = physOfMarker(d.alias);
    return m?.lab === lab && m.device === o.name;
  });
  if (marked) return marked;
  const perm = o.saved?.permaddr;
  if (perm) {
    const byPerm = devices.find((d) => d.permaddr === perm);
    if (byPerm) return byPerm;
  }
  if (place === "node" && o.inside !== undefined) return devices.find((d) => d.name === o.inside);
  if (place === "root") {
    const byName = devices.find((d) => d.name === o.name);
    if (byName) return byName;
    const s = o.saved;
    if (s?.mac && s.ifindex > 0) return devices.find((d) => d.ifindex === s.ifindex && d.mac === s.mac);
  }
  return undefined;
}

/** The operation that gives `o` back from where it was found. */
export function returnOp(o: Borrowed, ns: NsName, found: SeenDevice): Op {
  const saved: HostDevice = o.saved ?? {
    // Found by its marker alone (the record was lost): its name back, nothing more is known.
    name: o.name,
    ifindex: found.ifindex,
    kind: null,
    mac: found.mac,
    mtu: found.mtu,
    up: false,
    alias: null,
    master: null,
    addresses: [],
    routes: [],
  };
  return { op: "phys.return", ns, dev: found.name, saved, ...(o.restoreMac ? { restoreMac: true } : {}) };
}

/** Give back every borrowed interface among `objects`. */
export async function giveBack(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  signal?: AbortSignal,
): Promise<GiveBackReport> {
  const report: GiveBackReport = { removed: [], skipped: [], failures: [] };
  const borrowed = objects.filter((o): o is Borrowed => o.kind === "phys");
  if (borrowed.length === 0) return report;
  const runner = driver.runner;
  const named = new Set(listNetns());
  const attached: string[] = [];
  try {
    const ops: Op[] = [];
    const objs: Borrowed[] = [];
    let others: { name: string; devices: SeenDevice[] }[] | undefined;
    for (const o of borrowed) {
      let hit: { ns: NsName; dev: SeenDevice } | undefined;
      if (o.ns !== undefined && named.has(o.ns)) {
        const dev = findBorrowed(lab, o, await listDevices(runner, o.ns), "node");
        if (dev) hit = { ns: o.ns, dev };
      }
      if (!hit) {
        const dev = findBorrowed(lab, o, await listDevices(runner, null), "root");
        if (dev) hit = { ns: null, dev };
      }
      if (!hit) {
        others ??= await processNamespaces(driver, attached);
        for (const other of others) {
          const dev = findBorrowed(lab, o, other.devices, "process");
          if (dev) {
            hit = { ns: other.name, dev };
            break;
          }
        }
      }
      if (!hit) {
        report.skipped.push({
          object: o,
          reason:
            "not found anywhere: a virtual interface is destroyed with its namespace (a NIC would have come back to the host)",
        });
        continue;
      }
      ops.push(returnOp(o, hit.ns, hit.dev));
      objs.push(o);
    }
    if (ops.length === 0) return report;
    const res = await driver.apply(ops, { mode: "continue", ...(signal ? { signal } : {}) });
    res.outcomes.forEach((out, i) => {
      const o = objs[i]!;
      if (out.status === "ok") report.removed.push(o);
      else if (out.status === "skipped")
        report.failures.push({ object: o, message: "not given back (interrupted)" });
      else report.failures.push({ object: o, message: out.message, command: out.command });
    });
    return report;
  } finally {
    for (const name of attached) await detachNetns(runner, name);
  }
}

/** Namespaces held only by processes, each given a temporary name to reach into (detached after). */
async function processNamespaces(
  driver: Driver,
  attached: string[],
): Promise<{ name: string; devices: SeenDevice[] }[]> {
  const out: { name: string; devices: SeenDevice[] }[] = [];
  // node:crypto only here (a few ms of every `down` otherwise: this module is on its path).
  const { randomBytes } = await import("node:crypto");
  for (const pid of processNetns().values()) {
    const name = `nslab-giveback-${randomBytes(3).toString("hex")}`;
    if (!(await attachNetns(driver.runner, name, pid))) continue;
    attached.push(name);
    out.push({ name, devices: await listDevices(driver.runner, name) });
  }
  return out;
}
