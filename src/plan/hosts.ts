/**
 * The lab's hosts file: every namespace node of the lab by name — its loopback address when it has
 * one (routers), else the first IPv4 address of its interfaces, else the first IPv6 one — and every
 * interface address as `node-interface`. One file for the whole lab (bound over /etc/hosts in
 * every node, and offered to `ip netns exec` as /etc/netns/NODE/hosts). Pure.
 */
import { formatCidr } from "../model/ip.js";
import type { NetnsNode, Topology } from "../model/types.js";

/** The text of the lab's hosts file. */
export function hostsFile(t: Topology): string {
  const lines = [
    `# nslab: the names of lab '${t.name}'`,
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
  ];
  for (const n of t.nodes) {
    if (n.kind !== "netns") continue;
    const primary = primaryAddress(n);
    if (primary) lines.push(`${primary}\t${n.name}`);
    for (const i of n.interfaces)
      for (const c of i.addresses) lines.push(`${formatCidr(c).split("/")[0]}\t${n.name}-${i.name}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The address a node's name stands for, or undefined when it has none. */
export function primaryAddress(n: NetnsNode): string | undefined {
  const ordered = [...n.interfaces].sort((a, b) => (a.name === "lo" ? -1 : b.name === "lo" ? 1 : 0));
  for (const family of [4, 6] as const)
    for (const i of ordered) {
      const c = i.addresses.find((a) => a.family === family);
      if (c) return formatCidr(c).split("/")[0];
    }
  return undefined;
}
