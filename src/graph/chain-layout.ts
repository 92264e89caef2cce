/**
 * Positions of a large chain-shaped lab (`linear,100,100`: a hundred switches in a row, a hundred
 * hosts on each) computed directly, without Graphviz: the spine snakes left to right and back in
 * rows of {@link CHAIN_ROW} (as `nslab graph` draws chains), and each spine node's hosts sit in a
 * square block under it — the chain stays a chain, its hosts in clusters on it. Linear in the
 * lab's size (a force-directed layout of 10,000 nodes takes many seconds and scatters the chain).
 * Pure.
 */
import { CHAIN_ROW, layoutOf, parts, spineOf } from "./layout.js";
import type { GraphModel } from "./model.js";

/** A node position in pixels (y grows downwards). */
type Point = { x: number; y: number };

/**
 * A position for every node, `spacing` pixels between neighbouring hosts, or undefined when some
 * part of the lab is not a chain (it branches or has loops).
 */
export function chainPositions(g: GraphModel, spacing = 40): Record<string, Point> | undefined {
  const out: Record<string, Point> = {};
  let top = 0;
  for (const p of parts(g)) {
    const spine = spineOf(p);
    if (!spine) return undefined;
    const onSpine = new Set(spine);
    const hosts = new Map<string, string[]>(spine.map((v) => [v, []]));
    for (const e of p.edges) {
      const [a, b] = [onSpine.has(e.a.node), onSpine.has(e.b.node)];
      if (a && !b) hosts.get(e.a.node)?.push(e.b.node);
      else if (b && !a) hosts.get(e.b.node)?.push(e.a.node);
    }
    const most = Math.max(0, ...[...hosts.values()].map((h) => h.length));
    const cols = Math.max(1, Math.ceil(Math.sqrt(most)));
    const hostRows = Math.ceil(most / cols);
    // A cell per spine node: the node, its block of hosts below it, a gap around.
    const cellWidth = (cols + 1) * spacing;
    const cellHeight = (hostRows + (hostRows > 0 ? 3 : 2)) * spacing;
    spine.forEach((v, i) => {
      const row = Math.floor(i / CHAIN_ROW);
      const k = i % CHAIN_ROW;
      const col = row % 2 === 0 ? k : CHAIN_ROW - 1 - k;
      const x = col * cellWidth;
      const y = top + row * cellHeight;
      out[v] = { x, y };
      (hosts.get(v) ?? []).forEach((h, j) => {
        out[h] = {
          x: x + ((j % cols) - (cols - 1) / 2) * spacing,
          y: y + (2 + Math.floor(j / cols)) * spacing,
        };
      });
    });
    top += Math.ceil(spine.length / CHAIN_ROW) * cellHeight + spacing;
  }
  return out;
}

/** A rank wider than this many nodes wraps onto several rows. */
const RANK_ROW = 100;

/**
 * A position for every node without any layout engine: a chain as {@link chainPositions} places
 * it, anything else in rows by its rank in {@link layoutOf} (the centre at the top), each rank
 * centred and wrapped every RANK_ROW nodes. What the page draws a large lab with when the server
 * sent no positions. Linear in the lab's size.
 */
export function directPositions(g: GraphModel, spacing = 40): Record<string, Point> {
  const chain = chainPositions(g, spacing);
  if (chain) return chain;
  const { rank } = layoutOf(g);
  const byRank = new Map<number, string[]>();
  for (const n of g.nodes) {
    const r = rank.get(n.id) ?? 0;
    const list = byRank.get(r);
    if (list) list.push(n.id);
    else byRank.set(r, [n.id]);
  }
  const out: Record<string, Point> = {};
  let y = 0;
  for (const r of [...byRank.keys()].sort((a, b) => a - b)) {
    const nodes = byRank.get(r) ?? [];
    for (let start = 0; start < nodes.length; start += RANK_ROW) {
      const row = nodes.slice(start, start + RANK_ROW);
      row.forEach((id, k) => {
        out[id] = { x: (k - (row.length - 1) / 2) * spacing, y };
      });
      y += spacing;
    }
    y += spacing;
  }
  return out;
}
