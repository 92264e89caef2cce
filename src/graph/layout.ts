/**
 * Where things go in a lab diagram, decided before any drawing: each connected part of the lab is
 * a chain (a path, or a path with single hosts hanging off it: `linear`, the routed example) drawn
 * left to right — wrapped back and forth in rows when long — or a tree of ranks by distance from
 * its most central switch or router (`tree`, stars, and graphs with loops). Each edge gets a tail
 * (the end nearer the top or the left) and the side of each node its end sits on. Pure.
 */
import type { GraphEdge, GraphEnd, GraphModel } from "./model.js";

/** A side of a node: north (towards the root), south (away from it), east, west (same rank). */
export type Side = "n" | "s" | "e" | "w";

/** An edge as drawn: its ends in drawing order and the side of each node they attach to. */
export interface DrawnEdge {
  edge: GraphEdge;
  tail: GraphEnd;
  head: GraphEnd;
  tailSide: Side;
  headSide: Side;
  /** Ranks between tail and head (0: both on one rank, drawn side by side). */
  span: number;
}

/** The plan of a diagram. */
export interface Layout {
  /**
   * `path` when every part of the lab is a plain path (ns1 — br0 — ns2), `chain` when every part
   * is a chain with hosts hanging off it, else `tree`.
   */
  shape: "path" | "chain" | "tree";
  /** Rank of each node: 0 at the top, growing downwards. */
  rank: Map<string, number>;
  /** The most nodes on one rank. */
  widest: number;
  edges: DrawnEdge[];
}

/** A chain longer than this many nodes wraps into rows (back and forth, like a snake). */
export const CHAIN_ROW = 10;

/** A connected part of a lab: its nodes (in written order) and its edges. */
export interface Part {
  nodes: string[];
  edges: GraphEdge[];
}

/** The lab's connected parts, in the order their first node is written. */
export function parts(g: GraphModel): Part[] {
  const part = new Map<string, number>();
  const adj = adjacency(g);
  const out: Part[] = [];
  for (const n of g.nodes) {
    if (part.has(n.id)) continue;
    const p: Part = { nodes: [], edges: [] };
    const stack = [n.id];
    part.set(n.id, out.length);
    while (stack.length > 0) {
      const v = stack.pop() as string;
      p.nodes.push(v);
      for (const w of adj.get(v) ?? [])
        if (!part.has(w)) {
          part.set(w, out.length);
          stack.push(w);
        }
    }
    out.push(p);
  }
  for (const e of g.edges) {
    const i = part.get(e.a.node);
    if (i !== undefined) out[i]?.edges.push(e);
  }
  const order = new Map(g.nodes.map((n, i) => [n.id, i]));
  for (const p of out) p.nodes.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return out;
}

function adjacency(g: { edges: GraphEdge[] }): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const e of g.edges) {
    if (e.a.node === e.b.node) continue;
    for (const [x, y] of [
      [e.a.node, e.b.node],
      [e.b.node, e.a.node],
    ] as const) {
      const list = adj.get(x);
      if (list) list.push(y);
      else adj.set(x, [y]);
    }
  }
  return adj;
}

/**
 * The spine of a chain-shaped part, in order from the end written first: the whole part when it
 * is a path, else the path its non-leaf nodes form when every other node hangs off it alone.
 * Undefined when the part is not a chain (it branches, or has loops or parallel links).
 */
export function spineOf(p: Part): string[] | undefined {
  if (p.edges.length !== p.nodes.length - 1) return undefined;
  const adj = adjacency(p);
  const degree = (v: string) => adj.get(v)?.length ?? 0;
  const isPath = (set: string[]) => {
    const inSet = new Set(set);
    const inner = (v: string) => (adj.get(v) ?? []).filter((w) => inSet.has(w)).length;
    return (
      set.every((v) => inner(v) <= 2) && set.filter((v) => inner(v) <= 1).length === Math.min(2, set.length)
    );
  };
  let spine = p.nodes.every((v) => degree(v) <= 2) ? p.nodes : p.nodes.filter((v) => degree(v) > 1);
  if (spine.length === 0 || !isPath(spine)) return undefined;
  // Walk the path from its end that is written first.
  const inSpine = new Set(spine);
  const ends = spine.filter((v) => (adj.get(v) ?? []).filter((w) => inSpine.has(w)).length <= 1);
  const ordered = [ends[0] as string];
  const seen = new Set(ordered);
  for (;;) {
    const next = (adj.get(ordered.at(-1) as string) ?? []).find((w) => inSpine.has(w) && !seen.has(w));
    if (next === undefined) break;
    ordered.push(next);
    seen.add(next);
  }
  spine = ordered;
  return spine.length === inSpine.size ? spine : undefined;
}

/** Ranks of a tree-shaped part: breadth first from its most central non-leaf node. */
function treeRanks(p: Part): Map<string, number> {
  const adj = adjacency(p);
  const bfs = (root: string) => {
    const rank = new Map([[root, 0]]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i] as string;
      for (const w of adj.get(v) ?? [])
        if (!rank.has(w)) {
          rank.set(w, (rank.get(v) ?? 0) + 1);
          queue.push(w);
        }
    }
    return rank;
  };
  const inner = p.nodes.filter((v) => (adj.get(v)?.length ?? 0) > 1);
  const candidates = inner.length > 0 ? inner : p.nodes;
  let best: Map<string, number> | undefined;
  let bestHeight = Number.POSITIVE_INFINITY;
  // Eccentricity of every candidate costs O(V·E): cheap for what dot can draw; sample big parts.
  const step = Math.max(1, Math.floor(candidates.length / 64));
  for (let i = 0; i < candidates.length; i += step) {
    const r = bfs(candidates[i] as string);
    const height = Math.max(...r.values());
    if (height < bestHeight) [best, bestHeight] = [r, height];
  }
  return best ?? new Map();
}

/** Plan the drawing of `g`. */
export function layoutOf(g: GraphModel): Layout {
  const rank = new Map<string, number>();
  const drawn: DrawnEdge[] = [];
  let shape: Layout["shape"] = "path";
  for (const p of parts(g)) {
    const spine = spineOf(p);
    if (spine) {
      chainPart(p, spine, rank, drawn);
      if (spine.length < p.nodes.length && shape === "path") shape = "chain";
    } else {
      shape = "tree";
      treePart(p, rank, drawn);
    }
  }
  const order = new Map(g.edges.map((e, i) => [e.id, i]));
  drawn.sort((x, y) => (order.get(x.edge.id) ?? 0) - (order.get(y.edge.id) ?? 0));
  const perRank = new Map<number, number>();
  for (const r of rank.values()) perRank.set(r, (perRank.get(r) ?? 0) + 1);
  return { shape, rank, widest: Math.max(0, ...perRank.values()), edges: drawn };
}

/** A chain: its spine left to right in rows of CHAIN_ROW (odd rows right to left), leaves below. */
function chainPart(p: Part, spine: string[], rank: Map<string, number>, out: DrawnEdge[]): void {
  const onSpine = new Set(spine);
  const hasLeaves = p.nodes.length > spine.length;
  const perRow = hasLeaves ? 2 : 1;
  const rowOf = new Map<string, number>();
  spine.forEach((v, i) => {
    const r = Math.floor(i / CHAIN_ROW);
    rowOf.set(v, r);
    rank.set(v, r * perRow);
  });
  const position = new Map(spine.map((v, i) => [v, i]));
  for (const e of p.edges) {
    const [a, b] = [e.a, e.b];
    if (onSpine.has(a.node) && onSpine.has(b.node)) {
      const [t, h] = (position.get(a.node) ?? 0) <= (position.get(b.node) ?? 0) ? [a, b] : [b, a];
      const rt = rowOf.get(t.node) ?? 0;
      const rh = rowOf.get(h.node) ?? 0;
      if (rt === rh) {
        // Even rows run left to right, odd rows right to left: the tail is the left end.
        const [l, r] = rt % 2 === 0 ? [t, h] : [h, t];
        out.push({ edge: e, tail: l, head: r, tailSide: "e", headSide: "w", span: 0 });
      } else {
        // The turn at the end of a row: down the right side after an even row, the left after an odd one.
        const side: Side = rt % 2 === 0 ? "e" : "w";
        out.push({ edge: e, tail: t, head: h, tailSide: side, headSide: side, span: perRow });
      }
    } else {
      const [t, h] = onSpine.has(a.node) ? [a, b] : [b, a];
      rank.set(h.node, (rank.get(t.node) ?? 0) + 1);
      out.push({ edge: e, tail: t, head: h, tailSide: "s", headSide: "n", span: 1 });
    }
  }
}

/** A tree (or any graph with loops): ranks by distance from the centre; links across ranks point down. */
function treePart(p: Part, rank: Map<string, number>, out: DrawnEdge[]): void {
  const r = treeRanks(p);
  for (const v of p.nodes) rank.set(v, r.get(v) ?? 0);
  const order = new Map(p.nodes.map((v, i) => [v, i]));
  for (const e of p.edges) {
    const ra = r.get(e.a.node) ?? 0;
    const rb = r.get(e.b.node) ?? 0;
    if (ra === rb) {
      const [t, h] = (order.get(e.a.node) ?? 0) <= (order.get(e.b.node) ?? 0) ? [e.a, e.b] : [e.b, e.a];
      out.push({ edge: e, tail: t, head: h, tailSide: "e", headSide: "w", span: 0 });
    } else {
      const [t, h] = ra < rb ? [e.a, e.b] : [e.b, e.a];
      out.push({ edge: e, tail: t, head: h, tailSide: "s", headSide: "n", span: Math.abs(ra - rb) });
    }
  }
}
