/**
 * What a topology asks of the kernel that this host lacks, found before anything is created: links
 * with delay/loss/jitter need netem; VLANs on Linux-bridge ports need bridge VLAN filtering (nslab
 * does VLANs on Open vSwitch bridges). Each problem points at the line that asks for it.
 */
import type { Problem } from "../errors.js";
import { describeShaping, netemFeatures } from "../model/shaping.js";
import type { Topology } from "../model/types.js";
import type { HostFacts } from "./host.js";

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
  return problems;
}
