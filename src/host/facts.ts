/** Facts about this host that plans and checks depend on, read from /proc, /sys and /dev. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

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

/** A number from /proc (e.g. /proc/sys/user/max_net_namespaces), or undefined. */
export function procNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, "utf8").trim().split(/\s+/)[0]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
