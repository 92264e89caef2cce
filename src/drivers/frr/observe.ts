/**
 * What a router's FRR says about its sessions: OSPF and OSPFv3 neighbours and BGP peers, read with
 * one `vtysh` run in the router (so it talks to that router's daemons and no other), as JSON.
 */
import type { NeighborState, Protocol } from "../../plan/frr/converge.js";
import type { Runner } from "../runner/index.js";

const COMMANDS: Record<Protocol, string> = {
  ospf: "show ip ospf neighbor json",
  ospf6: "show ipv6 ospf6 neighbor json",
  bgp: "show bgp summary json",
};

/** The sessions of the router whose `vtysh` runs as `inRouter(["vtysh", …])`. */
export async function readSessions(
  runner: Runner,
  inRouter: (argv: string[]) => string[],
  vtysh: string,
  protocols: readonly Protocol[],
): Promise<NeighborState[]> {
  if (protocols.length === 0) return [];
  const argv = [vtysh, ...protocols.flatMap((p) => ["-c", COMMANDS[p]])];
  const r = await runner.run(inRouter(argv), { allowFailure: true, timeoutMs: 20_000 });
  // vtysh stops at the first command that fails, such as one for a daemon that is not running.
  const down = notRunning(`${r.stdout}\n${r.stderr}`);
  if (down.length > 0) throw new Error(`${down.join(", ")} ${down.length === 1 ? "is" : "are"} not running`);
  if (r.exitCode !== 0 && r.stdout.trim() === "")
    throw new Error(`vtysh failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n")[0] ?? ""}`);
  return jsonDocuments(r.stdout).flatMap(sessionsIn);
}

/** The daemons vtysh says are not running (`ospfd is not running`, with or without FRR's `%`). */
export function notRunning(text: string): string[] {
  return [...text.matchAll(/^%?\s*(\w+) is not running/gm)].map((m) => m[1]!);
}

/** The JSON documents in vtysh's output, one per command (lines between them, such as "% ospfd is not running", skipped). */
export function jsonDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (start < 0) {
      if (c === "{" && (i === 0 || text[i - 1] === "\n")) {
        start = i;
        depth = 1;
      }
      continue;
    }
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        // not JSON after all: skip it
      }
      start = -1;
    }
  }
  return out;
}

type Doc = Record<string, unknown>;
const isMap = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

/** The sessions in one of the documents, recognised by shape. */
export function sessionsIn(doc: unknown): NeighborState[] {
  if (!isMap(doc)) return [];
  const out: NeighborState[] = [];
  const nbrs = doc.neighbors;
  if (isMap(nbrs))
    // OSPFv2: router ID → one entry per interface.
    for (const [id, list] of Object.entries(nbrs))
      for (const n of Array.isArray(list) ? list : [])
        if (isMap(n)) out.push({ protocol: "ospf", id, state: String(n.nbrState ?? n.state ?? "") });
  if (Array.isArray(nbrs))
    // OSPFv3: a list; its state and the interface state apart (`Full`, `PointToPoint`), joined as OSPFv2 shows them.
    for (const n of nbrs)
      if (isMap(n)) {
        const state = String(n.state ?? "");
        const role = n.ifState === undefined ? "" : `/${String(n.ifState)}`;
        out.push({ protocol: "ospf6", id: String(n.neighborId ?? ""), state: `${state}${role}` });
      }
  for (const [key, af] of Object.entries(doc))
    if (/Unicast$/.test(key) && isMap(af) && isMap(af.peers))
      for (const [id, p] of Object.entries(af.peers))
        if (isMap(p)) out.push({ protocol: "bgp", id, state: String(p.state ?? "") });
  return out;
}
