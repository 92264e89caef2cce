/**
 * Where external programs live. nslab runs as root, so it never trusts the caller's PATH: every
 * program is looked up in the system directories and run by absolute path.
 */
import { accessSync, constants } from "node:fs";
import { NslabError } from "../../errors.js";

/** The directories searched, in order. */
export const SYSTEM_DIRS = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

/** The Debian package that provides each program nslab may call (for "install it with" hints). */
export const PACKAGE_OF: Readonly<Record<string, string>> = {
  ip: "iproute2",
  tc: "iproute2",
  ping: "iputils-ping",
  "ovs-vsctl": "openvswitch-switch",
  "ovsdb-server": "openvswitch-switch",
  "ovs-vswitchd": "openvswitch-switch",
  "ovsdb-tool": "openvswitch-switch",
  "ovs-appctl": "openvswitch-switch",
  "ovs-ofctl": "openvswitch-switch",
  "ovs-testcontroller": "openvswitch-testcontroller",
  iperf3: "iperf3",
  ethtool: "ethtool",
  tcpdump: "tcpdump",
  nsenter: "util-linux",
  sysctl: "procps",
  modprobe: "kmod",
  nft: "nftables",
  "iptables-nft": "iptables",
  "ip6tables-nft": "iptables",
  "iptables-nft-save": "iptables",
  "ip6tables-nft-save": "iptables",
  "iptables-nft-restore": "iptables",
  "ip6tables-nft-restore": "iptables",
  "iptables-legacy-save": "iptables",
  "ip6tables-legacy-save": "iptables",
  "iptables-legacy-restore": "iptables",
  "ip6tables-legacy-restore": "iptables",
  ssh: "openssh-client",
};

const cache = new Map<string, string | null>();

/** Absolute path of `name`, or null when it is not installed. */
export function findBinary(name: string): string | null {
  if (name.startsWith("/")) return isExecutable(name) ? name : null;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  for (const dir of SYSTEM_DIRS) {
    const candidate = `${dir}/${name}`;
    if (isExecutable(candidate)) {
      found = candidate;
      break;
    }
  }
  cache.set(name, found);
  return found;
}

/** Absolute path of `name`; throws E_ENV with the package to install when it is missing. */
export function requireBinary(name: string): string {
  const path = findBinary(name);
  if (path) return path;
  const pkg = PACKAGE_OF[name];
  throw new NslabError("E_ENV", `required program '${name}' is not installed`, {
    hint: pkg
      ? `install it with: apt-get install ${pkg} (or: nslab doctor --install)`
      : `install '${name}' and try again`,
  });
}

/** Forget cached lookups (after `doctor --install`). */
export function clearBinaryCache(): void {
  cache.clear();
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
