/**
 * The root namespace as a lab's status (and reconciling its plan) needs it, read through the
 * agent: the links named (whatever they are attached to, or not) and the root's addresses, no
 * routes — never a full link dump, whose cost grows with veth ends × namespaces (0.76 s of kernel
 * time with 10,000 of each, against 0.23 s). A few names are read one by one; many, with every
 * bridge and bridge port of the host (three dumps that scan no namespace ids) and the rest by name.
 */
import { constants } from "node:os";
import type { DumpLink, NsDump } from "../../plan/observed.js";
import { asNsDump, fromCompactDump, type NsAgent } from "../nsagent/index.js";

/**
 * Up to this many names, each is read on its own (a few kernel lookups) rather than every bridge
 * port of the host, whose cost is every other lab's ports: `status` of a lab of 10 hosts beside a
 * 10,000-host lab read that lab's 10,000 ports (0.2 s).
 */
export const NAMED_ROOT_READ_MAX = 64;
/** A dump the kernel marked as interrupted by a concurrent change (read again after a pause). */
export const DUMP_INTERRUPTED = /dump interrupted/;
/** What an agent built before a command answers to it. */
const UNKNOWN_COMMAND = /unknown command/;
const ATTEMPTS = 4;

/** The root links named in `names` and the root's addresses; undefined when only a full dump will do. */
export async function agentRootLinks(agent: NsAgent, names: readonly string[]): Promise<NsDump | undefined> {
  if (names.length <= NAMED_ROOT_READ_MAX) {
    const [entered, addrs, ...links] = await agent.exec([
      { op: "root" },
      { op: "addrdumpc" },
      ...names.map((dev) => ({ op: "getlink", dev }) as const),
    ]);
    const gone = (r: (typeof links)[number]) => r.status === "err" && r.errno === constants.errno.ENODEV;
    if (
      entered?.status === "ok" &&
      addrs?.status === "ok" &&
      links.every((r) => r.status === "ok" || gone(r))
    )
      return {
        ...fromCompactDump(addrs.data),
        links: links.flatMap((r) => (r.status === "ok" ? [r.data as DumpLink] : [])),
      };
    // An older agent, an address dump interrupted by a change: the bridges' dump.
  }
  let view: NsDump | undefined;
  // The compact form (a fourth of the bytes to decode); an older agent knows only the other.
  let op: "bridgedumpc" | "bridgedump" = "bridgedumpc";
  for (let attempt = 1; attempt <= ATTEMPTS && !view; attempt++) {
    const [entered, dumped] = await agent.exec([{ op: "root" }, { op }], { stopOnError: true });
    if (entered?.status === "ok" && dumped?.status === "ok")
      view = op === "bridgedumpc" ? fromCompactDump(dumped.data) : asNsDump(dumped.data);
    else if (dumped?.status === "err" && op === "bridgedumpc" && UNKNOWN_COMMAND.test(dumped.message)) {
      op = "bridgedump";
      attempt--;
    } else if (dumped?.status === "err" && DUMP_INTERRUPTED.test(dumped.message))
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
    else return undefined;
  }
  if (!view) return undefined;
  const seen = new Set(view.links.map((l) => l.name));
  const missing = names.filter((n) => !seen.has(n));
  if (missing.length === 0) return view;
  // Not a bridge port (detached, or a port of an OVS bridge): each read on its own.
  const replies = await agent.exec(missing.map((dev) => ({ op: "getlink", dev }) as const));
  const links = [...view.links];
  for (const r of replies) if (r.status === "ok") links.push(r.data as DumpLink);
  return { ...view, links };
}
