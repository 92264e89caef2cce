/**
 * `status`: a lab as the kernel sees it now — each node, whether it exists, its interfaces with
 * state, addresses and counters, its routes — read from the kernel (not just from the record).
 * The web view uses the same observation.
 */
import { Driver } from "../drivers/driver.js";
import type { DumpLink, DumpLinkStats, NsDump } from "../drivers/nsagent/index.js";
import { listBridges } from "../drivers/ovs/index.js";
import { NslabError } from "../errors.js";
import { listNetns } from "../host/facts.js";
import type { Node, Topology } from "../model/types.js";
import { labOfMarker } from "../plan/ops.js";
import { type LabStatus, listLabs, readLab } from "../state/store.js";
import type { CommonOptions } from "./options.js";

/** One interface as observed. */
export interface InterfaceReport {
  name: string;
  present: boolean;
  up: boolean;
  /** Kernel operational state (UP, DOWN, LOWERLAYERDOWN …); "ABSENT" when missing. */
  operstate: string;
  mtu?: number;
  mac?: string | null;
  /** Addresses as the kernel has them (global and link scope), e.g. `10.1.1.2/24`. */
  addresses: string[];
  /** The other end of the link, `node:interface`, from the topology. */
  peer?: string;
  stats?: DumpLinkStats;
}

/** One node as observed. */
export interface NodeReport {
  name: string;
  kind: Node["kind"];
  /** Namespace name (netns) or interface name (bridges). */
  kernelName: string;
  present: boolean;
  /** Marked as this lab's. */
  owned: boolean;
  interfaces: InterfaceReport[];
  routes: { dst: string; via?: string; dev?: string }[];
}

/** A lab as observed. */
export interface LabReport {
  lab: string;
  status: LabStatus;
  source?: string;
  createdAt: string;
  /** Every node exists and every interface is present and up. */
  healthy: boolean;
  nodes: NodeReport[];
  problem?: { message: string; fix: string };
}

/** Observe one lab (E_NOT_FOUND when it has no record). */
export async function status(lab: string, options: CommonOptions = {}): Promise<LabReport> {
  const driver = new Driver({
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  try {
    return await observeLab(lab, driver);
  } finally {
    await driver.close();
  }
}

/** Observe every recorded lab. */
export async function statusAll(options: CommonOptions = {}): Promise<LabReport[]> {
  const driver = new Driver({
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  try {
    const out: LabReport[] = [];
    for (const lab of listLabs()) out.push(await observeLab(lab, driver));
    return out;
  } finally {
    await driver.close();
  }
}

/** Observe `lab` with an open driver (reused by the web view). */
export async function observeLab(lab: string, driver: Driver): Promise<LabReport> {
  const state = readLab(lab);
  if (!state)
    throw new NslabError("E_NOT_FOUND", `no lab named '${lab}' is up`, {
      hint: "list labs with: nslab status",
    });
  const t = state.topology;
  const existing = new Set(listNetns());
  const nsNames = t.nodes.flatMap((n) => (n.kind === "netns" && existing.has(n.netns) ? [n.netns] : []));
  const [dumps, root] = await Promise.all([driver.dumpMany(nsNames), driver.dump(null)]);
  let ovsPorts = new Map<string, string>();
  if (state.usesOvs) {
    try {
      const bridges = await listBridges(await driver.ovsdb());
      ovsPorts = new Map(bridges.flatMap((b) => b.ports.map((p) => [p.name, b.name] as const)));
    } catch {
      // OVS not running: its bridges show as absent.
    }
  }
  const peers = peerMap(t);
  const ovsBridgeNames = new Set(ovsPorts.values());
  const index = new Map<NsDump, DumpIndex>();
  const indexOf = (d: NsDump): DumpIndex => {
    let x = index.get(d);
    if (!x) {
      x = dumpIndex(d);
      index.set(d, x);
    }
    return x;
  };
  const nodes = t.nodes.map((n) => {
    const d = n.kind === "netns" ? dumps.get(n.netns) : root;
    const own = d && !(d instanceof Error) ? indexOf(d) : undefined;
    return nodeReport(n, own, indexOf(root), ovsPorts, ovsBridgeNames, peers, lab);
  });
  const healthy = nodes.every((n) => n.present && n.interfaces.every((i) => i.present && i.up));
  return {
    lab,
    status: state.status,
    ...(t.file ? { source: t.file } : {}),
    createdAt: state.createdAt,
    healthy,
    nodes,
    ...(state.problem ? { problem: state.problem } : {}),
  };
}

/** A dump with its links and addresses indexed (a 10,000-host lab has 20,000 root links). */
interface DumpIndex {
  dump: NsDump;
  byName: Map<string, DumpLink>;
  byIndex: Map<number, DumpLink>;
  addrs: Map<number, string[]>;
}

function dumpIndex(dump: NsDump): DumpIndex {
  const addrs = new Map<number, string[]>();
  for (const a of dump.addrs) {
    if (a.scope === "host") continue;
    const list = addrs.get(a.ifindex);
    if (list) list.push(a.cidr);
    else addrs.set(a.ifindex, [a.cidr]);
  }
  return {
    dump,
    byName: new Map(dump.links.map((l) => [l.name, l])),
    byIndex: new Map(dump.links.map((l) => [l.ifindex, l])),
    addrs,
  };
}

function nodeReport(
  n: Node,
  own: DumpIndex | undefined,
  root: DumpIndex,
  ovsPorts: Map<string, string>,
  ovsBridgeNames: Set<string>,
  peers: Map<string, string>,
  lab: string,
): NodeReport {
  const kernelName = n.kind === "netns" ? n.netns : n.ifname;
  const self = n.kind === "netns" ? own?.byName.get("lo") : root.byName.get(n.ifname);
  const present =
    n.kind === "ovs-bridge"
      ? ovsBridgeNames.has(n.ifname) || !!self
      : !!own && (n.kind === "netns" || !!self);
  const owned = labOfMarker(self?.alias) === lab || (n.kind === "ovs-bridge" && present);
  const where = own ?? root;
  const interfaces = n.interfaces.map((i): InterfaceReport => {
    const l = where.byName.get(i.ifname);
    const peer = peers.get(`${n.name}:${i.name}`);
    if (!l)
      return {
        name: i.ifname,
        present: false,
        up: false,
        operstate: "ABSENT",
        addresses: [],
        ...(peer ? { peer } : {}),
      };
    return {
      name: l.name,
      present:
        n.kind === "ovs-bridge"
          ? ovsPorts.get(l.name) === n.ifname
          : n.kind === "bridge"
            ? where.byIndex.get(l.master ?? -1)?.name === n.ifname
            : true,
      up: l.up && l.operstate !== "DOWN" && l.operstate !== "LOWERLAYERDOWN",
      operstate: l.operstate,
      mtu: l.mtu,
      mac: l.mac,
      addresses: where.addrs.get(l.ifindex) ?? [],
      ...(peer ? { peer } : {}),
      stats: l.stats,
    };
  });
  const routes =
    n.kind === "netns" && own
      ? own.dump.routes
          .filter((r) => r.protocol !== 2 && !r.dst.startsWith("fe80:"))
          .map((r) => ({
            dst: r.dst,
            ...(r.gateway ? { via: r.gateway } : {}),
            ...(r.oif !== null ? { dev: own.byIndex.get(r.oif)?.name ?? String(r.oif) } : {}),
          }))
      : [];
  return { name: n.name, kind: n.kind, kernelName, present, owned, interfaces, routes };
}

function peerMap(t: Topology): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of t.links) {
    m.set(`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`);
    m.set(`${l.b.node}:${l.b.iface}`, `${l.a.node}:${l.a.iface}`);
  }
  return m;
}
