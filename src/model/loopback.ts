/**
 * Loopback addresses on namespace nodes (`interfaces: { lo: 10.255.0.1/32 }`): the namespace's own
 * `lo`, which exists with the namespace and is always up, gets extra addresses — a router ID, a
 * service address reachable over any of the node's links. Only addresses: no MTU or MAC, never a
 * link end. Pure.
 */
import type { RawInterface } from "../sources/nslab/schema.js";
import type { AttachmentResolver } from "./attachments.js";
import type { Interface } from "./types.js";

/** The loopback interface's name in every namespace. */
export const LOOPBACK = "lo";

/** Resolve a node's `lo` entry: its addresses, checked; problems go to `r`. */
export function loopbackInterface(
  r: AttachmentResolver,
  raw: RawInterface,
  path: Array<string | number>,
): Interface | undefined {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const extra = (["mtu", "mac"] as const).find((k) => raw[k] !== undefined);
    if (extra) {
      r.fail(
        `'${extra}' cannot be set on the loopback interface 'lo'; it takes addresses only`,
        r.at([...path, extra], true),
        "write the addresses alone, e.g. lo: 10.255.0.1/32",
      );
      return undefined;
    }
  }
  const iface = r.netnsInterface(LOOPBACK, raw, path, true);
  if (!iface) return undefined;
  if (iface.addresses.length === 0) {
    r.fail(
      "the loopback interface 'lo' is listed without addresses",
      r.at(path, true),
      "give it addresses (lo: 10.255.0.1/32), or remove it: every namespace has its lo",
    );
    return undefined;
  }
  iface.loopback = true;
  return iface;
}
