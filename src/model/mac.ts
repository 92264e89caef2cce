/** MAC addresses: parsing and the checks that make one usable on an interface. */

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Normalised (lower-case) MAC, or an error message. */
export function parseMac(text: string): string | { error: string } {
  if (!MAC_RE.test(text))
    return { error: `'${text}' is not a MAC address; write six hex pairs like 02:00:00:00:00:01` };
  const mac = text.toLowerCase();
  const first = Number.parseInt(mac.slice(0, 2), 16);
  if (first & 1) return { error: `${mac} is a multicast MAC address (lowest bit of the first octet is set)` };
  if (mac === "00:00:00:00:00:00") return { error: "00:00:00:00:00:00 cannot be assigned to an interface" };
  return mac;
}
