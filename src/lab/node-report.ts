/**
 * One node's report from what the kernel and OVS answered: a namespace's from its compact dump
 * (the agent's arrays, read in place: a 10,000-host lab makes no intermediate objects per link,
 * address and route), a bridge's from the root namespace's dump. Pure: no I/O.
 */

import { type CompactDump, linkStats, operstateOf } from "../drivers/nsagent/index.js";
import type { BridgeOpenFlow } from "../drivers/ovs/index.js";
import type { Node, Topology } from "../model/types.js";
import type { DumpLink, DumpLinkStats, DumpOperstate, NsDump } from "../plan/observed.js";
import { labOfMarker } from "../plan/ops.js";
import type { InterfaceReport, NodeReport, OpenFlowReport } from "./report.js";

/** `IFF_UP` of a link's flags. */
const IFF_UP = 1;
/** `IFF_LOWER_UP` of a link's flags: the carrier, as the kernel has it now. */
const IFF_LOWER_UP = 0x10000;
/** Address scope `host` (left out of reports) and route protocol `kernel` (routes the kernel made). */
const SCOPE_HOST = 254;
const PROTO_KERNEL = 2;

/** What every node's report needs, computed once per observation. */
export interface Context {
  lab: string;
  /** `node:iface` → the other end of its link, `node:iface`. */
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

/** A dump with lookups by name and index, and each interface's addresses (host scope left out). */
export interface IndexedDump {
  dump: NsDump;
  byName(name: string): DumpLink | undefined;
  byIndex(ifindex: number): DumpLink | undefined;
  addrs(ifindex: number): string[];
}

/** The root namespace's dump with its lookups (thousands of bridge ports: maps). */
export function indexDump(d: NsDump): IndexedDump {
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

/** The indexes of a lab's topology every observation uses. */
export function topologyIndexes(t: Topology): Pick<Context, "peers" | "auto"> {
  const auto = new Map<string, string[]>();
  for (const a of t.addressing?.assigned ?? []) {
    const list = auto.get(a.endpoint);
    if (list) list.push(a.cidr);
    else auto.set(a.endpoint, [a.cidr]);
  }
  const peers = new Map<string, string>();
  for (const l of t.links) {
    const a = `${l.a.node}:${l.a.iface}`;
    const b = `${l.b.node}:${l.b.iface}`;
    peers.set(a, b);
    peers.set(b, a);
  }
  return { peers, auto };
}

/** An interface that is not there. */
function absent(name: string, peer: string | undefined): InterfaceReport {
  return {
    name,
    present: false,
    up: false,
    operstate: "ABSENT",
    adminUp: false,
    addresses: [],
    ...(peer ? { peer } : {}),
  };
}

/** An interface that is there (the order of its keys is that of `status --json`). */
function present(
  name: string,
  auto: string[] | undefined,
  attached: boolean,
  adminUp: boolean,
  lowerUp: boolean,
  operstate: DumpOperstate,
  mtu: number,
  mac: string | null,
  addresses: string[],
  peer: string | undefined,
  stats: DumpLinkStats,
): InterfaceReport {
  const chosen = auto?.filter((c) => addresses.includes(c)) ?? [];
  return {
    name,
    ...(chosen.length > 0 ? { autoAddresses: chosen } : {}),
    present: attached,
    // Up: administratively, and with carrier. The carrier flag, not the operational state: the
    // kernel updates that one later (its link watch runs up to a second after a carrier comes on),
    // so a veth whose peer just came up still reads DOWN.
    up: adminUp && lowerUp,
    operstate,
    adminUp,
    mtu,
    mac,
    addresses,
    ...(peer ? { peer } : {}),
    stats,
  };
}

/** A namespace's report from its compact dump (undefined: it could not be read, or is gone). */
export function namespaceReport(
  n: Node & { kind: "netns" },
  d: CompactDump | undefined,
  ctx: Pick<Context, "lab" | "peers" | "auto">,
): NodeReport {
  const [links, addrs, routes] = d ?? [[], [], []];
  const linkNamed = (name: string) => {
    for (const l of links) if (l[1] === name) return l;
    return undefined;
  };
  const interfaces = n.interfaces.map((i): InterfaceReport => {
    const key = `${n.name}:${i.name}`;
    const peer = ctx.peers.get(key);
    const l = d ? linkNamed(i.ifname) : undefined;
    if (!l) return absent(i.ifname, peer);
    const addresses: string[] = [];
    for (const a of addrs) if (a[0] === l[0] && a[3] !== SCOPE_HOST) addresses.push(a[2]);
    return present(
      l[1],
      ctx.auto.get(key),
      true,
      (l[3] & IFF_UP) !== 0,
      (l[3] & IFF_LOWER_UP) !== 0,
      operstateOf(l[4]),
      l[5],
      l[6],
      addresses,
      peer,
      linkStats(l),
    );
  });
  const shown: NodeReport["routes"] = [];
  for (const r of routes) {
    if (r[5] === PROTO_KERNEL || r[1].startsWith("fe80:")) continue;
    const oif = r[3];
    let dev: string | undefined;
    if (oif !== null) {
      dev = String(oif);
      for (const l of links)
        if (l[0] === oif) {
          dev = l[1];
          break;
        }
    }
    shown.push({ dst: r[1], ...(r[2] ? { via: r[2] } : {}), ...(dev !== undefined ? { dev } : {}) });
  }
  return {
    name: n.name,
    kind: n.kind,
    ...(n.router ? { router: true as const } : {}),
    kernelName: n.netns,
    present: !!d,
    owned: labOfMarker(d ? linkNamed("lo")?.[7] : undefined) === ctx.lab,
    interfaces,
    routes: shown,
  };
}

/** A bridge's or OVS bridge's report, from the root namespace's dump and OVS. */
export function nodeReport(n: Exclude<Node, { kind: "netns" }>, ctx: Context): NodeReport {
  const { root, ovsPorts, lab } = ctx;
  const self = root.byName(n.ifname);
  const exists = n.kind === "ovs-bridge" ? ctx.ovsBridges.has(n.ifname) || !!self : !!self;
  const owned = labOfMarker(self?.alias) === lab || (n.kind === "ovs-bridge" && exists);
  const interfaces = n.interfaces.map((i): InterfaceReport => {
    const key = `${n.name}:${i.name}`;
    const peer = ctx.peers.get(key);
    const l = root.byName(i.ifname);
    if (!l) return absent(i.ifname, peer);
    const attached =
      n.kind === "ovs-bridge"
        ? ovsPorts.get(l.name) === n.ifname
        : root.byIndex(l.master ?? -1)?.name === n.ifname;
    return present(
      l.name,
      ctx.auto.get(key),
      attached,
      l.up,
      l.lowerUp,
      l.operstate,
      l.mtu,
      l.mac,
      root.addrs(l.ifindex),
      peer,
      l.stats,
    );
  });
  const of = n.kind === "ovs-bridge" ? ctx.openflow.get(n.ifname) : undefined;
  return {
    name: n.name,
    kind: n.kind,
    kernelName: n.ifname,
    present: exists,
    owned,
    interfaces,
    routes: [],
    ...(of ? { openflow: openflowReport(of) } : {}),
  };
}

function openflowReport(of: BridgeOpenFlow): OpenFlowReport {
  const { bridge: _, ...rest } = of;
  return { ...rest, failMode: of.failMode || "standalone" };
}
