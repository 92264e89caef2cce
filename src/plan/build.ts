/**
 * Topology → the ordered operations that create it. Pure: the same topology and host facts give
 * the same plan. The order is the order of phases (namespaces; bridges and veth pairs; IPv6 off on
 * root devices and the inside of each namespace; root devices up; OVS), which lets the driver
 * batch each phase into one request.
 */
import { TopologyError } from "../errors.js";
import { formatCidr } from "../model/ip.js";
import type { EndpointRef, Interface, Node, Topology } from "../model/types.js";
import { attachmentPlan } from "./attachments.js";
import { acceptOps } from "./firewall.js";
import { DEFAULT_CONTROLLER_TARGET, type HostFacts, hostProblems } from "./host.js";
import { EMPTY_FIREWALL } from "./host-firewall.js";
import { natInside, natPlanProblems, natRootEnd, natRootTables, transitLink } from "./nat.js";
import { planNodeEnv } from "./node-env.js";
import { openflowOps } from "./openflow.js";
import { linkGroupFor, markerFor, type NsName, type Op, type VethEnd } from "./ops.js";
import { qdiscFor } from "./qdisc.js";

/** Resolved placement of one veth end. */
interface EndInfo {
  ref: EndpointRef;
  node: Node;
  iface: Interface;
  ns: NsName;
}

/** Labs of more namespaces than this write their nodes' files before making the namespaces. */
const FILES_FIRST_OVER = 16;

/**
 * The operations that bring `t` up from nothing. Throws a TopologyError, before any operation exists,
 * when the topology needs something the host is known to lack (e.g. netem).
 */
export function planUp(t: Topology, host: HostFacts): Op[] {
  const missing = [...hostProblems(t, host), ...natPlanProblems(t, host)];
  if (missing.length > 0) throw new TopologyError(missing);
  const marker = markerFor(t.name);
  const ops: Op[] = [];
  const ends = endpointIndex(t);
  const nsOps = new Map<string, Op[]>();
  const inNs = (ns: string, op: Op) => {
    const list = nsOps.get(ns);
    if (list) list.push(op);
    else nsOps.set(ns, [op]);
  };

  // 1. Namespaces and (where the host can) the nodes' own files: the lab's file system and each
  //    node's tree in it, then each node's mount namespace and its /etc/netns/NS/hosts for
  //    `ip netns exec`. A small lab's plan reads as the walkthrough does, namespaces first; a
  //    bigger one's files come first (they need no namespace), written while the agent makes the
  //    namespaces (docs/benchmark.md, the 2026-12-05 night stop).
  const env = planNodeEnv(t, host);
  if (env.problems.length > 0) throw new TopologyError(env.problems);
  const namespaces: Op[] = [];
  for (const n of t.nodes)
    if (n.kind === "netns") namespaces.push({ op: "netns.add", ns: n.netns, marker, src: n.src });
  if (namespaces.length > FILES_FIRST_OVER) ops.push(...env.files, ...namespaces);
  else ops.push(...namespaces, ...env.files);
  ops.push(...env.mounts);

  // 2. Linux bridges, created down.
  const group = linkGroupFor(t.name);
  const rootIpv6: Op[] = [];
  const rootSet: Op[] = [];
  const rootLate: Op[] = [];
  const shapeRoot: Op[] = [];
  const shapeNs = new Map<string, Op[]>();
  /** A root-namespace device: IPv6 off before it comes up, then alias (+ bridge) and up in one go. */
  const finishRoot = (dev: string, master: string | undefined, src: Op["src"]) => {
    rootIpv6.push({ op: "link.ipv6off", dev, ...(src ? { src } : {}) });
    rootSet.push({
      op: "link.set",
      dev,
      alias: marker,
      ...(master ? { master } : {}),
      ...(src ? { src } : {}),
    });
  };
  const ext = attachmentPlan(t, host, marker, group);
  ops.push(...ext.bridges);
  for (const n of t.nodes)
    if (n.kind === "bridge") {
      ops.push({
        op: "bridge.add",
        dev: n.ifname,
        marker,
        group,
        stp: n.stp,
        ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
        src: n.src,
      });
      finishRoot(n.ifname, undefined, n.src);
    }

  // 3. veth pairs, each created with its ends already where they belong.
  const datapathOf = (n: Node) => (n.kind === "ovs-bridge" ? resolveDatapath(n.datapath, host) : undefined);
  for (const link of t.links) {
    const a = endInfo(ends, link.a);
    const b = endInfo(ends, link.b);
    // Create from the root-namespace end when there is one.
    const [main, peer] = a.ns !== null && b.ns === null ? [b, a] : [a, b];
    const mtu = (e: EndInfo) => e.iface.mtu ?? link.mtu;
    const end = (e: EndInfo, created: boolean): VethEnd => {
      const v: VethEnd = { name: e.iface.ifname, ns: e.ns };
      const m = mtu(e);
      if (m !== undefined) v.mtu = m;
      if (e.iface.mac) v.mac = e.iface.mac;
      // A namespace end created by this message can come up at once (unless its node is IPv4-only:
      // addrgenmode must be set while it is down); root ends are finished later.
      if (created && e.ns !== null && !(e.node.kind === "netns" && e.node.ipv6 === false)) v.up = true;
      return v;
    };
    ops.push({ op: "veth.add", a: end(main, true), b: end(peer, false), marker, group, src: link.src });
    for (const e of [main, peer])
      if (e.ns === null)
        finishRoot(e.iface.ifname, e.node.kind === "bridge" ? e.node.ifname : undefined, link.src);
    // Shaping: the same qdisc on the egress of both ends, after everything else of that end.
    if (link.shaping)
      for (const e of [a, b]) {
        const q: Op = {
          op: "qdisc.set",
          ns: e.ns,
          dev: e.iface.ifname,
          qdisc: qdiscFor(link.shaping),
          src: link.src,
        };
        if (e.ns === null) shapeRoot.push(q);
        else shapeNs.set(e.ns, [...(shapeNs.get(e.ns) ?? []), q]);
      }
    // Userspace-datapath OVS ports need TX checksums computed by the sender (the other end).
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (datapathOf(self.node) !== "netdev") continue;
      const off: Op = { op: "offload.off", ns: other.ns, dev: other.iface.ifname, src: link.src };
      if (other.ns === null) rootLate.push(off);
      else inNs(other.ns, off);
    }
  }

  // NAT nodes' transit links to the root namespace, and their root ends' address and forwarding.
  for (const n of t.nodes)
    if (n.kind === "netns" && n.nat) {
      ops.push(transitLink(t, n as Parameters<typeof transitLink>[1]));
      finishRoot(n.nat.rootIfname, undefined, n.src);
      rootLate.push(...natRootEnd(n as Parameters<typeof natRootEnd>[0]));
    }

  // 3b. Links to the host (veth pairs, macvlans, dummies, host interfaces moved in).
  ops.push(...ext.create);

  // 3b. This machine's ends of links to other machines (a lab spread over several): VXLAN devices,
  //     created where they live like veth ends, finished like them; an OVS userspace port without GRO.
  for (const tun of t.tunnels ?? []) {
    const e = endInfo(ends, tun.end);
    const src = tun.src ? { src: tun.src } : {};
    ops.push({
      op: "vxlan.add",
      dev: e.iface.ifname,
      ns: e.ns,
      vni: tun.vni,
      local: tun.local,
      remote: tun.remote,
      port: tun.port,
      ...(tun.dev !== undefined ? { underlay: tun.dev } : {}),
      mtu: e.iface.mtu ?? tun.mtu,
      ...(e.iface.mac ? { mac: e.iface.mac } : {}),
      marker,
      group,
      ...src,
    });
    if (e.ns === null)
      finishRoot(e.iface.ifname, e.node.kind === "bridge" ? e.node.ifname : undefined, tun.src);
    if (datapathOf(e.node) === "netdev")
      rootLate.push({ op: "link.gro.off", ns: null, dev: e.iface.ifname, ...src });
    if (tun.shaping) {
      const q: Op = { op: "qdisc.set", ns: e.ns, dev: e.iface.ifname, qdisc: qdiscFor(tun.shaping), ...src };
      if (e.ns === null) shapeRoot.push(q);
      else shapeNs.set(e.ns, [...(shapeNs.get(e.ns) ?? []), q]);
    }
  }

  // 4. IPv6 off on the root-namespace devices, and the inside of each namespace: sysctls first
  //    (some must precede addresses), then links up, addresses, routes. One agent round.
  ops.push(...rootIpv6, ...ext.rootIpv6);
  const createdUp = new Set(
    ops.flatMap((o) =>
      o.op === "veth.add"
        ? o.a.up && o.a.ns !== null
          ? [`${o.a.ns}/${o.a.name}`]
          : []
        : (o.op === "macvlan.add" || o.op === "dummy.add") && o.up
          ? [`${o.ns}/${o.name}`]
          : [],
    ),
  );
  const natTables: Op[] = [];
  for (const n of t.nodes) {
    if (n.kind !== "netns") continue;
    const pre = nsOps.get(n.netns) ?? [];
    const list: Op[] = [];
    for (const s of n.sysctls)
      list.push({ op: "sysctl.set", ns: n.netns, key: s.key, value: s.value, src: s.src });
    list.push(...pre);
    // `lo` is up from the namespace's creation (netns.add); it only takes addresses.
    if (n.ipv6 === false)
      for (const i of n.interfaces)
        if (i.name !== "lo") list.push({ op: "link.addrgen.none", ns: n.netns, dev: i.ifname, src: i.src });
    for (const i of n.interfaces)
      if (i.name !== "lo" && !createdUp.has(`${n.netns}/${i.ifname}`))
        list.push({ op: "link.up", ns: n.netns, dev: i.ifname, src: i.src });
    for (const i of n.interfaces)
      for (const c of i.addresses)
        list.push({ op: "addr.add", ns: n.netns, dev: i.ifname, cidr: formatCidr(c), src: i.src });
    for (const r of n.routes)
      list.push({
        op: "route.add",
        ns: n.netns,
        to: r.to,
        ...(r.via !== undefined ? { via: r.via } : {}),
        ...(r.dev !== undefined ? { dev: r.dev } : {}),
        ...(r.metric !== undefined ? { metric: r.metric } : {}),
        src: r.src,
      });
    if (n.nat)
      for (const o of natInside(t, n as Parameters<typeof natInside>[1]))
        (o.op.startsWith("nft.") ? natTables : list).push(o);
    list.push(...(shapeNs.get(n.netns) ?? []));
    ops.push(...list);
  }
  // NAT nodes' own masquerade tables after every namespace's settings: the agent sets those in one
  // request, and the tables go to nft (a process per namespace) together, several at a time.
  ops.push(...natTables);
  // Static ARP entries, once every namespace's interfaces are up (a link going down flushes them).
  for (const n of t.nodes)
    if (n.kind === "netns")
      for (const e of n.neighbors ?? [])
        ops.push({ op: "neigh.add", ns: n.netns, dev: e.dev, address: e.address, mac: e.mac, src: n.src });

  // 5. The root-namespace devices come up (with their addresses, alias, enslaved to their bridge).
  // (The NAT transit ends' addresses before their forwarding flags: one `ip -batch` for them all.)
  const rootSysctls = rootLate.filter((o) => o.op === "sysctl.set");
  const rootLater = [...rootLate.filter((o) => o.op !== "sysctl.set"), ...rootSysctls];
  ops.push(...ext.rootAddr, ...rootSet, ...ext.rootSet, ...rootLater, ...shapeRoot);

  // 6. Open vSwitch bridges, their ports and OpenFlow settings (one OVSDB transaction), then flows.
  const settings: Op[] = [];
  const flows: Op[] = [];
  for (const n of t.nodes) {
    if (n.kind !== "ovs-bridge") continue;
    ops.push({
      op: "ovs.bridge.add",
      bridge: n.ifname,
      datapath: resolveDatapath(n.datapath, host),
      marker,
      stp: n.stp,
      src: n.src,
    });
    for (const p of n.interfaces)
      ops.push({
        op: "ovs.port.add",
        bridge: n.ifname,
        port: p.ifname,
        marker,
        ...(p.vlan !== undefined ? { tag: p.vlan } : {}),
        ...(p.ofport !== undefined ? { ofport: p.ofport } : {}),
        src: p.src,
      });
    const of = openflowOps(n, host.defaultController ?? DEFAULT_CONTROLLER_TARGET);
    settings.push(...of.set);
    flows.push(...of.flows);
  }
  ops.push(...settings, ...flows);

  // 7. The lab's own nftables tables (NAT), and its accepts in the host's chains that could drop
  //    its traffic (none on a host whose forward path drops nothing).
  ops.push(...natRootTables(t, host));
  ops.push(...acceptOps(ops, t.name, host.firewall ?? EMPTY_FIREWALL));
  return ops;
}

/** `auto` → the kernel datapath when its module is loaded, the userspace one otherwise. */
export function resolveDatapath(d: "auto" | "netdev" | "system", host: HostFacts): "netdev" | "system" {
  if (d !== "auto") return d;
  return host.ovsKernelDatapath ? "system" : "netdev";
}

/** Every `node:iface` of the topology, resolved once (planning a 10,000-host lab stays linear). */
function endpointIndex(t: Topology): Map<string, EndInfo> {
  const out = new Map<string, EndInfo>();
  for (const node of t.nodes)
    for (const iface of node.interfaces)
      out.set(`${node.name}:${iface.name}`, {
        ref: { node: node.name, iface: iface.name },
        node,
        iface,
        ns: node.kind === "netns" ? node.netns : null,
      });
  return out;
}

function endInfo(ends: Map<string, EndInfo>, ref: EndpointRef): EndInfo {
  const e = ends.get(`${ref.node}:${ref.iface}`);
  if (!e) throw new Error(`internal: unresolved endpoint ${ref.node}:${ref.iface}`);
  return e;
}
