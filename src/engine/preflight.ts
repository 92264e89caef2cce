/**
 * Checks made before `up` changes anything: the host can do what the plan needs, and no name the
 * plan needs is taken by something that is not this lab's. Every problem is reported at once.
 */
import type { Backend, Driver } from "../drivers/driver.js";
import { deadNetnsFile, hasTun, isRoot, listNetns, procNumber } from "../drivers/host/facts.js";
import { listBridges, type OvsdbClient } from "../drivers/ovs/index.js";
import { findBinary, PACKAGE_OF } from "../drivers/runner/index.js";
import { NslabError } from "../errors.js";
import { labOfMarker, type Op, OVS_LAB_KEY } from "../plan/ops.js";
import { createdObjects } from "./inventory.js";

/** What the environment checks ask of the host (tests substitute their own). */
export interface HostProbe {
  isRoot(): boolean;
  findBinary(name: string): string | null;
  hasTun(): boolean;
  /** user.max_net_namespaces, when readable. */
  maxNetNamespaces(): number | undefined;
  /** Named network namespaces that exist now. */
  netnsCount(): number;
}

export const systemProbe: HostProbe = {
  isRoot,
  findBinary,
  hasTun,
  maxNetNamespaces: () => procNumber("/proc/sys/user/max_net_namespaces"),
  netnsCount: () => listNetns().length,
};

/** Throw E_ENV listing everything the host lacks for `ops` (checked before anything is changed). */
export function checkEnvironment(ops: readonly Op[], backend: Backend, host: HostProbe = systemProbe): void {
  const problems: string[] = [];
  const hints = new Set<string>();
  if (!host.isRoot()) {
    problems.push("nslab must run as root: it creates namespaces and interfaces in the kernel");
    hints.add("run it with sudo");
  }
  const need = new Set<string>(["ip"]);
  if (backend === "iproute2") {
    need.add("nsenter");
    if (ops.some((o) => o.op === "sysctl.set")) need.add("sysctl");
    if (ops.some((o) => o.op === "offload.off")) need.add("ethtool");
  }
  if (ops.some((o) => o.op === "qdisc.set")) need.add("tc");
  if (ops.some((o) => o.op === "link.gro.off")) need.add("ethtool");
  for (const o of ops) {
    if (o.op.startsWith("nft.") || o.op === "nat.masquerade" || (o.op === "fw.accept" && o.backend === "nft"))
      need.add("nft");
    else if (o.op === "fw.accept")
      need.add(
        `${o.family === "ip6" ? "ip6tables" : "iptables"}-${o.backend === "iptables-nft" ? "nft" : "legacy"}-restore`,
      );
  }
  if (ops.some((o) => o.op.startsWith("ovs.")))
    for (const b of ["ovsdb-server", "ovs-vswitchd", "ovsdb-tool"]) need.add(b);
  if (ops.some((o) => o.op === "ovs.flow.add" || o.op === "ovs.flow.del")) need.add("ovs-ofctl");
  const missing = [...need].filter((b) => !host.findBinary(b));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((b) => PACKAGE_OF[b] ?? b))];
    problems.push(`missing program${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
    hints.add(`install with: apt-get install ${pkgs.join(" ")} (or: nslab doctor --install)`);
  }
  if (ops.some((o) => o.op === "ovs.bridge.add" && o.datapath === "netdev") && !host.hasTun()) {
    problems.push("the Open vSwitch userspace datapath needs /dev/net/tun, which is missing");
    hints.add("load the tun module (modprobe tun) or create the device node");
  }
  const wanted = ops.filter((o) => o.op === "netns.add").length;
  const max = host.maxNetNamespaces();
  if (max !== undefined && wanted > 0 && host.netnsCount() + wanted > max) {
    problems.push(
      `the lab needs ${wanted} network namespaces; with the ${host.netnsCount()} that exist that exceeds this host's limit of ${max} (user.max_net_namespaces)`,
    );
    hints.add(`raise the limit: sysctl -w user.max_net_namespaces=${host.netnsCount() + wanted + 100}`);
  }
  if (problems.length > 0)
    throw new NslabError(
      "E_ENV",
      problems.length === 1 ? problems[0]! : `this host cannot run the lab:\n  - ${problems.join("\n  - ")}`,
      {
        hint: [...hints].join("; "),
      },
    );
}

/** One name the plan needs that is already taken. */
export interface Conflict {
  what: string;
  name: string;
  /** The lab owning it, or undefined when it is not nslab's. */
  owner: string | undefined;
  /** A namespace's file in /run/netns with no namespace on it (a reboot where /run is a disk). */
  dead?: true;
}

/** Find names `ops` would create that already exist. */
export async function findConflicts(
  ops: readonly Op[],
  driver: Driver,
  ovs: OvsdbClient | undefined,
): Promise<Conflict[]> {
  const created = createdObjects(ops);
  const conflicts: Conflict[] = [];
  const wantNs = created.filter((o) => o.kind === "netns").map((o) => o.name);
  const existingNs = new Set(listNetns());
  const takenNs = wantNs.filter((n) => existingNs.has(n));
  if (takenNs.length > 0) {
    const dumps = await driver.dumpMany(takenNs);
    for (const name of takenNs) {
      const d = dumps.get(name);
      const alias = d && !(d instanceof Error) ? d.links.find((l) => l.name === "lo")?.alias : undefined;
      const dead = d instanceof Error && deadNetnsFile(name);
      conflicts.push({ what: "namespace", name, owner: labOfMarker(alias), ...(dead ? { dead } : {}) });
    }
  }
  const wantLinks = [
    ...created.filter((o) => o.kind === "link").map((o) => o.name),
    ...created.filter((o) => o.kind === "ovs-bridge").map((o) => o.name),
  ];
  if (wantLinks.length > 0) {
    // Only the names the plan needs are looked up (a full dump of a root namespace crowded with
    // other labs' veth ends costs seconds).
    const byName = await driver.rootLinksNamed(wantLinks);
    for (const name of wantLinks) {
      const l = byName.get(name);
      if (l) conflicts.push({ what: "interface in the root namespace", name, owner: labOfMarker(l.alias) });
    }
  }
  if (ovs) {
    const bridges = await listBridges(ovs);
    const want = new Set(
      ops.flatMap((o) => (o.op === "ovs.bridge.add" ? [o.bridge] : o.op === "ovs.port.add" ? [o.port] : [])),
    );
    for (const b of bridges) {
      if (want.has(b.name) && !conflicts.some((c) => c.name === b.name))
        conflicts.push({ what: "Open vSwitch bridge", name: b.name, owner: b.externalIds[OVS_LAB_KEY] });
      for (const p of b.ports)
        if (p.name !== b.name && want.has(p.name) && !conflicts.some((c) => c.name === p.name))
          conflicts.push({
            what: `Open vSwitch port (on bridge ${b.name})`,
            name: p.name,
            owner: p.externalIds[OVS_LAB_KEY],
          });
    }
  }
  return conflicts;
}

/** The E_CONFLICT error for `conflicts`, saying for each what to do. */
export function conflictError(lab: string, conflicts: readonly Conflict[]): NslabError {
  const lines = conflicts.map((c) =>
    c.dead
      ? `${c.what} '${c.name}' is a file left in /run/netns without its namespace (a reboot of a host whose /run is a disk, or an umount) — remove it with: ip netns del ${c.name}`
      : c.owner
        ? `${c.what} '${c.name}' belongs to lab '${c.owner}'${c.owner === lab ? " (left from an earlier run)" : ""} — take it down first: nslab down ${c.owner}`
        : `${c.what} '${c.name}' exists and is not nslab's — nslab never touches what it did not create; rename it in the topology or remove it yourself`,
  );
  return new NslabError(
    "E_CONFLICT",
    `cannot bring up lab '${lab}': ${conflicts.length === 1 ? "a name it needs is" : `${conflicts.length} names it needs are`} taken:\n  - ${lines.join("\n  - ")}`,
    { hint: "nothing was changed" },
  );
}
