/**
 * `up` of a lab that is already up with the same topology: repair it in place. The shared services
 * it needs are acquired again (which restarts a dead ovs-vswitchd or ovsdb-server), then whatever of
 * its plan the kernel lacks now (a namespace or veth deleted by hand, an address or route removed)
 * is applied through the in-place change of update.ts — with its undo on failure. What `status`
 * reports as broken, this restores.
 */
import { observeForPlan } from "../drivers/observe/for-plan.js";
import type { Topology } from "../model/types.js";
import { diffPlans, opKey } from "../plan/diff.js";
import { NOTRACK_CHAIN, rootNatChain } from "../plan/nat.js";
import type { Observed } from "../plan/observed.js";
import { labOfMarker, type Op, type VethEnd } from "../plan/ops.js";
import { reconcileOps } from "../plan/reconcile.js";
import type { LabState } from "../state/store.js";
import { natFaults } from "./nat-health.js";
import { ovsService } from "./services/index.js";
import { acquireServices, type UpRun } from "./up-run.js";
import { update } from "./update.js";

/** What a repair did: the operations applied (0: nothing was missing) and whether it started OVS. */
export interface Repair {
  operations: number;
  startedOvs: boolean;
  /** The namespaces made anew (deleted since `up`): what ran in the old ones runs there still. */
  recreated: string[];
}

/**
 * Repair running lab `existing` (same topology as `topology`, whose plan is `full`); `previous`
 * makes the plan it was brought up with, asked for only when something is missing (planning a
 * 10,000-host lab takes a third of a second).
 */
export async function repair(
  c: UpRun,
  existing: LabState,
  topology: Topology,
  full: readonly Op[],
  previous: () => readonly Op[],
  datapath: string | undefined,
): Promise<Repair> {
  const started = await acquireServices(c, full, datapath);
  const startedOvs = started.includes(ovsService);
  const observed = await observeForPlan([full], c.driver);
  const missing = reconcileOps(full, observed);
  // A NAT node's masquerade, gone from a namespace that is still there or emptied, and its chain in
  // the root's lab table emptied (observing the kernel does not read nftables), and the chain of its
  // bridge table emptied: added again (`add table` and `add chain` keep what is there). The root's
  // tables gone are the firewall repair's.
  const nat = await natFaults(topology, c.driver);
  const emptyRoot = new Set(
    [...nat.root].flatMap(([node, f]) => (f === "empty" ? [rootNatChain(node)] : [])),
  );
  const natTables = full.filter(
    (o) =>
      ((o.op === "nft.table.add" || o.op === "nft.chain.add") && o.ns !== null && nat.nodes.has(o.ns)) ||
      (o.op === "nat.masquerade" && emptyRoot.has(o.chain)) ||
      (o.op === "nft.chain.add" && o.ns === null && o.chain === NOTRACK_CHAIN && nat.notrack === "empty"),
  );
  missing.push(...natTables);
  if (missing.length === 0) return { operations: 0, startedOvs, recreated: [] };
  c.log("info", `lab '${c.lab}' is missing parts: restoring ${missing.length} operation(s) in place`);
  // A veth of which one end is left: the other end's namespace was deleted while a process (a
  // service) still held it, so the pair lives on there, cut off. The end left goes first (its peer
  // with it) — a root one only if it carries the lab's marker — and the pair is made anew.
  const halves = missing.flatMap((o) => (o.op === "veth.add" ? leftEnd([o.a, o.b], observed) : []));
  const rootHalves = halves.filter((e) => e.ns === null).map((e) => e.name);
  const root = rootHalves.length > 0 ? await c.driver.rootLinksNamed(rootHalves) : undefined;
  const cut: Op[] = halves
    .filter((e) => e.ns !== null || labOfMarker(root?.get(e.name)?.alias) === c.lab)
    .map((e) => ({ op: "link.del", ns: e.ns, dev: e.name }));
  if (cut.length > 0) {
    const r = await c.driver.apply(cut, { mode: "stop" });
    if (r.error) throw r.error;
  }
  // An OVS port whose device is re-created stays bound to the old one in ovs-vswitchd (forwarding
  // nothing): take such ports out first, so that the in-place change adds them again.
  const recreated = new Set(
    missing.flatMap((o) =>
      o.op === "veth.add" ? [o.a, o.b].filter((e) => e.ns === null).map((e) => e.name) : [],
    ),
  );
  const stale: Op[] = full.flatMap((o) =>
    o.op === "ovs.port.add" && recreated.has(o.port)
      ? [{ op: "ovs.port.del", bridge: o.bridge, port: o.port }]
      : [],
  );
  if (stale.length > 0) {
    const r = await c.driver.apply(stale, { mode: "stop" });
    if (r.error) throw r.error;
  }
  const change = diffPlans([...previous()], [...full]);
  for (const o of natTables) change.changed.add(opKey(o));
  const namespaces = missing.flatMap((o) => (o.op === "netns.add" ? [o.ns] : []));
  const operations = await update(c, existing, topology, change);
  // Interfaces made anew have new MAC addresses, which the lab's other nodes have not learned.
  if (missing.some((o) => REMADE.has(o.op)))
    await c.driver.flushNeighbours(full.flatMap((o) => (o.op === "netns.add" ? [o.ns] : [])));
  return { operations, startedOvs, recreated: namespaces };
}

/** Operations that make an interface (in a namespace, or the namespace with its interfaces). */
const REMADE = new Set<Op["op"]>(["netns.add", "veth.add", "macvlan.add", "dummy.add", "vxlan.add"]);

/** The one end of a veth pair that is there, when only one is (none otherwise). */
function leftEnd(ends: readonly VethEnd[], observed: Observed): VethEnd[] {
  const there = ends.filter((e) =>
    e.ns === null
      ? observed.rootLinks.has(e.name)
      : (observed.dumps.get(e.ns)?.links.some((l) => l.name === e.name) ?? false),
  );
  return there.length === 1 ? there : [];
}
