/**
 * Operations: the plan as data. Each is one small change to the kernel or OVSDB, with the
 * topology element it came from. `up` applies a list of them; `plan` prints them as the shell
 * commands they are equivalent to; rollback applies their inverses.
 */
import type { SourceLocation } from "../errors.js";
import type { FileOrigin, FileOwner } from "../model/env-types.js";
import { fnv1a32 } from "../util/hash.js";
import type { FwOp } from "./fw-ops.js";
import type { HostDevice } from "./host-devices.js";

/** `null` is the root namespace. */
export type NsName = string | null;

/** One end of a veth pair as it is created. */
export interface VethEnd {
  name: string;
  ns: NsName;
  mtu?: number;
  mac?: string;
  /** Linux bridge to enslave to at creation (only the created end, not the peer). */
  master?: string;
  /**
   * Bring up at creation (only the created end, and only inside a namespace: a root-namespace end
   * is created down, its IPv6 turned off, then set up with `link.set`).
   */
  up?: boolean;
}

/** A VXLAN device as it is created. */
export interface VxlanEnd {
  dev: string;
  /** Where the device lives (`null`: the root namespace). */
  ns: NsName;
  vni: number;
  /** This machine's underlay address, and the other machine's. */
  local: string;
  remote: string;
  /** UDP destination port. */
  port: number;
  /** The underlay device toward the remote (the kernel then clamps the MTU to what fits). */
  underlay?: string;
  mtu?: number;
  mac?: string;
}

/** A root queueing discipline on an interface's egress. */
export type Qdisc =
  /** Token bucket: a rate limit. `burst` in bytes, `latencyMs` how long packets may queue. */
  | { kind: "tbf"; rateBps: number; burst: number; latencyMs: number }
  /** Network emulator: delay (± jitter), random loss, optionally a rate. */
  | { kind: "netem"; delayUs?: number; jitterUs?: number; lossPct?: number; rateBps?: number }
  /**
   * No queue, no shaping: what a veth has by default. Setting it is how shaping is removed — unlike
   * `tc qdisc del` it cannot fail when there is nothing to remove.
   */
  | { kind: "noqueue" };

/** A mount inside a node's own mount namespace (see `mntns.add`), in the node's view. */
export type NodeMount =
  /** An overlay on `dir` (its lower layer: `dir` itself); `upper`/`work` in the lab's file system. */
  | { kind: "overlay"; dir: string; upper: string; work: string }
  /** `from` (in the lab's file system) bound over `to`. */
  | { kind: "bind"; from: string; to: string }
  /** A fresh sysfs on /sys, of the node's network namespace (its /sys/class/net). */
  | { kind: "sysfs" };

interface OpBase {
  /** The topology element this operation comes from (for errors and plan comments). */
  src?: SourceLocation;
}

/** Every operation nslab performs. */
export type Op =
  | (OpBase & { op: "netns.add"; ns: string; marker: string })
  /** Delete a namespace; with `owner`, only if its loopback carries that ownership marker. */
  | (OpBase & { op: "netns.del"; ns: string; owner?: string })
  /** A Linux bridge, created down (`link.ipv6off` and `link.set` follow). */
  | (OpBase & { op: "bridge.add"; dev: string; marker: string; group: number; stp: boolean; mtu?: number })
  /** A veth pair, each end created where it lives, both in the lab's link group. */
  | (OpBase & { op: "veth.add"; a: VethEnd; b: VethEnd; marker: string; group: number })
  /**
   * No IPv6 on a root-namespace switch device (a bridge, a bridge port, an OVS port): it is layer-2
   * plumbing, and IPv6 on thousands of root devices means link-local addresses and routes in the
   * root namespace and an O(devices) route lookup for every multicast packet the root receives.
   */
  | (OpBase & { op: "link.ipv6off"; dev: string })
  /** Finish a root-namespace link in one message: ownership alias, bridge (if any), up. */
  | (OpBase & { op: "link.set"; dev: string; alias: string; master?: string })
  /** Delete every root-namespace link of a link group at once (one kernel batch); ownership checked first. */
  | (OpBase & { op: "link.delgroup"; group: number })
  | (OpBase & { op: "link.del"; ns: NsName; dev: string })
  | (OpBase & { op: "link.up"; ns: NsName; dev: string })
  /** No IPv6 address generation on an interface (IPv4-only nodes); before it comes up. */
  | (OpBase & { op: "link.addrgen.none"; ns: string; dev: string })
  | (OpBase & { op: "link.down"; ns: NsName; dev: string })
  | (OpBase & { op: "link.master"; dev: string; master: string })
  /** An address; in the root namespace (`ns: null`) only on a link of the lab's own (a NAT transit end). */
  | (OpBase & { op: "addr.add"; ns: NsName; dev: string; cidr: string })
  | (OpBase & { op: "addr.del"; ns: string; dev: string; cidr: string })
  | (OpBase & { op: "route.add"; ns: string; to: string; via?: string; dev?: string; metric?: number })
  | (OpBase & { op: "route.del"; ns: string; to: string; via?: string; dev?: string; metric?: number })
  /** A sysctl; in the root namespace (`ns: null`) only a per-device one of a link of the lab's own. */
  | (OpBase & { op: "sysctl.set"; ns: NsName; key: string; value: string })
  | (OpBase & { op: "offload.off"; ns: NsName; dev: string })
  /**
   * A VXLAN device: this machine's end of a link to a node on another machine, created where it
   * lives (inside the node's namespace, or in the root namespace as a bridge or OVS port; its UDP
   * socket is in the root namespace either way), in the lab's link group, learning nothing: its one
   * remote is set at creation.
   */
  | (OpBase & VxlanEnd & { op: "vxlan.add"; marker: string; group: number })
  /**
   * No GRO on a device (`ethtool -K DEV gro off`): a VXLAN end that is a port of an OVS userspace
   * bridge, which reads packets of at most the MTU and drops GRO-merged ones.
   */
  | (OpBase & { op: "link.gro.off"; ns: NsName; dev: string })
  /** `tc qdisc replace dev DEV root …` (idempotent: replaces whatever root qdisc is there). */
  | (OpBase & { op: "qdisc.set"; ns: NsName; dev: string; qdisc: Qdisc })
  | (OpBase & {
      op: "ovs.bridge.add";
      bridge: string;
      datapath: "netdev" | "system";
      marker: string;
      stp: boolean;
    })
  | (OpBase & { op: "ovs.bridge.del"; bridge: string })
  /**
   * The OpenFlow settings of an OVS bridge, all of them (so a changed one replaces the old in one
   * transaction): controller targets, fail mode, versions (empty: OVS's default), datapath ID
   * (absent: OVS's own). In-band control is off while it has controllers (as Mininet sets it).
   */
  | (OpBase & {
      op: "ovs.bridge.set";
      bridge: string;
      controllers: string[];
      failMode: "standalone" | "secure";
      protocols: string[];
      dpid?: string;
    })
  /** A port; `ofport`: the OpenFlow port number it asks for (`ofport_request`). */
  | (OpBase & {
      op: "ovs.port.add";
      bridge: string;
      port: string;
      marker: string;
      tag?: number;
      ofport?: number;
    })
  | (OpBase & { op: "ovs.port.del"; bridge: string; port: string })
  /** One flow (ovs-ofctl syntax), sent with the bridge's OpenFlow versions (`-O`, when it has some). */
  | (OpBase & { op: "ovs.flow.add"; bridge: string; flow: string; protocols: string[] })
  /** Delete the flow with exactly this match and priority (`ovs-ofctl --strict del-flows`). */
  | (OpBase & { op: "ovs.flow.del"; bridge: string; match: string; protocols: string[] })
  /** A permanent neighbour (ARP) entry inside a namespace. */
  | (OpBase & { op: "neigh.add"; ns: string; dev: string; address: string; mac: string })
  | (OpBase & { op: "neigh.del"; ns: string; dev: string; address: string })
  /** The lab's private file system: a tmpfs named `name` (nslab-LAB, its marker) on `path`, private. */
  | (OpBase & { op: "labfs.mount"; path: string; name: string })
  /** Detach the lab's file system (only if it is the tmpfs named `name`), then remove its directory. */
  | (OpBase & { op: "labfs.umount"; path: string; name: string })
  /** A directory in the lab's file system (parents made as needed). */
  | (OpBase & { op: "nodefs.dir"; path: string; mode: number; owner?: FileOwner })
  /** A file in the lab's file system: a copy of a file of the lab, or inline content. */
  | (OpBase & { op: "nodefs.file"; path: string; from: FileOrigin; mode: number; owner?: FileOwner })
  /** A copy of a directory of the lab (its whole tree) in the lab's file system. */
  | (OpBase & { op: "nodefs.tree"; path: string; from: string; mode?: number; owner?: FileOwner })
  /**
   * Namespace node `ns` gets its own mount namespace, kept by a bind onto `file` (in the lab's file
   * system `labfs`, under `fsroot` where every lab's is): a copy of the host's mounts without
   * /run/netns and the labs' file systems, plus `mounts`, in order.
   */
  | (OpBase & {
      op: "mntns.add";
      ns: string;
      file: string;
      labfs: string;
      fsroot: string;
      mounts: NodeMount[];
    })
  /** Detach and remove the kept mount namespace at `file`. */
  | (OpBase & { op: "mntns.del"; file: string })
  /** /etc/netns/NS/hosts → the lab's hosts file (what `ip netns exec NS` binds over /etc/hosts). */
  | (OpBase & { op: "etcnetns.add"; ns: string; hosts: string })
  /** Remove /etc/netns/NS/hosts (only the link to `hosts`), then /etc/netns/NS if empty. */
  | (OpBase & { op: "etcnetns.del"; ns: string; hosts: string })
  /** A macvlan child of host interface `parent`, created inside namespace `ns` (in the lab's link group). */
  | (OpBase & {
      op: "macvlan.add";
      ns: string;
      name: string;
      parent: string;
      mode: "bridge";
      group: number;
      mtu?: number;
      mac?: string;
      up?: boolean;
    })
  /** A dummy interface created inside namespace `ns` (in the lab's link group). */
  | (OpBase & {
      op: "dummy.add";
      ns: string;
      name: string;
      group: number;
      mtu?: number;
      mac?: string;
      up?: boolean;
    })
  /** An address in the root namespace, on a device the lab owns (a host link's end, the management bridge). */
  | (OpBase & { op: "root.addr.add"; dev: string; cidr: string })
  | (OpBase & { op: "root.addr.del"; dev: string; cidr: string })
  /**
   * Borrow host interface `dev`: mark it (`alias`), move it into `ns` as `name`, set what the
   * topology asks (MTU, MAC). `saved` is how it was, for giving it back.
   */
  | (OpBase & {
      op: "phys.move";
      dev: string;
      ns: string;
      name: string;
      marker: string;
      saved: HostDevice;
      mtu?: number;
      mac?: string;
    })
  /**
   * Give a borrowed host interface back: from namespace `ns` (null: it is in the root namespace
   * already) where it is called `dev`, to the root namespace with its name, MTU, alias, addresses,
   * state and routes as `saved` says (and its MAC, with `restoreMac`).
   */
  | (OpBase & { op: "phys.return"; ns: NsName; dev: string; saved: HostDevice; restoreMac?: boolean })
  /** nftables tables and rules: NAT, and accepts in the host's firewall (fw-ops.ts). */
  | FwOp;

export type OpKind = Op["op"];
export type OpOf<K extends OpKind> = Extract<Op, { op: K }>;

/** The link group nslab gave every link before link groups were per lab (still recognised). */
export const NSLAB_LINK_GROUP = 7238508; // "nsl" in ASCII

/** Per-lab link groups live in 0x6e000000–0x6effffff ("n"). */
const LAB_GROUP_BASE = 0x6e00_0000;

/**
 * The link group of a lab's links, given in the same netlink message that creates each link (a
 * marker that cannot be missing even if nslab dies before setting the alias), derived from the lab
 * name (FNV-1a, 24 bits). It lets `down` delete all of a lab's root links in one kernel batch
 * (`ip link del group G`) — after checking that every link in the group carries the lab's alias.
 */
export function linkGroupFor(lab: string): number {
  const h = fnv1a32(lab);
  return LAB_GROUP_BASE + ((h ^ (h >>> 24)) & 0xff_ffff);
}

/** Whether a link group is one nslab gives (per-lab, or the older shared one). */
export function isNslabGroup(group: number): boolean {
  return group === NSLAB_LINK_GROUP || group >>> 24 === LAB_GROUP_BASE >>> 24;
}

/** The alias/external_id value that marks objects as owned by a lab. */
export function markerFor(lab: string): string {
  return `nslab:${lab}`;
}

/** The lab a marker names, or undefined when it is not nslab's. */
export function labOfMarker(marker: string | null | undefined): string | undefined {
  return marker?.startsWith("nslab:") ? marker.slice(6) : undefined;
}

/**
 * The alias a borrowed host interface carries while a lab has it (it travels with the interface
 * into the node): `nslab-phys:LAB:NAME`, NAME its name on the host. Not an `nslab:` marker, so
 * nothing ever deletes it as a lab's own link.
 */
export function physMarkerFor(lab: string, device: string): string {
  return `nslab-phys:${lab}:${device}`;
}

/** The lab and host name a borrowed interface's alias names, or undefined. */
export function physOfMarker(alias: string | null | undefined): { lab: string; device: string } | undefined {
  const m = alias?.match(/^nslab-phys:([^:]+):(.+)$/);
  return m ? { lab: m[1]!, device: m[2]! } : undefined;
}

/** OVSDB external_ids key carrying the owning lab's name. */
export const OVS_LAB_KEY = "nslab-lab";
