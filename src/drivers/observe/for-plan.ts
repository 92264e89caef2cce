/** What the kernel and OVS have now of the things a plan deals with (input to reconciling). */
import type { NsDump, Observed } from "../../plan/observed.js";
import type { Op } from "../../plan/ops.js";
import type { Driver } from "../driver.js";
import { listNetns } from "../host/facts.js";
import { listBridges } from "../ovs/index.js";

export async function observeForPlan(plans: readonly (readonly Op[])[], driver: Driver): Promise<Observed> {
  const ops = plans.flat();
  const netns = new Set(listNetns());
  const wanted = [...new Set(ops.flatMap((o) => (o.op === "netns.add" ? [o.ns] : [])))].filter((n) =>
    netns.has(n),
  );
  // The root namespace is read only for a plan that has something there: with 10,000 veth ends in
  // it, its dump takes the kernel ~0.8 s (each end's peer namespace is looked up among all of them),
  // most of `link … up` on such a lab, which plans one namespace. It is read beside the namespaces
  // (many of them are read by agents of their own: see Driver.dumpMany).
  const [many, root] = await Promise.all([
    driver.dumpMany(wanted),
    ops.some(touchesRoot) ? driver.dump(null) : { links: [] },
  ]);
  const dumps = new Map<string, NsDump>();
  for (const [ns, d] of many) if (!(d instanceof Error)) dumps.set(ns, d);
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
  return { netns, rootLinks: new Set(root.links.map((l) => l.name)), rootMasters, ovs, dumps };
}

/** Whether `op` makes or changes something in the root namespace (anything not in a namespace). */
function touchesRoot(op: Op): boolean {
  return !("ns" in op) || typeof op.ns !== "string";
}
