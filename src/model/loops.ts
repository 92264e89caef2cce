/**
 * Bridge loops without a spanning tree: bridges joined into a cycle (two links between the same
 * bridges count) forward every broadcast around it for ever — a broadcast storm that takes the
 * lab's links, and a CPU, with it. Legal (a lab may want to show one), so a warning, naming the loop.
 */
import type { Problem } from "../errors.js";
import type { Topology } from "./types.js";

/** How many loops are named; the rest are counted. */
const NAMED = 3;

/** A warning for each loop of bridges on which a bridge runs no spanning tree (pure). */
export function bridgeLoopWarnings(t: Topology): Problem[] {
  const bridges = new Map(
    t.nodes.filter((n) => n.kind === "bridge" || n.kind === "ovs-bridge").map((n) => [n.name, n]),
  );
  if (bridges.size === 0) return [];
  // A spanning forest of the bridge graph; each link that closes a cycle names one loop.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const tree = new Map<string, string[]>();
  const edge = (a: string, b: string) => {
    tree.set(a, [...(tree.get(a) ?? []), b]);
    tree.set(b, [...(tree.get(b) ?? []), a]);
  };
  const loops: { path: string[]; link: Topology["links"][number] }[] = [];
  for (const link of t.links) {
    const a = link.a.node;
    const b = link.b.node;
    if (!bridges.has(a) || !bridges.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      parent.set(ra, rb);
      edge(a, b);
      continue;
    }
    const path = a === b ? [a] : pathBetween(tree, a, b);
    if (path.some((n) => !bridges.get(n)!.stp)) loops.push({ path, link });
  }
  const out: Problem[] = loops.slice(0, NAMED).map(({ path, link }) => {
    const off = path.filter((n) => !bridges.get(n)!.stp);
    return {
      message: `bridges ${path.length === 1 ? `${path[0]} (linked to itself)` : path.join(", ")} form a loop (${[...path, path[0]].join(" → ")}) and ${off.join(", ")} ${off.length === 1 ? "runs" : "run"} no spanning tree: every broadcast (ARP, DHCP…) will circle it for ever, a broadcast storm`,
      location: link.src,
      hint: `turn on the spanning tree on every bridge of the loop (stp: true), or break the loop`,
    };
  });
  if (loops.length > NAMED)
    out.push({
      message: `and ${loops.length - NAMED} more loop${loops.length - NAMED === 1 ? "" : "s"} of bridges without a spanning tree`,
      location: undefined,
    });
  return out;
}

/** The nodes on the tree path from `a` to `b` (both included). */
function pathBetween(tree: Map<string, string[]>, a: string, b: string): string[] {
  const from = new Map<string, string>([[a, a]]);
  const queue = [a];
  while (queue.length > 0) {
    const x = queue.shift()!;
    if (x === b) break;
    for (const y of tree.get(x) ?? [])
      if (!from.has(y)) {
        from.set(y, x);
        queue.push(y);
      }
  }
  const path = [b];
  while (path[path.length - 1] !== a) path.push(from.get(path[path.length - 1]!)!);
  return path.reverse();
}
