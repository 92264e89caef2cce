/** The host limits a big lab can run into, read from /proc (all best effort: undefined when unknown). */
import { readFileSync } from "node:fs";
import type { HostLimits } from "../../plan/host.js";
import { listNetns, neighbourTable, procNumber } from "./facts.js";

/** Read the host's limits now. */
export function hostLimits(): HostLimits {
  const out: HostLimits = { netnsNow: listNetns().length, mountsNow: countMounts() };
  const maxNs = procNumber("/proc/sys/user/max_net_namespaces");
  if (maxNs !== undefined) out.maxNetNamespaces = maxNs;
  const mountMax = procNumber("/proc/sys/fs/mount-max");
  if (mountMax !== undefined) out.mountMax = mountMax;
  const n4 = neighbourTable(4);
  if (n4) out.neigh4 = { gcThresh3: n4.gcThresh3, entries: n4.entries };
  const n6 = neighbourTable(6);
  if (n6) out.neigh6 = { gcThresh3: n6.gcThresh3, entries: n6.entries };
  const backlog = procNumber("/proc/sys/net/core/netdev_max_backlog");
  if (backlog !== undefined) out.netdevMaxBacklog = backlog;
  const mem = memAvailableKb();
  if (mem !== undefined) out.memAvailableKb = mem;
  return out;
}

function countMounts(): number {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

function memAvailableKb(): number | undefined {
  try {
    const m = readFileSync("/proc/meminfo", "utf8").match(/^MemAvailable:\s+(\d+)/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
