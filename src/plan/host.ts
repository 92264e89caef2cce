/**
 * What plans know about the host, as plain data: the facts a plan depends on (the OVS kernel
 * datapath, kernel features) and the limits a lab can run into. Probed by `drivers/host`; planning
 * takes them as input and never fetches them itself. And what a topology asks of the kernel that
 * this host lacks, found before anything is created: links with delay/loss/jitter need netem;
 * VLANs on Linux-bridge ports need bridge VLAN filtering (nslab does VLANs on Open vSwitch
 * bridges); each problem points at the line that asks for it. Pure.
 */
import type { Problem } from "../errors.js";
import { describeShaping, netemFeatures } from "../model/shaping.js";
import type { Topology } from "../model/types.js";
import { attachmentProblems, type HostDeviceFacts } from "./host-devices.js";
import type { HostFirewall } from "./host-firewall.js";

/** What the plan needs to know about the host. */
export interface HostFacts extends HostDeviceFacts {
  /** The openvswitch kernel module is loaded (OVS bridges can use the kernel datapath). */
  ovsKernelDatapath: boolean;
  /** The kernel has netem (delay/loss/jitter); undefined when not probed (then it is not held against the lab). */
  netem?: boolean;
  /** The kernel has Linux-bridge VLAN filtering; undefined when not probed. */
  bridgeVlanFiltering?: boolean;
  /**
   * Where the controller nslab runs for labs listens (`controller: default`); undefined: the
   * default state directory's, {@link DEFAULT_CONTROLLER_TARGET}.
   */
  defaultController?: string;
  /**
   * Nodes get their own mount namespace, file system and names (the native agent is there to make
   * them); unset: nodes share the host's mounts, and files:/services: cannot be planned.
   */
  nodeEnv?: boolean;
  /** Where nslab keeps its state here (each lab's file system goes under it); default /run/nslab. */
  stateRoot?: string;
  /** What the host has at the paths of nodes' files (probed for labs with `files:`), by path. */
  paths?: Readonly<Record<string, PathFact>>;
  /** The host's mount points (an overlay on a directory must not hide one). */
  mounts?: readonly string[];
  /** The programs services run (argv[0]) → where the host has them, null when it does not. */
  programs?: Readonly<Record<string, string | null>>;
  /** The host's accounts, for files' owners (probed when a lab names one). */
  accounts?: Accounts;
  /** /etc/resolv.conf links into /run: where (`at`), and the file nodes with their own /run get there. */
  resolvConf?: { at: string; from: string };
  /** The resolv.conf nodes would see (read for labs with NAT nodes that name no `dns:`). */
  hostResolv?: { path: string; text: string };
  /**
   * The host's forward chains that could drop lab traffic (read for labs with Linux bridges or NAT
   * nodes); undefined when not read — then the plan adds no accepts.
   */
  firewall?: HostFirewall;
  /** The device of the host's IPv4 default route (`uplink: auto`); null: none; undefined: not read. */
  defaultUplink?: string | null;
  /** The uplink each NAT node of a running lab got when it came up (re-planning it: its record). */
  natUplinks?: Record<string, string>;
}

/** What the host has at one path. */
export interface PathFact {
  /** The path with the host's symbolic links resolved (`/var/run/x` → `/run/x`). */
  canonical: string;
  /** What is at `canonical`. */
  type: "file" | "dir" | "missing" | "other";
  /** The deepest directory on the way to `canonical` that exists (canonical itself when it is one). */
  existing: string;
}

/** The host's users and groups (a node shares /etc/passwd with the host). */
export interface Accounts {
  users: Readonly<Record<string, { uid: number; gid: number }>>;
  groups: Readonly<Record<string, number>>;
}

/** The target of the controller nslab runs, with the default state and OVS run directories. */
export const DEFAULT_CONTROLLER_TARGET = "unix:/var/run/openvswitch/nslab-testcontroller.sock";

/** A kernel feature nslab may need. */
export type KernelFeature = "netem" | "bridgeVlanFiltering" | "dummy" | "macvlan";

/** What else of the host a topology's plan depends on (read only for labs that need it). */
export interface HostReads {
  /**
   * Linux bridges (`kind: bridge`, the management bridge) or NAT nodes: the host's forward chains
   * that could drop their traffic.
   */
  firewall: boolean;
  /** A NAT node with `uplink: auto`: the device of the host's default route. */
  defaultUplink: boolean;
}

/** The Linux bridges a lab makes in the root namespace: `kind: bridge` nodes, the management bridge. */
export function labLinuxBridges(t: Topology): string[] {
  const out = t.nodes.flatMap((n) => (n.kind === "bridge" ? [n.ifname] : []));
  if (t.management) out.push(t.management.bridge);
  return out;
}

/** What `t`'s plan needs read of the host (nothing for a lab without bridges or NAT nodes). */
export function hostReadsNeeded(t: Topology): HostReads {
  const nats = t.nodes.filter((n) => n.kind === "netns" && n.nat);
  return {
    firewall: nats.length > 0 || labLinuxBridges(t).length > 0,
    defaultUplink: nats.some((n) => n.kind === "netns" && n.nat?.uplink === "auto"),
  };
}

/** The kernel features `t` needs beyond the basics (none for most labs: then nothing is probed). */
export function featuresNeeded(t: Topology): KernelFeature[] {
  const out: KernelFeature[] = [];
  if (t.links.some((l) => l.shaping && netemFeatures(l.shaping).length > 0)) out.push("netem");
  if (t.nodes.some((n) => n.kind === "bridge" && n.interfaces.some((i) => i.vlan !== undefined)))
    out.push("bridgeVlanFiltering");
  for (const kind of ["dummy", "macvlan"] as const)
    if (t.attachments?.some((a) => a.kind === kind)) out.push(kind);
  return out;
}

/** What the kernel allows, and what is in use now (all best effort: undefined when unknown). */
export interface HostLimits {
  /** user.max_net_namespaces: network namespaces that may exist at once (in this user namespace). */
  maxNetNamespaces?: number;
  /** Named network namespaces now (/run/netns). */
  netnsNow: number;
  /** fs.mount-max: mounts per mount namespace (each named namespace is a mount under /run/netns). */
  mountMax?: number;
  /** Mounts now (undefined: not counted, as far from fs.mount-max as can be told without it). */
  mountsNow?: number;
  /** Neighbour tables (shared by every namespace): gc_thresh3 and entries now. */
  neigh4?: { gcThresh3: number; entries: number };
  neigh6?: { gcThresh3: number; entries: number };
  /** MemAvailable, in kB. */
  memAvailableKb?: number;
  /** net.core.netdev_max_backlog: packets queued per CPU for delivery (veth receive goes through it). */
  netdevMaxBacklog?: number;
}

/** Every feature `t` needs that `host` is known not to have. Unknown facts are not held against it. */
export function hostProblems(t: Topology, host: HostFacts): Problem[] {
  const problems: Problem[] = [];
  if (host.netem === false)
    for (const link of t.links) {
      if (!link.shaping) continue;
      const wants = netemFeatures(link.shaping);
      if (wants.length === 0) continue;
      problems.push({
        message: `link asks for ${wants.join(", ")} (${describeShaping(link.shaping)}), which needs netem, and this kernel has no netem (CONFIG_NET_SCH_NETEM is not set)`,
        location: link.src,
        hint: "remove delay/loss/jitter (a rate alone uses tbf, which works here), or use a kernel with sch_netem; `nslab doctor` shows what this host has",
      });
    }
  for (const n of t.nodes) {
    if (n.kind !== "bridge") continue;
    for (const i of n.interfaces) {
      if (i.vlan === undefined) continue;
      problems.push({
        message:
          host.bridgeVlanFiltering === false
            ? `port '${i.name}' of Linux bridge '${n.name}' has vlan ${i.vlan}, but this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING is not set)`
            : `port '${i.name}' of Linux bridge '${n.name}' has vlan ${i.vlan}; nslab does VLAN access ports on Open vSwitch bridges only`,
        location: i.at?.vlan ?? i.src,
        hint: `make '${n.name}' an ovs-bridge (kind: ovs-bridge): its ports take 'vlan' like ovs-vsctl's tag=N`,
      });
    }
  }
  problems.push(...attachmentProblems(t, host));
  return problems;
}
