/**
 * The data of the agent's replies, one reader per kind of reply (the wire itself: protocol.ts). Each
 * checks the outline and throws TypeError for anything else. Pure functions only.
 */
import type { NsDump } from "../../plan/observed.js";

/** An nftables table: its family as nft names it (`ip`, `ip6`, `inet`, `arp`, `bridge`, `netdev`) and its name. */
export interface NftTable {
  family: string;
  name: string;
}

/** The data of an `nfttables` reply. Throws TypeError for anything else. */
export function asNftTables(data: unknown): NftTable[] {
  if (!Array.isArray(data)) throw new TypeError("nsagent: nfttables reply is not an array");
  return data.map((t: unknown) => {
    if (!Array.isArray(t) || t.length !== 2 || typeof t[1] !== "string")
      throw new TypeError("nsagent: nfttables reply holds something other than [family, name]");
    return { family: String(t[0]), name: t[1] };
  });
}

/** The data of an `nftrules` reply: how many rules each chain holds (chains without rules are not in it). */
export function asRulesByChain(data: unknown): Map<string, number> {
  if (!Array.isArray(data) || data.some((c) => typeof c !== "string"))
    throw new TypeError("nsagent: nftrules reply is not an array of chain names");
  const out = new Map<string, number>();
  for (const chain of data as string[]) out.set(chain, (out.get(chain) ?? 0) + 1);
  return out;
}

/** The data of a `sysaliases` reply: link name → alias. Throws TypeError for anything else. */
export function asLinkAliases(data: unknown): Map<string, string> {
  if (!Array.isArray(data)) throw new TypeError("nsagent: sysaliases reply is not an array");
  const out = new Map<string, string>();
  for (const pair of data as unknown[]) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== "string" ||
      typeof pair[1] !== "string"
    )
      throw new TypeError("nsagent: sysaliases reply holds something other than [name, alias]");
    out.set(pair[0], pair[1]);
  }
  return out;
}

/** Check the outline of a `dump` reply's data; the members are trusted as the agent wrote them. */
export function asNsDump(data: unknown): NsDump {
  const d = data as Partial<Record<keyof NsDump, unknown>> | null;
  if (
    typeof d !== "object" ||
    d === null ||
    !Array.isArray(d.links) ||
    !Array.isArray(d.addrs) ||
    !Array.isArray(d.routes)
  ) {
    throw new TypeError("nsagent: dump reply is not {links, addrs, routes}");
  }
  return d as NsDump;
}
