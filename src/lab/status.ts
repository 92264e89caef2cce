/**
 * `status`: a lab as the kernel sees it now — each node, whether it exists, its interfaces with
 * state, addresses and counters, its routes — read from the kernel (not just from the record), and
 * its health: what is wrong with it or with what it depends on, each with its fix. The web view
 * uses the same observation, through a driver it keeps open.
 */
import type { Driver } from "../drivers/driver.js";
import { listNetns } from "../drivers/host/facts.js";
import { type BridgeInfo, type BridgeOpenFlow, listBridges, readOpenflow } from "../drivers/ovs/index.js";
import { checkLabHealth, repairCommand } from "../engine/health.js";
import type { Node, Topology } from "../model/types.js";
import type { DumpLink, NsDump } from "../plan/observed.js";
import { labOfMarker } from "../plan/ops.js";
import { type LabStatus, listLabs, readLab } from "../state/store.js";
import { kernelProblems } from "./kernel-health.js";
import { observedRecordOf } from "./record.js";
import type { InterfaceReport, LabReport, NodeReport, OpenFlowReport } from "./report.js";
import { labServiceReports } from "./services.js";

export type { InterfaceReport, LabReport, NodeReport, OpenFlowReport } from "./report.js";

/** A lab as recorded (no kernel access): for listing many labs cheaply. */
export interface LabSummary {
  lab: string;
  status: LabStatus;
  source?: string;
  createdAt: string;
  nodes: number;
  links: number;
}

/** Every recorded lab, from the records alone (labs whose record cannot be read are skipped). */
export function labSummaries(): LabSummary[] {
  const out: LabSummary[] = [];
  for (const lab of listLabs()) {
    let state: ReturnType<typeof readLab>;
    try {
      state = readLab(lab);
    } catch {
      continue;
    }
    if (!state) continue;
    out.push({
      lab,
      status: state.status,
      ...(state.topology.file ? { source: state.topology.file } : {}),
      createdAt: state.createdAt,
      nodes: state.topology.nodes.length,
      links: state.topology.links.length,
    });
  }
  return out;
}

/** Observe lab `lab` in the kernel now, through `driver` (E_NOT_FOUND when it has no record). */
export async function observeLab(lab: string, driver: Driver): Promise<LabReport> {
  const observed = observedRecordOf(lab);
  const existing = new Set(listNetns());
  const nsNames = observed.names.netns.filter((ns) => existing.has(ns));
  // The kernel is read while the record is parsed (a big lab's record comes without its kernel
  // names, see state/view.ts): the agents first, then every request written at once. The root
  // namespace: only what the lab's bridges and their ports need (a full dump of a root holding
  // thousands of veth ends costs the kernel more than reading every namespace).
  await driver.ready(nsNames.length);
  const reading = Promise.all([driver.rootLinks(observed.names.rootLinks), driver.dumpMany(nsNames)]);
  reading.catch(() => {}); // awaited below
  await new Promise<void>((resolve) => setImmediate(resolve));
  const state = observed.record();
  const t = state.topology;
  // OVS and the lab's other checks are asked meanwhile too.
  const ovs = state.usesOvs
    ? readOvs(
        driver,
        t.nodes.some((n) => n.kind === "ovs-bridge"),
      )
    : undefined;
  const repair = repairCommand(state);
  const checks = (async () => {
    const ovsBridges = (await ovs)?.bridges;
    return checkLabHealth({ lab, record: state, driver, repair, ...(ovsBridges ? { ovsBridges } : {}) });
  })();
  checks.catch(() => {}); // awaited below, unless the reading fails first
  const [[root, dumps], seen] = await Promise.all([reading, ovs]);
  const ovsBridges = seen?.bridges;
  const ovsPorts = seen?.ports ?? new Map<string, string>();
  // Indexes built once per observation: labs of a thousand nodes are observed every second.
  const ctx: Context = {
    lab,
    peers: peerMap(t),
    auto: autoAddresses(t),
    root: indexDump(root),
    ovsPorts,
    ovsBridges: new Set(ovsPorts.values()),
    openflow: seen?.openflow ?? new Map(),
  };
  const nodes = t.nodes.map((n) => {
    const d = n.kind === "netns" ? dumps.get(n.netns) : root;
    return nodeReport(
      n,
      d instanceof Error || d === undefined ? undefined : d === root ? ctx.root : indexDump(d),
      ctx,
    );
  });
  const services = labServiceReports(lab, state);
  const health = [
    // The machinery first (a dead ovs-vswitchd explains the rest), then the lab's own objects —
    // those only of a lab that is up (one being built or removed lacks some by nature).
    ...(await checks),
    ...(state.status === "up" ? kernelProblems(lab, t, nodes, repair, !(ovsBridges instanceof Error)) : []),
  ];
  return {
    lab,
    status: state.status,
    ...(t.file ? { source: t.file } : {}),
    createdAt: state.createdAt,
    healthy: health.length === 0,
    health,
    nodes,
    ...(services.length > 0 ? { services } : {}),
    ...(state.problem ? { problem: state.problem } : {}),
  };
}

/** What OVS says of the lab's bridges: each port's bridge, and their OpenFlow state. */
interface OvsSeen {
  /** The bridges, or why OVSDB could not be read (OVS not running: the Open vSwitch check says why). */
  bridges: BridgeInfo[] | Error;
  /** OVS port name → its bridge. */
  ports: Map<string, string>;
  openflow: Map<string, BridgeOpenFlow>;
}

async function readOvs(driver: Driver, withOpenflow: boolean): Promise<OvsSeen> {
  try {
    const client = await driver.ovsdb();
    const bridges = await listBridges(client);
    const ports = new Map(bridges.flatMap((b) => b.ports.map((p) => [p.name, b.name] as const)));
    // Every OVS bridge's datapath ID, fail mode and controllers (one more select in the same trip).
    return { bridges, ports, openflow: withOpenflow ? await readOpenflow(client) : new Map() };
  } catch (e) {
    // OVS not running: its bridges show as absent.
    return { bridges: e as Error, ports: new Map(), openflow: new Map() };
  }
}

/** A dump with lookups by name and index, and each interface's addresses (host scope left out). */
interface IndexedDump {
  dump: NsDump;
  byName(name: string): DumpLink | undefined;
  byIndex(ifindex: number): DumpLink | undefined;
  addrs(ifindex: number): string[];
}

/** Dumps of at most this many links are searched in place (a host's two links need no maps). */
const SEARCHED = 8;

function indexDump(d: NsDump): IndexedDump {
  if (d.links.length <= SEARCHED && d.addrs.length <= 4 * SEARCHED)
    return {
      dump: d,
      byName: (name) => d.links.find((l) => l.name === name),
      byIndex: (ifindex) => d.links.find((l) => l.ifindex === ifindex),
      addrs: (ifindex) =>
        d.addrs.flatMap((a) => (a.ifindex === ifindex && a.scope !== "host" ? [a.cidr] : [])),
    };
  const addrs = new Map<number, string[]>();
  for (const a of d.addrs) {
    if (a.scope === "host") continue;
    const list = addrs.get(a.ifindex);
    if (list) list.push(a.cidr);
    else addrs.set(a.ifindex, [a.cidr]);
  }
  const byName = new Map(d.links.map((l) => [l.name, l]));
  const byIndex = new Map(d.links.map((l) => [l.ifindex, l]));
  return {
    dump: d,
    byName: (name) => byName.get(name),
    byIndex: (ifindex) => byIndex.get(ifindex),
    // A copy: each report gets its own list.
    addrs: (ifindex) => [...(addrs.get(ifindex) ?? [])],
  };
}

/** What every node's report needs, computed once per observation. */
interface Context {
  lab: string;
  peers: Map<string, string>;
  /** `node:iface` → the addresses automatic addressing chose for it. */
  auto: Map<string, string[]>;
  root: IndexedDump;
  /** OVS port name → its bridge. */
  ovsPorts: Map<string, string>;
  ovsBridges: Set<string>;
  /** OpenFlow state of OVS bridges, by OVS name. */
  openflow: Map<string, BridgeOpenFlow>;
}

function nodeReport(n: Node, d: IndexedDump | undefined, ctx: Context): NodeReport {
  const { root, ovsPorts, lab } = ctx;
  const kernelName = n.kind === "netns" ? n.netns : n.ifname;
  const self = n.kind === "netns" ? d?.byName("lo") : root.byName(n.ifname);
  const present =
    n.kind === "ovs-bridge" ? ctx.ovsBridges.has(n.ifname) || !!self : !!d && (n.kind === "netns" || !!self);
  const owned = labOfMarker(self?.alias) === lab || (n.kind === "ovs-bridge" && present);
  // A namespace that could not be read has no interfaces to show (never look them up in root).
  const where = n.kind === "netns" ? d : root;
  const interfaces = n.interfaces.map((i): InterfaceReport => {
    const l: DumpLink | undefined = where?.byName(i.ifname);
    const peer = ctx.peers.get(`${n.name}:${i.name}`);
    if (!l)
      return {
        name: i.ifname,
        present: false,
        up: false,
        operstate: "ABSENT",
        adminUp: false,
        addresses: [],
        ...(peer ? { peer } : {}),
      };
    const addresses = where?.addrs(l.ifindex) ?? [];
    const auto = (ctx.auto.get(`${n.name}:${i.name}`) ?? []).filter((c) => addresses.includes(c));
    return {
      name: l.name,
      ...(auto.length > 0 ? { autoAddresses: auto } : {}),
      present:
        n.kind === "ovs-bridge"
          ? ovsPorts.get(l.name) === n.ifname
          : n.kind === "bridge"
            ? root.byIndex(l.master ?? -1)?.name === n.ifname
            : true,
      up: l.up && l.operstate !== "DOWN" && l.operstate !== "LOWERLAYERDOWN",
      operstate: l.operstate,
      adminUp: l.up,
      mtu: l.mtu,
      mac: l.mac,
      addresses,
      ...(peer ? { peer } : {}),
      stats: l.stats,
    };
  });
  const routes =
    n.kind === "netns" && d
      ? d.dump.routes
          .filter((r) => r.protocol !== 2 && !r.dst.startsWith("fe80:"))
          .map((r) => ({
            dst: r.dst,
            ...(r.gateway ? { via: r.gateway } : {}),
            ...(r.oif !== null ? { dev: d.byIndex(r.oif)?.name ?? String(r.oif) } : {}),
          }))
      : [];
  const of = n.kind === "ovs-bridge" ? ctx.openflow.get(n.ifname) : undefined;
  return {
    name: n.name,
    kind: n.kind,
    ...(n.kind === "netns" && n.router ? { router: true as const } : {}),
    kernelName,
    present,
    owned,
    interfaces,
    routes,
    ...(of ? { openflow: openflowReport(of) } : {}),
  };
}

function openflowReport(of: BridgeOpenFlow): OpenFlowReport {
  const { bridge: _, ...rest } = of;
  return { ...rest, failMode: of.failMode || "standalone" };
}

function autoAddresses(t: Topology): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const a of t.addressing?.assigned ?? []) m.set(a.endpoint, [...(m.get(a.endpoint) ?? []), a.cidr]);
  return m;
}

function peerMap(t: Topology): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of t.links) {
    m.set(`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`);
    m.set(`${l.b.node}:${l.b.iface}`, `${l.a.node}:${l.a.iface}`);
  }
  return m;
}
