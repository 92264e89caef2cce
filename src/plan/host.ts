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

/** What the plan needs to know about the host. */
export interface HostFacts extends HostDeviceFacts {
  /** The openvswitch kernel module is loaded (OVS bridges can use the kernel datapath). */
  ovsKernelDatapath: boolean;
  /** The kernel has netem (delay/loss/jitter); undefined when not probed (then it is not held against the lab). */
  netem?: boolean;
  /** The kernel has Linux-bridge VLAN filtering; undefined when not probed. */
  bridgeVlanFiltering?: boolean;
}

/** A kernel feature nslab may need. */
export type KernelFeature = "netem" | "bridgeVlanFiltering" | "dummy" | "macvlan";

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
  mountsNow: number;
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
