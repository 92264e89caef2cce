/**
 * Removing what a lab owns — and only that. Host interfaces it borrowed are given back first (while
 * their namespaces exist). Each object is checked against its ownership marker first. The lab's root-namespace links go in one kernel batch (by the lab's link group, when the
 * group holds nothing else), taking their veth peers along; then the namespaces, in one go. Links
 * that cannot go by group are deleted after the namespaces (whose deletion takes their veth pairs
 * along), once their root-side ends had a chance to vanish. OVS bridges' rows go last, once their
 * devices are gone (see step 6 for when ovs-vswitchd is waited for). Used by `down` and by the
 * rollback of a failed `up`.
 */

import { vswitchdTimeout } from "../drivers/apply/ovs-channel.js";
import type { ProgressFn } from "../drivers/apply/types.js";
import type { Driver } from "../drivers/driver.js";
import { rootLinkNames, sysfsLinkGroups } from "../drivers/host/facts.js";
import type { EndReport } from "../drivers/host/ns-procs.js";
import { deleteBridges, type OvsdbClient } from "../drivers/ovs/index.js";
import { labFirewallRemoval } from "../plan/firewall.js";
import type { DumpLink } from "../plan/observed.js";
import { labOfMarker, linkGroupFor, markerFor, type Op } from "../plan/ops.js";
import type { OwnedObject } from "../state/store.js";
import { formatArgv } from "../util/quote.js";
import { readHostFirewall } from "./discover.js";
import { giveBack } from "./give-back.js";
import { clearNodeEnv, removeEtcNetns } from "./teardown-env.js";
import { ownedAndPresent } from "./teardown-owned.js";

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
  /** Objects removed so far, out of those to remove (phase: `root links`, `namespaces`, …). */
  onProgress?: ProgressFn;
}

export interface TeardownReport {
  removed: OwnedObject[];
  /** Processes ended in the lab's namespaces (and how many needed SIGKILL). */
  processes?: EndReport;
  /** Objects left alone: gone already, or not (any more) this lab's. */
  skipped: { object: OwnedObject; reason: string }[];
  /** Objects that could not be removed. */
  failures: { object: OwnedObject; message: string; command?: string }[];
}

/**
 * A lab's root links go by one deletion of its link group (one kernel batch: one RCU barrier for
 * all of them, where each deletion by name costs one, ~20-30 ms on the development VM), after
 * proving the group holds only the lab's. On a host with more root links than SCAN_LIMIT that
 * proof reads every root link's group in sysfs (beside a 10,000-host lab: 10,000 files, ~0.14 s
 * by the agent), so a lab of up to FEW_LINKS links goes by name instead. Measured beside a
 * 10,000-host lab, `down` by name / by group: 5 links 238 / 304 ms, 7 links 300 / 287 ms, 11 links
 * 345 / 290 ms, 51 links 1.28 s / 335-364 ms.
 */
const FEW_LINKS = 6;
const SCAN_LIMIT = 1000;

/** Remove `objects` that exist and are marked as `lab`'s. */
export async function teardown(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  options: TeardownOptions = {},
): Promise<TeardownReport> {
  const report: TeardownReport = { removed: [], skipped: [], failures: [] };
  // 0. Nothing may run in the lab any more (a process holds its namespace and veths alive).
  report.processes = await clearNodeEnv(lab, objects, driver, report);
  // Its /etc/netns entries go meanwhile (file system work in libuv's threads, beside the kernel's).
  const etcNetns = removeEtcNetns(lab, objects, driver, report);
  try {
    await removeNetwork(lab, objects, driver, options, report);
  } finally {
    await etcNetns;
  }
  return report;
}

/** The rest of {@link teardown}: the lab's links, namespaces, firewall rules and OVS bridges. */
async function removeNetwork(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  options: TeardownOptions,
  report: TeardownReport,
): Promise<void> {
  const group = linkGroupFor(lab);
  // 0. Host interfaces the lab borrowed go back first, while their namespaces still exist.
  const given = await giveBack(lab, objects, driver, options.signal);
  report.removed.push(...given.removed);
  report.skipped.push(...given.skipped);
  report.failures.push(...given.failures);
  const seen: { root?: Map<string, DumpLink> } = {};
  const ours = await ownedAndPresent(lab, objects, driver, options, report, seen);

  // 0. The lab's part of the host firewall: its accepts in the host's chains and its own tables,
  //    found by comment and name (so also what an `up` killed midway had added), in one
  //    transaction per tool. Nothing is read when the lab never had any.
  const firewall = objects.filter((o) => o.kind === "firewall");
  if (firewall.length > 0) await removeFirewall(lab, firewall, driver, report);

  // 1. OVS bridges: their OVSDB rows go last (step 6), after every kernel device of theirs.
  const ovsBridges = ours.filter((o) => o.kind === "ovs-bridge");

  const namespaces = ours.filter((o) => o.kind === "netns");
  let links: OwnedObject[] = ours.filter((o) => o.kind === "link");

  // 2. The fast way: every root link of the lab in one kernel batch (`ip link del group G`), when
  //    the lab's link group holds nothing but links verified as the lab's own. Their veth peers in
  //    the namespaces go with them, so the namespaces are empty when they are deleted next. (A
  //    bridge still costs the kernel an RCU barrier of its own, and each bridge port a grace period.)
  //    The tap devices ovs-vswitchd made for the lab's OVS bridges (userspace datapath; named after
  //    their bridge, whose row is the lab's) join the batch: ovs-vswitchd closing them one by one
  //    costs the kernel an RCU barrier each (100 bridges: ~2-4 s; in one batch: ~70 ms).
  //    (A fresh look at the root namespace if OVS took a while since the ownership check.)
  const root =
    links.length === 0
      ? undefined
      : ovsBridges.length > 0 || !seen.root
        ? await driver.rootLinksNamed([...links, ...ovsBridges].map((o) => o.name))
        : seen.root;
  let tapsGone = false;
  const hostLinks = root ? rootLinkNames() : undefined;
  if (root && links.length <= FEW_LINKS && (hostLinks === undefined || hostLinks.length > SCAN_LIMIT)) {
    // A small lab's root links on a crowded host go by name, in one batch, before its namespaces
    // (as the group would): proving the group holds nothing else would read the group of every
    // root link.
    const present = links.filter((o) => root.has(o.name));
    for (const o of links) if (!root.has(o.name)) report.removed.push(o);
    const taps = bridgeTaps(root, lab, ovsBridges);
    if (present.length > 0) {
      const doomed = [...present].sort((a, b) => bridgeLast(root, a) - bridgeLast(root, b));
      await run(
        doomed.map((o) => ({ op: "link.del", ns: null, dev: o.name })),
        doomed,
      );
    }
    if (taps.length > 0) {
      const res = await driver.apply(
        taps.map((dev) => ({ op: "link.del", ns: null, dev })),
        { mode: "continue" },
      );
      tapsGone = taps.length === ovsBridges.length && res.outcomes.every((o) => o.status === "ok");
    }
    links = [];
  } else if (root && (await groupIsOurs(root, group, links, driver, hostLinks))) {
    const inGroup = links.filter((o) => root.get(o.name)?.group === group);
    const taps = bridgeTaps(root, lab, ovsBridges);
    if (inGroup.length > 0) {
      const res = await driver.apply(
        [{ op: "link.delgroup", group, ...(taps.length ? { adopt: taps } : {}) }],
        {
          mode: "continue",
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      const o = res.outcomes[0]!;
      if (o.status === "ok") {
        tapsGone = taps.length === ovsBridges.length;
        report.removed.push(...inGroup);
        options.onProgress?.({ done: report.removed.length, total: ours.length, phase: "root links" });
        const gone = new Set(inGroup.map((x) => x.name));
        links = links.filter((x) => !gone.has(x.name));
      }
    }
  }

  // 3. Namespaces, all at once; each checked for the lab's marker right before it goes.
  if (namespaces.length > 0)
    await run(
      namespaces.map((o) => ({ op: "netns.del", ns: o.name, owner: markerFor(lab) })),
      namespaces,
    );

  // 4. Root-side veth ends whose peers were in those namespaces vanish on their own, shortly.
  if (links.length > 0 && namespaces.length > 0) links = await settle(links, driver);

  // 5. Whatever root links remain (bridges, bridge-to-bridge pairs, ends held by a busy namespace).
  if (links.length > 0) {
    const now = await driver.rootLinksNamed(links.map((o) => o.name));
    const doomed = links.filter((o) => now.has(o.name));
    for (const o of links) if (!now.has(o.name)) report.removed.push(o);
    doomed.sort((a, b) => bridgeLast(now, a) - bridgeLast(now, b));
    if (doomed.length > 0)
      await run(
        doomed.map((o) => ({ op: "link.del", ns: null, dev: o.name })),
        doomed,
      );
  }
  // 6. The OVS bridges' rows (their ports go with them), in one transaction. ovs-vswitchd is waited
  //    for only if a device of theirs may still be in the kernel (a tap the batch did not take, or
  //    the kernel datapath's own ports). Otherwise nothing of the lab is left in the kernel or in
  //    OVSDB: what ovs-vswitchd still does is close its own per-port sockets of devices already gone
  //    (one RCU grace period each, one after the other: ~15 ms a port), and the next `up` of any
  //    lab with OVS waits for that before creating bridges (ovs-channel).
  if (ovsBridges.length > 0 && options.ovs) {
    const names = ovsBridges.map((o) => o.name);
    try {
      const client = await options.ovs();
      const cfg = await deleteBridges(client, names, { wait: false });
      if (!tapsGone) await client.waitForCfg(cfg, vswitchdTimeout(objects.length));
      report.removed.push(...ovsBridges);
    } catch (e) {
      for (const o of ovsBridges)
        report.failures.push({
          object: o,
          message: (e as Error).message,
          command: formatArgv(["ovs-vsctl", ...names.flatMap((n, i) => [...(i ? ["--"] : []), "del-br", n])]),
        });
    }
  }

  async function run(ops: Op[], objs: OwnedObject[]): Promise<void> {
    if (options.failFirst && ops.length > 0) {
      options.failFirst = false;
      report.failures.push({ object: objs[0]!, message: "injected teardown fault (test hook)" });
      ops = ops.slice(1);
      objs = objs.slice(1);
      if (ops.length === 0) return;
    }
    const base = report.removed.length;
    const phase = ops[0]?.op === "netns.del" ? "namespaces" : ops[0]?.op === "link.del" ? "links" : "objects";
    const res = await driver.apply(ops, {
      mode: "continue",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress
        ? { onProgress: (p) => options.onProgress?.({ done: base + p.done, total: ours.length, phase }) }
        : {}),
    });
    res.outcomes.forEach((o, i) => {
      const obj = objs[i]!;
      if (o.status === "ok") report.removed.push(obj);
      else if (o.status === "failed" || o.status === "partial") {
        const notOurs = o.message.match(/is not marked "[^"]*" \(its loopback alias is "([^"]*)"\)/);
        // Already gone counts as removed (idempotent teardown).
        if (/No such file|Cannot find device|does not exist|ENOENT/i.test(o.message))
          report.removed.push(obj);
        else if (notOurs) {
          const owner = labOfMarker(notOurs[1]);
          report.skipped.push({
            object: obj,
            reason: owner
              ? `now belongs to lab '${owner}'`
              : "not marked as this lab's (not created by nslab?)",
          });
        } else report.failures.push({ object: obj, message: o.message, command: o.command });
      } else report.failures.push({ object: obj, message: "not attempted (interrupted)" });
    });
  }

  async function settle(list: OwnedObject[], drv: Driver): Promise<OwnedObject[]> {
    const deadline = Date.now() + Math.max(2000, list.length * 4);
    let remaining = list;
    for (;;) {
      const byName = await drv.rootLinksNamed(remaining.map((o) => o.name));
      const gone = remaining.filter((o) => !byName.has(o.name));
      report.removed.push(...gone);
      remaining = remaining.filter((o) => byName.has(o.name));
      // Only veth ends with a peer elsewhere can still vanish by themselves.
      const waiting = remaining.filter((o) => isForeignPeer(byName.get(o.name)));
      if (waiting.length === 0 || Date.now() > deadline) return remaining;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Remove every rule and table of `lab` in the host's firewall (the `firewall` objects of its record). */
async function removeFirewall(
  lab: string,
  objects: readonly OwnedObject[],
  driver: Driver,
  report: TeardownReport,
): Promise<void> {
  const removal = labFirewallRemoval(lab, await readHostFirewall(driver));
  if (removal.length > 0) {
    const res = await driver.apply(removal, { mode: "continue" });
    const failed = res.outcomes.flatMap((o) => (o.status === "failed" || o.status === "partial" ? [o] : []));
    if (failed.length > 0) {
      for (const object of objects)
        report.failures.push({
          object,
          message: [...new Set(failed.map((f) => f.message))].join("; "),
          command: failed[0]!.command,
        });
      return;
    }
  }
  report.removed.push(...objects);
}

/**
 * Whether deleting link group `group` removes exactly lab links: every root link in the group is
 * one of `ours` (whose ownership was checked one by one; `root` holds them by name). Anything else
 * in the group — another lab whose name hashes alike, a link someone moved into it — and the links
 * go one by one. The group of every root link is read from sysfs (no full netlink dump); when sysfs
 * does not show this namespace's links as `root` has them, from a full dump instead.
 */
async function groupIsOurs(
  root: ReadonlyMap<string, DumpLink>,
  group: number,
  ours: readonly OwnedObject[],
  driver: Driver,
  hostLinks?: readonly string[],
): Promise<boolean> {
  const names = new Set(ours.map((o) => o.name));
  // Through the agent, one dump without counters (a millisecond for a few hundred links, where
  // sysfs costs a file each); not on a crowded host, where the kernel fills every veth end's peer
  // namespace id by a scan of them all.
  if (driver.backend === "agent" && hostLinks !== undefined && hostLinks.length <= SCAN_LIMIT)
    try {
      return (await driver.rootLinksInGroup(group)).every((n) => names.has(n));
    } catch {
      // still interrupted by a busy host: read the groups from sysfs instead
    }
  // On a crowded host the agent reads sysfs (in C, ~0.14 s for 10,000 links where Node takes
  // ~0.25 s), when what it lists agrees with netlink on the lab's own links.
  const listed =
    hostLinks !== undefined ? await sysfsLinksInGroup(driver, group).catch(() => undefined) : undefined;
  if (listed) {
    const inGroup = new Set(listed);
    if ([...root.values()].every((l) => (l.group === group) === inGroup.has(l.name)))
      return listed.every((n) => names.has(n));
  }
  let groups = sysfsLinkGroups(hostLinks);
  if (groups && [...root.values()].some((l) => groups?.get(l.name) !== l.group)) groups = undefined;
  if (!groups) groups = new Map((await driver.dump(null)).links.map((l) => [l.name, l.group]));
  for (const [name, g] of groups) if (g === group && !names.has(name)) return false;
  return true;
}

/**
 * The names of the links sysfs lists in link group `group` (the root namespace's), read by the
 * agent (`sysgroup`). Undefined when it cannot say: the iproute2 backend, an agent built before
 * `sysgroup`, sysfs unreadable.
 */
async function sysfsLinksInGroup(driver: Driver, group: number): Promise<string[] | undefined> {
  if (driver.backend !== "agent") return undefined;
  const [r] = await (await driver.agent()).exec([{ op: "sysgroup", group }]);
  return r?.status === "ok" && Array.isArray(r.data) ? (r.data as string[]) : undefined;
}

/**
 * The tap devices of the lab's OVS bridges (ovs-vswitchd's userspace datapath makes one per bridge,
 * named after it): the bridge's row was checked as the lab's; the device must be a tap carrying no
 * other owner's marker.
 */
function bridgeTaps(
  root: ReadonlyMap<string, DumpLink>,
  lab: string,
  bridges: readonly OwnedObject[],
): string[] {
  return bridges.flatMap((b) => {
    const l = root.get(b.name);
    return l?.kind === "tun" && (!l.alias || labOfMarker(l.alias) === lab) ? [b.name] : [];
  });
}

/** Ports before bridges: deleting a veth end detaches it; deleting the bridge then is cheap. */
function bridgeLast(links: ReadonlyMap<string, DumpLink>, o: OwnedObject): number {
  return links.get(o.name)?.kind === "bridge" ? 1 : 0;
}

function isForeignPeer(l: DumpLink | undefined): boolean {
  return !!l && l.kind === "veth" && l.linkNetnsid !== null;
}
