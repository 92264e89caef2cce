/**
 * Loopback addresses on namespace nodes (`interfaces: { lo: 10.255.0.1/32 }`): the namespace's own
 * `lo`, which exists with the namespace and is always up, gets extra addresses — a router ID, a
 * service address reachable over any of the node's links. Only addresses: no MTU or MAC, never a
 * link end. Pure.
 */
import type { RawInterface } from "../sources/nslab/schema.js";
import type { AttachmentResolver } from "./attachments.js";
import { formatCidr } from "./ip.js";
import type { Interface } from "./types.js";

/** The loopback interface's name in every namespace. */
export const LOOPBACK = "lo";

/** Resolve a node's `lo` entry: its addresses, checked; problems go to `r`. */
export function loopbackInterface(
  r: AttachmentResolver,
  raw: RawInterface,
  path: Array<string | number>,
): Interface | undefined {
  const extras =
    raw && typeof raw === "object" && !Array.isArray(raw)
      ? (["mtu", "mac"] as const).filter((k) => raw[k] !== undefined)
      : [];
  // Each one reported, and the addresses still checked (every problem in one pass).
  for (const extra of extras)
    r.fail(
      `'${extra}' cannot be set on the loopback interface 'lo'; it takes addresses only`,
      r.at([...path, extra], true),
      "write the addresses alone, e.g. lo: 10.255.0.1/32",
    );
  const iface = r.netnsInterface(LOOPBACK, raw, path, true);
  if (!iface) return undefined;
  if (iface.addresses.length === 0) {
    if (extras.length === 0)
      r.fail(
        "the loopback interface 'lo' is listed without addresses",
        r.at(path, true),
        "give it addresses (lo: 10.255.0.1/32), or remove it: every namespace has its lo",
      );
    return undefined;
  }
  // Host addresses only (a router ID, a service address): /32 and /128.
  iface.addresses.forEach((a, i) => {
    const full = a.family === 4 ? 32 : 128;
    if (a.prefix !== full)
      r.fail(
        `loopback address ${formatCidr(a)} must be a host address (/${full})`,
        iface.at?.addresses?.[i] ?? iface.src ?? r.at(path, true),
        `write ${a.address}/${full}`,
      );
  });
  iface.loopback = true;
  return iface;
}
