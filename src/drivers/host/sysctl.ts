/**
 * Reading and writing root-namespace sysctls through /proc/sys (what `sysctl -w` does), and the
 * ifindex of a root link (to tell an interface from a re-created one of the same name).
 */
import { readFileSync, writeFileSync } from "node:fs";

/** The path under /proc/sys of a key in either form (`net.ipv4.ip_forward`, `net/ipv4/conf/eth0.5/forwarding`). */
export function sysctlPath(key: string): string {
  const path = key.includes("/") ? key : key.replaceAll(".", "/");
  if (path.split("/").some((p) => p === ".." || p === "")) throw new Error(`bad sysctl key '${key}'`);
  return `/proc/sys/${path}`;
}

/** A sysctl's value, trimmed; undefined when it does not exist. */
export function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(sysctlPath(key), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Set a sysctl (throws when the kernel refuses). */
export function writeSysctl(key: string, value: string): void {
  writeFileSync(sysctlPath(key), `${value}\n`);
}

/** The ifindex of root-namespace link `dev`, or undefined when it does not exist. */
export function rootIfindex(dev: string): number | undefined {
  try {
    const n = Number(readFileSync(`/sys/class/net/${dev}/ifindex`, "utf8").trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
