/**
 * The operations of a lab's links to what is outside its namespaces and of its management network,
 * sorted into the phases of `planUp`: root bridges; interfaces created (veth pairs to the root
 * namespace, macvlan and dummy interfaces) or moved in (host interfaces); IPv6 off on root devices;
 * root addresses; root devices finished (alias, bridge, up). What happens inside the nodes (links
 * up, addresses) comes from the nodes' interfaces, as for every other link. Pure.
 */
import { formatCidr } from "../model/ip.js";
import type { Interface, NetnsNode, Topology } from "../model/types.js";
import type { HostFacts } from "./host.js";
import { type Op, physMarkerFor, type VethEnd } from "./ops.js";

/** The operations, by phase. */
export interface AttachmentPlan {
  bridges: Op[];
  create: Op[];
  rootIpv6: Op[];
  rootAddr: Op[];
  rootSet: Op[];
}

/** Plan `t`'s attachments and management network (`marker`, `group`: the lab's). */
export function attachmentPlan(t: Topology, host: HostFacts, marker: string, group: number): AttachmentPlan {
  const p: AttachmentPlan = { bridges: [], create: [], rootIpv6: [], rootAddr: [], rootSet: [] };
  const nodes = new Map(t.nodes.flatMap((n) => (n.kind === "netns" ? [[n.name, n] as const] : [])));
  const ifaceOf = (node: string, iface: string): { n: NetnsNode; i: Interface } => {
    const n = nodes.get(node);
    const i = n?.interfaces.find((x) => x.name === iface);
    if (!n || !i) throw new Error(`internal: unresolved endpoint ${node}:${iface}`);
    return { n, i };
  };
  /** A root device: IPv6 off (unless it carries IPv6 addresses), its addresses, then alias (+ bridge) and up. */
  const finishRoot = (
    dev: string,
    addresses: Interface["addresses"],
    master: string | undefined,
    src: Op["src"],
  ) => {
    const at = src ? { src } : {};
    if (!addresses.some((a) => a.family === 6)) p.rootIpv6.push({ op: "link.ipv6off", dev, ...at });
    for (const c of addresses) p.rootAddr.push({ op: "root.addr.add", dev, cidr: formatCidr(c), ...at });
    p.rootSet.push({ op: "link.set", dev, alias: marker, ...(master ? { master } : {}), ...at });
  };
  /** The node end of a veth pair, the end created (so up at once, unless the node is IPv4-only). */
  const nodeEnd = (n: NetnsNode, i: Interface, mtu: number | undefined): VethEnd => ({
    name: i.ifname,
    ns: n.netns,
    ...((i.mtu ?? mtu) !== undefined ? { mtu: i.mtu ?? mtu } : {}),
    ...(i.mac ? { mac: i.mac } : {}),
    ...(n.ipv6 !== false ? { up: true } : {}),
  });
  const settings = (i: Interface, mtu: number | undefined) => ({
    ...((i.mtu ?? mtu) !== undefined ? { mtu: (i.mtu ?? mtu)! } : {}),
    ...(i.mac ? { mac: i.mac } : {}),
  });

  const m = t.management;
  if (m) {
    p.bridges.push({
      op: "bridge.add",
      dev: m.bridge,
      marker,
      group,
      stp: false,
      ...(m.src ? { src: m.src } : {}),
    });
    finishRoot(m.bridge, m.hostAddresses, undefined, m.src);
    for (const port of m.ports) {
      const { n, i } = ifaceOf(port.node, port.iface);
      const src = n.src ?? m.src;
      p.create.push({
        op: "veth.add",
        a: nodeEnd(n, i, undefined),
        b: { name: port.port, ns: null },
        marker,
        group,
        ...(src ? { src } : {}),
      });
      finishRoot(port.port, [], m.bridge, src);
    }
  }

  for (const a of t.attachments ?? []) {
    const { n, i } = ifaceOf(a.node.node, a.node.iface);
    const src = a.src ? { src: a.src } : {};
    switch (a.kind) {
      case "host":
      case "mgmt-net": {
        const h = a.host;
        const rootEnd: VethEnd = {
          name: h.ifname,
          ns: null,
          ...((h.mtu ?? a.mtu) !== undefined ? { mtu: h.mtu ?? a.mtu } : {}),
          ...(h.mac ? { mac: h.mac } : {}),
        };
        p.create.push({ op: "veth.add", a: nodeEnd(n, i, a.mtu), b: rootEnd, marker, group, ...src });
        finishRoot(h.ifname, h.addresses, a.kind === "mgmt-net" ? m?.bridge : undefined, a.src);
        break;
      }
      case "macvlan":
        p.create.push({
          op: "macvlan.add",
          ns: n.netns,
          name: i.ifname,
          parent: a.parent,
          mode: a.mode,
          group,
          ...settings(i, a.mtu),
          ...(n.ipv6 !== false ? { up: true } : {}),
          ...src,
        });
        break;
      case "dummy":
        p.create.push({
          op: "dummy.add",
          ns: n.netns,
          name: i.ifname,
          group,
          ...settings(i, a.mtu),
          ...(n.ipv6 !== false ? { up: true } : {}),
          ...src,
        });
        break;
      case "phys": {
        const saved = host.devices?.[a.device] ?? unprobed(a.device);
        p.create.push({
          op: "phys.move",
          dev: a.device,
          ns: n.netns,
          name: i.ifname,
          marker: physMarkerFor(t.name, a.device),
          saved,
          ...settings(i, a.mtu),
          ...src,
        });
        break;
      }
    }
  }
  return p;
}

/**
 * What a plan made without probing the host (`nslab plan` elsewhere, examples) records for an
 * interface to move in: only its name. `up` always probes it first.
 */
function unprobed(name: string) {
  return {
    name,
    ifindex: 0,
    kind: null,
    mac: null,
    mtu: 1500,
    up: false,
    alias: null,
    master: null,
    addresses: [],
    routes: [],
  };
}
