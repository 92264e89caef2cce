/**
 * A generated graph → the topology object a YAML file would hold: hosts are namespace nodes with
 * one interface `<host>-eth0` addressed `10.0.0.N/8` (N in Mininet's order), switches are Linux or
 * Open vSwitch bridges, links are veth pairs between `node:<node>-eth<port>` endpoints.
 */
import type { OpenFlowVersionName } from "../openflow-versions.js";
import { intfName, naturalSorted, type TopoGraph } from "./graph.js";

/** Which bridge implements a switch: a Linux bridge (Mininet's `lxbr`) or an Open vSwitch bridge. */
export type SwitchKind = "bridge" | "ovs";

/** What every generated OVS switch gets (Mininet's --controller and --switch ovs,…), as the file writes it. */
export interface GeneratedOvsFields {
  controller?: string[];
  protocols?: OpenFlowVersionName;
  "fail-mode"?: "standalone" | "secure";
  datapath?: "netdev" | "system";
}

export interface ToSpecOptions {
  name: string;
  switch: SwitchKind;
  /** OpenFlow settings of every switch (with `switch: ovs`). */
  ovs?: GeneratedOvsFields;
  /** Mininet's --mac: host i gets MAC 00:00:00:00:00:0i (its number as 48 bits). */
  mac?: boolean;
  /** Mininet's --arp: static ARP entries on every host (`arp: static`). */
  arp?: boolean;
  /** Run the spanning tree protocol on every switch (for topologies with loops). */
  stp: boolean;
  /** Keep IPv6 (link-local) on the hosts; by default they are IPv4-only (`ipv6: false`). */
  ipv6: boolean;
  /**
   * Mininet's `--nat`: a NAT gateway `nat0` (its uplink: `auto` or a host interface) on the first
   * switch, with the next host address; every host's default route goes through it.
   */
  nat?: string;
}

/**
 * Generated hosts are IPv4 hosts (Mininet's addressing), written `ipv6: false` unless IPv6 is asked
 * for: no link-local addresses, so no router solicitations, MLD reports and DAD probes to
 * multicast groups that every bridge floods to every port — the link-local chatter of a flat
 * N-host lab costs O(N²) packet deliveries (linear,300 here: ~3 s of CPU in the 10 s after `up`; a
 * 10,000-host lab would keep both cores busy for many minutes).
 */

/** A generated topology in the YAML file's shape (`topologyFromObject` validates it). */
export interface GeneratedSpec {
  name: string;
  arp?: "static";
  nodes: Record<string, GeneratedNode>;
  links: [string, string][];
}

export type GeneratedNode =
  | { interfaces: Record<string, string | { addresses: string[]; mac: string }>; ipv6?: false }
  | ({ kind: "bridge" | "ovs-bridge"; stp?: boolean } & GeneratedOvsFields)
  | { kind: "nat"; uplink: string; interfaces: Record<string, string>; ipv6?: false };

/** Mininet's --mac: host number i (from 1) → its MAC, the number as 48 bits (00:00:00:00:00:01). */
export function hostMac(i: number): string {
  const hex = i.toString(16).padStart(12, "0");
  return hex.match(/../g)!.join(":");
}

/** Mininet's default host addressing: 10.0.0.0/8, host number i (from 1) → 10.0.0.0 + i. */
export function hostAddress(i: number): string {
  if (!Number.isInteger(i) || i < 1 || i >= 2 ** 24 - 1)
    throw new RangeError(`host number ${i} is outside 10.0.0.0/8`);
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/8`;
}

/** The topology object for a graph. */
export function graphToSpec(g: TopoGraph, options: ToSpecOptions): GeneratedSpec {
  const nodes: Record<string, GeneratedNode> = {};
  // Mininet.buildFromTopo adds hosts in natural name order; addHost hands out 10.0.0.1, .2, …
  const ordered = naturalSorted(g.hosts);
  ordered.forEach((h, i) => {
    const address = hostAddress(i + 1);
    const interfaces = {
      [intfName(h, 0)]: options.mac ? { addresses: [address], mac: hostMac(i + 1) } : address,
    };
    nodes[h] = options.ipv6 ? { interfaces } : { interfaces, ipv6: false };
  });
  const kind = options.switch === "ovs" ? "ovs-bridge" : "bridge";
  const ovs = kind === "ovs-bridge" ? (options.ovs ?? {}) : {};
  for (const s of naturalSorted(g.switches))
    nodes[s] = { kind, ...(options.stp ? { stp: true } : {}), ...ovs };
  const links = g.links.map((l): [string, string] => [
    `${l.a.node}:${intfName(l.a.node, l.a.port)}`,
    `${l.b.node}:${intfName(l.b.node, l.b.port)}`,
  ]);
  if (options.nat !== undefined) {
    // Mininet's addNAT: the next address (addHost order), a link to the first switch.
    const first = naturalSorted(g.switches)[0];
    if (first === undefined) throw new RangeError("--nat needs a topology with a switch");
    const ports = g.links
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.node === first)
      .map((e) => e.port);
    const interfaces = { [intfName("nat0", 0)]: hostAddress(ordered.length + 1) };
    nodes.nat0 = {
      kind: "nat",
      uplink: options.nat,
      interfaces,
      ...(options.ipv6 ? {} : { ipv6: false as const }),
    };
    links.push([`nat0:${intfName("nat0", 0)}`, `${first}:${intfName(first, Math.max(0, ...ports) + 1)}`]);
  }
  return { name: options.name, ...(options.arp ? { arp: "static" as const } : {}), nodes, links };
}
