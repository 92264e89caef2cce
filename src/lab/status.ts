/**
 * `status`: a lab as the kernel sees it now — each node, whether it exists, its interfaces with
 * state, addresses and counters, its routes — read from the kernel (not just from the record), and
 * its health: what is wrong with it or with what it depends on, each with its fix. The web view
 * uses the same observation, through a driver it keeps open.
 */
import type { Driver } from "../drivers/driver.js";
import type { CompactDump } from "../drivers/nsagent/index.js";
import { type BridgeInfo, type BridgeOpenFlow, listBridges, readOpenflow } from "../drivers/ovs/index.js";
import { checkLabHealth, repairCommand } from "../engine/health.js";
import type { Node } from "../model/types.js";
import { type LabStatus, listLabs, readLab } from "../state/store.js";
import { kernelProblems } from "./kernel-health.js";
import { type Context, indexDump, namespaceReport, nodeReport, topologyIndexes } from "./node-report.js";
import { observedRecordOf } from "./record.js";
import type { LabReport, NodeReport } from "./report.js";
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
  // A namespace that is gone answers as such: no list of /run/netns first (10,000 entries there).
  const nsNames = observed.names.netns;
  // The kernel is read while the record is parsed (a big lab's record comes without its kernel
  // names, see state/view.ts): the agents first, then every request written at once. The root
  // namespace: only what the lab's bridges and their ports need (a full dump of a root holding
  // thousands of veth ends costs the kernel more than reading every namespace).
  await driver.ready(nsNames.length);
  // Each namespace's report is made as its dump comes, while the agents read the rest (those that
  // come before the record is parsed wait for it).
  const early = new Map<string, NodeReport>();
  let waiting: [string, CompactDump][] = [];
  let onDump = (ns: string, d: CompactDump) => {
    waiting.push([ns, d]);
  };
  const reading = Promise.all([
    driver.rootLinks(observed.names.rootLinks),
    driver.dumpManyCompact(nsNames, (ns, d) => onDump(ns, d)),
  ]);
  reading.catch(() => {}); // awaited below
  await new Promise<void>((resolve) => setImmediate(resolve));
  const state = observed.record();
  const t = state.topology;
  const indexes = { lab, ...topologyIndexes(t) };
  const byNetns = new Map<string, Node & { kind: "netns" }>();
  for (const n of t.nodes) if (n.kind === "netns") byNetns.set(n.netns, n);
  onDump = (ns, d) => {
    const n = byNetns.get(ns);
    if (n) early.set(ns, namespaceReport(n, d, indexes));
  };
  for (const [ns, d] of waiting) onDump(ns, d);
  waiting = [];
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
    ...indexes,
    root: indexDump(root),
    ovsPorts,
    ovsBridges: new Set(ovsPorts.values()),
    openflow: seen?.openflow ?? new Map(),
  };
  const nodes = t.nodes.map((n) => {
    if (n.kind !== "netns") return nodeReport(n, ctx);
    const seen = early.get(n.netns);
    if (seen) return seen;
    const d = dumps.get(n.netns);
    return namespaceReport(n, d instanceof Error ? undefined : d, ctx);
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
