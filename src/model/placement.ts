/**
 * Placing the nodes of a multi-machine lab that have no `host:`. `block` and `random` mean what
 * Mininet cluster's SwitchBinPlacer and RandomPlacer do: switches (in natural name order) in even,
 * contiguous bins with each host on the machine of the last switch it is linked to; or every node
 * on a random machine (seeded by the lab name, so the same file places the same way). `auto` keeps
 * each host with its switch, spreads the switches evenly and cuts as few links as it can: hosts are
 * contracted into their switch, the switch graph is cut into balanced parts in depth-first order
 * and improved by Fiduccia–Mattheyses passes. Nodes with a `host:` stay where they are. Pure.
 */
import { naturalCompare } from "../sources/mininet/graph.js";
import { fnv1a32, mulberry32 } from "../util/hash.js";
import type { Node, Topology } from "./types.js";

export type PlacementPolicy = "auto" | "block" | "random";

/** A node that could not be placed. */
export interface PlacementProblem {
  node: string;
  message: string;
  hint?: string;
}

const isSwitch = (n: Node) => n.kind === "bridge" || n.kind === "ovs-bridge";

/** Give every node of `t` without a host one, by `policy`. Returns what could not be placed. */
export function placeNodes(
  t: Topology,
  policy: PlacementPolicy,
  options: { seed?: string } = {},
): { problems: PlacementProblem[] } {
  const servers = (t.hosts ?? []).map((h) => h.name);
  if (servers.length === 0) return { problems: [] };
  if (policy === "random") {
    const rnd = mulberry32(fnv1a32(options.seed ?? t.name));
    for (const n of t.nodes) n.host ??= servers[Math.floor(rnd() * servers.length)]!;
    return { problems: [] };
  }
  if (policy === "block") return blockPlacement(t, servers);
  return autoPlacement(t, servers);
}

/** Mininet's SwitchBinPlacer. */
function blockPlacement(t: Topology, servers: string[]): { problems: PlacementProblem[] } {
  const switches = t.nodes.filter((n) => isSwitch(n) && n.host === undefined);
  switches.sort((a, b) => naturalCompare(a.name, b.name));
  const quotient = Math.floor(switches.length / servers.length);
  const remainder = switches.length % servers.length;
  const tickets = servers.flatMap((s, i) => Array<string>(quotient + (i < remainder ? 1 : 0)).fill(s));
  switches.forEach((n, i) => {
    n.host = tickets[i]!;
  });
  const byName = new Map(t.nodes.map((n) => [n.name, n]));
  const switchFor = new Map<string, string>();
  for (const l of t.links) {
    const a = byName.get(l.a.node);
    const b = byName.get(l.b.node);
    if (!a || !b) continue;
    if (!isSwitch(a) && isSwitch(b)) switchFor.set(a.name, b.name);
    if (!isSwitch(b) && isSwitch(a)) switchFor.set(b.name, a.name);
  }
  const problems: PlacementProblem[] = [];
  for (const n of t.nodes) {
    if (n.host !== undefined) continue;
    const sw = switchFor.get(n.name);
    if (sw) n.host = byName.get(sw)!.host!;
    else
      problems.push({
        node: n.name,
        message: `block placement cannot place '${n.name}': it is linked to no switch (as Mininet's SwitchBinPlacer, an isolated host)`,
        hint: "give it 'host: NAME', or use 'placement: auto'",
      });
  }
  return { problems };
}

/** A vertex of the contracted graph: a switch with its hosts, or a node standing alone. */
interface Vertex {
  name: string;
  members: Node[];
  weight: number;
  /** The machine its members are pinned to, if any. */
  pinned?: string;
  part: number;
  edges: Map<number, number>;
}

function autoPlacement(t: Topology, servers: string[]): { problems: PlacementProblem[] } {
  const k = servers.length;
  const byName = new Map(t.nodes.map((n) => [n.name, n]));
  const neighbours = new Map<string, Set<string>>();
  for (const l of t.links) {
    if (!byName.has(l.a.node) || !byName.has(l.b.node)) continue;
    for (const [x, y] of [
      [l.a.node, l.b.node],
      [l.b.node, l.a.node],
    ] as const) {
      const s = neighbours.get(x) ?? new Set<string>();
      s.add(y);
      neighbours.set(x, s);
    }
  }
  // 1. Contract each non-switch node whose links all go to one switch into that switch.
  const vertexOf = new Map<string, number>();
  const vertices: Vertex[] = [];
  const add = (n: Node): number => {
    vertices.push({ name: n.name, members: [n], weight: 1, part: -1, edges: new Map() });
    vertexOf.set(n.name, vertices.length - 1);
    return vertices.length - 1;
  };
  for (const n of t.nodes) if (isSwitch(n)) add(n);
  for (const n of t.nodes) {
    if (isSwitch(n)) continue;
    const near = [...(neighbours.get(n.name) ?? [])];
    const sw = near.length === 1 ? byName.get(near[0]!) : undefined;
    const target = sw && isSwitch(sw) ? vertexOf.get(sw.name) : undefined;
    const v = target !== undefined ? vertices[target]! : undefined;
    // A pinned host joins its switch only when the pins agree.
    const pinOk = (x: Vertex) =>
      n.host === undefined || x.members.every((m) => m.host === undefined || m.host === n.host);
    if (v && pinOk(v)) {
      v.members.push(n);
      v.weight++;
      vertexOf.set(n.name, target!);
    } else add(n);
  }
  for (const v of vertices) {
    const pins = new Set(v.members.flatMap((m) => (m.host !== undefined ? [m.host] : [])));
    if (pins.size === 1) v.pinned = [...pins][0]!;
  }
  for (const l of t.links) {
    const a = vertexOf.get(l.a.node);
    const b = vertexOf.get(l.b.node);
    if (a === undefined || b === undefined || a === b) continue;
    vertices[a]!.edges.set(b, (vertices[a]!.edges.get(b) ?? 0) + 1);
    vertices[b]!.edges.set(a, (vertices[b]!.edges.get(a) ?? 0) + 1);
  }

  // 2. Initial parts: pinned vertices where they are pinned, the rest in depth-first order, each
  //    machine filled up to an even share of the weight.
  const total = vertices.reduce((s, v) => s + v.weight, 0);
  const load = new Array<number>(k).fill(0);
  const partIndex = new Map(servers.map((s, i) => [s, i]));
  for (const v of vertices)
    if (v.pinned !== undefined) {
      v.part = partIndex.get(v.pinned)!;
      load[v.part]! += v.weight;
    }
  const order = depthFirst(vertices);
  const share = Math.ceil(total / k);
  let p = 0;
  for (const i of order) {
    const v = vertices[i]!;
    if (v.pinned !== undefined) continue;
    while (p < k - 1 && load[p]! >= share) p++;
    v.part = p;
    load[p]! += v.weight;
  }

  // 3. Fiduccia–Mattheyses passes: move the unlocked vertex whose move gains most (ties by name),
  //    lock it, and keep the best prefix of the pass; stop when a pass gains nothing.
  const heaviest = Math.max(...vertices.map((v) => v.weight));
  const cap = Math.max(Math.ceil((total / k) * 1.1), heaviest);
  const movable = vertices.map((v, i) => (v.pinned === undefined ? i : -1)).filter((i) => i >= 0);
  // A pass costs (movable vertices × links × machines): beyond a few million steps (labs of
  // thousands of switches) the depth-first cut stands as it is.
  const edges = vertices.reduce((s, v) => s + v.edges.size, 0);
  const passes = movable.length * Math.max(1, edges) * k <= 20_000_000 ? 12 : 0;
  for (let pass = 0; pass < passes; pass++) {
    const locked = new Set<number>();
    const moves: { v: number; from: number }[] = [];
    let gain = 0;
    let best = 0;
    let bestAt = 0;
    for (let step = 0; step < movable.length; step++) {
      let pick: { v: number; to: number; gain: number } | undefined;
      for (const i of movable) {
        if (locked.has(i)) continue;
        const v = vertices[i]!;
        const toward = new Array<number>(k).fill(0);
        for (const [j, w] of v.edges) toward[vertices[j]!.part]! += w;
        for (let q = 0; q < k; q++) {
          if (q === v.part || load[q]! + v.weight > cap) continue;
          const g = toward[q]! - toward[v.part]!;
          if (
            !pick ||
            g > pick.gain ||
            (g === pick.gain && naturalCompare(v.name, vertices[pick.v]!.name) < 0)
          )
            pick = { v: i, to: q, gain: g };
        }
      }
      if (!pick) break;
      const v = vertices[pick.v]!;
      moves.push({ v: pick.v, from: v.part });
      load[v.part]! -= v.weight;
      load[pick.to]! += v.weight;
      v.part = pick.to;
      locked.add(pick.v);
      gain += pick.gain;
      if (gain > best) {
        best = gain;
        bestAt = moves.length;
      }
    }
    for (let m = moves.length - 1; m >= bestAt; m--) {
      const { v, from } = moves[m]!;
      const x = vertices[v]!;
      load[x.part]! -= x.weight;
      load[from]! += x.weight;
      x.part = from;
    }
    if (best <= 0) break;
  }
  for (const v of vertices) for (const m of v.members) m.host ??= servers[v.part]!;
  return { problems: [] };
}

/** Vertex indices in depth-first preorder, starting from the first in natural name order. */
function depthFirst(vertices: Vertex[]): number[] {
  const byName = vertices
    .map((_, i) => i)
    .sort((a, b) => naturalCompare(vertices[a]!.name, vertices[b]!.name));
  const seen = new Set<number>();
  const out: number[] = [];
  for (const root of byName) {
    if (seen.has(root)) continue;
    const stack = [root];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      out.push(i);
      const next = [...vertices[i]!.edges.keys()]
        .filter((j) => !seen.has(j))
        .sort((a, b) => naturalCompare(vertices[b]!.name, vertices[a]!.name));
      stack.push(...next);
    }
  }
  return out;
}
