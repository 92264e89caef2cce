/**
 * Many namespaces read by one agent, each visited in turn, in the compact form (`nsdumpc`); an
 * older agent is asked the old ways and its answers given in the same form.
 */
import {
  type AgentReply,
  asCompactDump,
  type CompactDump,
  type NsAgent,
  type NsDump,
  toCompactDump,
} from "../nsagent/index.js";

/** What an agent built before a command answers to it. */
const UNKNOWN_COMMAND = /unknown command/;

/**
 * Namespaces read by one agent, each visited in turn (`nsdumpc`: the agent stays in root, and
 * answers in the compact form). `onDump` gets each one read in that form as it comes; the map
 * returned holds every namespace anyway, read or not.
 */
export async function dumpWith(
  agent: NsAgent,
  namespaces: readonly string[],
  onDump?: (ns: string, dump: CompactDump) => void,
): Promise<Map<string, CompactDump | Error>> {
  const out = new Map<string, CompactDump | Error>();
  if (namespaces.length === 0) return out;
  // Each one handed on as it comes (the agent is still reading the rest).
  const early = onDump
    ? (i: number, r: AgentReply) => {
        if (r.status !== "ok") return;
        let d: CompactDump;
        try {
          d = asCompactDump(r.data);
        } catch {
          return; // said below
        }
        onDump(namespaces[i]!, d);
      }
    : undefined;
  // An agent built before `nsdumpc` answers "unknown command" to each: asked again the old way.
  const compact = await agent.exec(
    namespaces.map((ns) => ({ op: "nsdumpc", ns }) as const),
    early ? { onReply: early } : {},
  );
  if (!(compact[0]?.status === "err" && UNKNOWN_COMMAND.test(compact[0].message))) {
    compact.forEach((r, i) => {
      const ns = namespaces[i]!;
      if (r.status !== "ok") out.set(ns, new Error(r.status === "err" ? r.message : "not read"));
      else
        try {
          out.set(ns, asCompactDump(r.data));
        } catch (e) {
          out.set(ns, e as Error);
        }
    });
    return out;
  }
  const replies = await agent.exec(namespaces.map((ns) => ({ op: "nsdump", ns }) as const));
  // An agent built before `nsdump` answers "unknown command": it moves into each namespace instead.
  if (replies[0]?.status === "err" && UNKNOWN_COMMAND.test(replies[0].message)) {
    const cmds = namespaces.flatMap((ns) => [{ op: "ns", ns } as const, { op: "dump" } as const]);
    const moved = await agent.exec([...cmds, { op: "root" }]);
    namespaces.forEach((ns, i) => {
      const enter = moved[2 * i]!;
      const dump = moved[2 * i + 1]!;
      if (enter.status === "err") out.set(ns, new Error(enter.message));
      else if (dump.status === "ok") out.set(ns, toCompactDump(dump.data as NsDump));
      else out.set(ns, new Error(dump.status === "err" ? dump.message : "not read"));
    });
    return out;
  }
  namespaces.forEach((ns, i) => {
    const r = replies[i]!;
    out.set(
      ns,
      r.status === "ok"
        ? toCompactDump(r.data as NsDump)
        : new Error(r.status === "err" ? r.message : "not read"),
    );
  });
  return out;
}
