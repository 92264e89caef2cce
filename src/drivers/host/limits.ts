/** The host limits a big lab can run into, read from /proc (all best effort: undefined when unknown). */
import { readFileSync } from "node:fs";
import type { HostLimits } from "../../plan/host.js";
import { listNetns, neighbourTable, procNumber } from "./facts.js";

/**
 * Read the host's limits now, for a lab of `namespaces` namespaces. The mounts are counted only
 * when the host's named namespaces and the lab's (a mount each) come to half of fs.mount-max:
 * counting means the kernel writing out /proc/self/mountinfo, ~0.1 s beside a 10,000-host lab,
 * for a limit other mounts alone come near only on a host with some 50,000 of them.
 */
export function hostLimits(namespaces = Number.POSITIVE_INFINITY): HostLimits {
  const out: HostLimits = { netnsNow: listNetns().length };
  const maxNs = procNumber("/proc/sys/user/max_net_namespaces");
  if (maxNs !== undefined) out.maxNetNamespaces = maxNs;
  const mountMax = procNumber("/proc/sys/fs/mount-max");
  if (mountMax !== undefined) out.mountMax = mountMax;
  if (mountMax === undefined || out.netnsNow + namespaces >= mountMax / 2) out.mountsNow = countMounts();
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
    // One line a mount; counted in the bytes (no text decoding: thousands of lines on a host
    // with many namespaces, each one a mount in /run/netns).
    const b = readFileSync("/proc/self/mountinfo");
    let n = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    return b.length > 0 && b[b.length - 1] !== 10 ? n + 1 : n;
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
