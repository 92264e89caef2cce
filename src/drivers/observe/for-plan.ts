/** What the kernel and OVS have now of the things a plan deals with (input to reconciling). */
import type { NsDump, Observed } from "../../plan/observed.js";
import type { Op } from "../../plan/ops.js";
import type { Driver } from "../driver.js";
import { deadNetnsFile, listNetns } from "../host/facts.js";
import { isMountedTmpfs } from "../host/mounts.js";
import { listBridges } from "../ovs/index.js";

export async function observeForPlan(plans: readonly (readonly Op[])[], driver: Driver): Promise<Observed> {
  const ops = plans.flat();
  const netns = new Set(listNetns());
  const wanted = [...new Set(ops.flatMap((o) => (o.op === "netns.add" ? [o.ns] : [])))].filter((n) =>
    netns.has(n),
  );
  // The root namespace is read only for a plan that has something there, and then not by a full
  // link dump: with 10,000 veth ends in it, that takes the kernel ~0.8 s (each end's peer namespace
  // is looked up among all of them). Its bridges with their ports, and each other link the plan
  // names on its own, are what reconciling looks at (Driver.rootLinks). It is read beside the
  // namespaces (many of them are read by agents of their own: see Driver.dumpMany).
  const named = rootNames(ops);
  const [many, root] = await Promise.all([
    driver.dumpMany(wanted),
    named.size > 0 || ops.some(touchesRoot) ? driver.rootLinks(named) : { links: [] },
  ]);
  const dumps = new Map<string, NsDump>();
  for (const [ns, d] of many)
    if (!(d instanceof Error)) dumps.set(ns, d);
    // Only the file of a namespace that went without it (a reboot where /run is a disk): no namespace.
    else if (deadNetnsFile(ns)) netns.delete(ns);
  const ovs = new Map<string, Set<string>>();
  if (ops.some((o) => o.op.startsWith("ovs."))) {
    const client = await driver.ovsdb().catch(() => undefined);
    if (client)
      for (const b of await listBridges(client)) ovs.set(b.name, new Set(b.ports.map((p) => p.name)));
  }
  const names = new Map(root.links.map((l) => [l.ifindex, l.name]));
  const rootMasters = new Map(
    root.links.map((l) => [l.name, l.master === null ? null : (names.get(l.master) ?? null)]),
  );
  const labfs = new Set(
    ops.flatMap((o) => (o.op === "labfs.mount" && isMountedTmpfs(o.path) ? [o.path] : [])),
  );
  return { netns, rootLinks: new Set(root.links.map((l) => l.name)), rootMasters, ovs, dumps, labfs };
}

/** Whether `op` makes or changes something in the root namespace (anything not in a namespace). */
function touchesRoot(op: Op): boolean {
  return !("ns" in op) || typeof op.ns !== "string";
}

/** The root-namespace links `ops` make or change, by name (veth ends there, bridges, ports, …). */
export function rootNames(ops: readonly Op[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) {
    if (op.op === "veth.add") {
      for (const e of [op.a, op.b]) if (e.ns === null) out.add(e.name);
      continue;
    }
    if (!touchesRoot(op) || op.op.startsWith("ovs.") || op.op.startsWith("nft.") || op.op.startsWith("fw."))
      continue;
    const o = op as unknown as Record<string, unknown>;
    for (const k of ["dev", "master"]) if (typeof o[k] === "string") out.add(o[k] as string);
    if (op.op === "sysctl.set") out.add(op.key.split("/")[3] ?? "");
  }
  out.delete("");
  return out;
}
