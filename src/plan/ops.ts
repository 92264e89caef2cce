/**
 * Operations: the plan as data. Each is one small change to the kernel or OVSDB, with the
 * topology element it came from. `up` applies a list of them; `plan` prints them as the shell
 * commands they are equivalent to; rollback applies their inverses.
 */
import type { SourceLocation } from "../errors.js";

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
  /** Bring up at creation (only the created end; the kernel refuses it for the peer). */
  up?: boolean;
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

interface OpBase {
  /** The topology element this operation comes from (for errors and plan comments). */
  src?: SourceLocation;
}

/** Every operation nslab performs. */
export type Op =
  | (OpBase & { op: "netns.add"; ns: string; marker: string })
  | (OpBase & { op: "netns.del"; ns: string })
  | (OpBase & { op: "bridge.add"; dev: string; marker: string; stp: boolean; mtu?: number })
  | (OpBase & { op: "veth.add"; a: VethEnd; b: VethEnd; marker: string })
  | (OpBase & { op: "link.del"; ns: NsName; dev: string })
  | (OpBase & { op: "link.up"; ns: NsName; dev: string })
  | (OpBase & { op: "link.down"; ns: NsName; dev: string })
  | (OpBase & { op: "link.master"; dev: string; master: string })
  | (OpBase & { op: "addr.add"; ns: string; dev: string; cidr: string })
  | (OpBase & { op: "addr.del"; ns: string; dev: string; cidr: string })
  | (OpBase & { op: "route.add"; ns: string; to: string; via?: string; dev?: string; metric?: number })
  | (OpBase & { op: "route.del"; ns: string; to: string; via?: string; dev?: string; metric?: number })
  | (OpBase & { op: "sysctl.set"; ns: string; key: string; value: string })
  | (OpBase & { op: "offload.off"; ns: NsName; dev: string })
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
  | (OpBase & { op: "ovs.port.add"; bridge: string; port: string; marker: string; tag?: number })
  | (OpBase & { op: "ovs.port.del"; bridge: string; port: string });

export type OpKind = Op["op"];
export type OpOf<K extends OpKind> = Extract<Op, { op: K }>;

/** Link group number nslab gives every link it creates in the same netlink message (a marker that
 * cannot be missing even if nslab dies between creating a link and setting its alias). */
export const NSLAB_LINK_GROUP = 7238508; // "nsl" in ASCII

/** The alias/external_id value that marks objects as owned by a lab. */
export function markerFor(lab: string): string {
  return `nslab:${lab}`;
}

/** The lab a marker names, or undefined when it is not nslab's. */
export function labOfMarker(marker: string | null | undefined): string | undefined {
  return marker?.startsWith("nslab:") ? marker.slice(6) : undefined;
}

/** OVSDB external_ids key carrying the owning lab's name. */
export const OVS_LAB_KEY = "nslab-lab";
