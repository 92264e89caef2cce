/** Facts about this host that plans and checks depend on, read from /proc, /sys and /dev. */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statfsSync,
  statSync,
} from "node:fs";

/** The openvswitch kernel module is loaded. */
export function ovsKernelModule(): boolean {
  return existsSync("/sys/module/openvswitch");
}

/** /dev/net/tun exists as a character device (the OVS userspace datapath needs it). */
export function hasTun(): boolean {
  try {
    return statSync("/dev/net/tun").isCharacterDevice();
  } catch {
    return false;
  }
}

/** Running as root (uid 0). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Names of the named network namespaces (/run/netns). */
export function listNetns(): string[] {
  try {
    return readdirSync("/run/netns");
  } catch {
    return [];
  }
}

/** The file system type of a namespace file with its namespace bound on it (NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;

/**
 * Whether /run/netns/NAME is a namespace file without its namespace: the empty file `ip netns add`
 * binds a namespace on, with nothing bound (the namespace went without its file: a reboot of a host
 * whose /run is a disk, or an umount by hand). No process can enter it; `ip netns del` removes it.
 */
export function deadNetnsFile(name: string): boolean {
  const path = `/run/netns/${name}`;
  try {
    const st = lstatSync(path);
    return st.isFile() && st.size === 0 && statfsSync(path).type !== NSFS_MAGIC;
  } catch {
    return false;
  }
}

/** When this host booted (ms since the epoch, /proc/stat's btime), or undefined. */
export function bootTimeMs(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "latin1"));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A number from /proc (e.g. /proc/sys/user/max_net_namespaces), or undefined. */
export function procNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, "utf8").trim().split(/\s+/)[0]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The kernel's neighbour table of one family (ARP or NDP): shared by every namespace. */
export interface NeighbourTable {
  family: 4 | 6;
  /** Entries beyond which the kernel refuses new ones (net.ipv4|6.neigh.default.gc_thresh3). */
  gcThresh3: number;
  /** Entries now, across all namespaces (/proc/net/stat/arp_cache or ndisc_cache). */
  entries: number;
}

/** The neighbour table of `family`, or undefined when /proc does not say. */
export function neighbourTable(family: 4 | 6): NeighbourTable | undefined {
  const gcThresh3 = procNumber(`/proc/sys/net/ipv${family}/neigh/default/gc_thresh3`);
  if (gcThresh3 === undefined) return undefined;
  let entries = 0;
  try {
    const lines = readFileSync(`/proc/net/stat/${family === 4 ? "arp_cache" : "ndisc_cache"}`, "utf8").split(
      "\n",
    );
    entries = Number.parseInt(lines[1]?.trim().split(/\s+/)[0] ?? "0", 16) || 0;
  } catch {
    // Not readable: assume empty.
  }
  return { family, gcThresh3, entries };
}

/**
 * Network namespaces held by processes (other than the one this process is in), one process each:
 * where an interface can be when its namespace lost its name (`ip netns del` while a process
 * still ran inside). Namespaces that have a name (/run/netns) are left out. Keyed by the
 * namespace's inode.
 */
export function processNetns(): Map<string, number> {
  const out = new Map<string, number>();
  let own: string | undefined;
  try {
    own = readlinkSync("/proc/self/ns/net");
  } catch {
    return out;
  }
  const named = new Set<string>();
  for (const n of listNetns())
    try {
      named.add(`net:[${statSync(`/run/netns/${n}`).ino}]`);
    } catch {
      // removed meanwhile
    }
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/net`);
      if (ns !== own && !named.has(ns) && !out.has(ns)) out.set(ns, Number(pid));
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return out;
}

/** The names under /sys/class/net (this namespace's links, and bonding_masters); undefined without sysfs. */
export function rootLinkNames(): string[] | undefined {
  try {
    return readdirSync("/sys/class/net");
  } catch {
    return undefined;
  }
}

/**
 * Link group of every link in this process's network namespace as sysfs shows it (name → group),
 * or undefined when sysfs cannot be read (`names`: the links, when listed already). One small file
 * per link, no netlink dump: a dump's cost grows with every veth end whose peer is in another
 * namespace (seconds with 10,000 of them).
 */
export function sysfsLinkGroups(
  names: readonly string[] | undefined = rootLinkNames(),
): Map<string, number> | undefined {
  if (names === undefined) return undefined;
  const out = new Map<string, number>();
  for (const name of names) {
    try {
      out.set(name, Number(readFileSync(`/sys/class/net/${name}/netdev_group`, "latin1")));
    } catch {
      // gone meanwhile, or not a device directory (bonding_masters)
    }
  }
  return out;
}
