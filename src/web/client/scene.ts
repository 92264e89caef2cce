/**
 * The geometry of a large lab's drawing (see canvas-view.ts): each node's place, size and kind in
 * flat arrays, each link's two ends and colour, the viewport (pan and zoom) and what lies under
 * the pointer. Pure: no DOM, so it is tested in Node.
 */
import type { GraphModel, GraphNodeKind } from "../../graph/model.js";
import type { Point } from "../../graph/render.js";

/** A node's size in layout pixels, by kind: switches larger than the hosts around them. */
export const NODE_SIZE: Record<GraphNodeKind, number> = {
  netns: 22,
  router: 24,
  bridge: 30,
  "ovs-bridge": 30,
};

/** Zoom limits (screen pixels per layout pixel). */
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 4;

export interface SceneEdge {
  id: string;
  /** Indexes of its nodes. */
  a: number;
  b: number;
  color: string;
}

export interface Scene {
  ids: string[];
  index: Map<string, number>;
  kind: GraphNodeKind[];
  x: Float64Array;
  y: Float64Array;
  size: Float64Array;
  edges: SceneEdge[];
  edgeIndex: Map<string, number>;
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
}

/** The scene of `graph` at `positions` (nodes without a position at the origin). */
export function buildScene(
  graph: GraphModel,
  positions: Record<string, Point>,
  colorOf: (vlan: number | undefined) => string,
): Scene {
  const n = graph.nodes.length;
  const scene: Scene = {
    ids: graph.nodes.map((v) => v.id),
    index: new Map(graph.nodes.map((v, i) => [v.id, i])),
    kind: graph.nodes.map((v) => v.kind),
    x: new Float64Array(n),
    y: new Float64Array(n),
    size: new Float64Array(n),
    edges: [],
    edgeIndex: new Map(),
    bounds: { minX: 0, minY: 0, maxX: 0, maxY: 0 },
  };
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  graph.nodes.forEach((v, i) => {
    const p = positions[v.id] ?? { x: 0, y: 0 };
    const s = NODE_SIZE[v.kind];
    scene.x[i] = p.x;
    scene.y[i] = p.y;
    scene.size[i] = s;
    b.minX = Math.min(b.minX, p.x - s / 2);
    b.minY = Math.min(b.minY, p.y - s / 2);
    b.maxX = Math.max(b.maxX, p.x + s / 2);
    b.maxY = Math.max(b.maxY, p.y + s / 2);
  });
  if (n > 0) scene.bounds = b;
  for (const e of graph.edges) {
    const a = scene.index.get(e.a.node);
    const z = scene.index.get(e.b.node);
    if (a === undefined || z === undefined) continue;
    scene.edgeIndex.set(e.id, scene.edges.length);
    scene.edges.push({ id: e.id, a, b: z, color: colorOf(e.a.vlan ?? e.b.vlan) });
  }
  return scene;
}

/** Pan and zoom: a layout point (x, y) is drawn at (x·scale + dx, y·scale + dy) screen pixels. */
export interface Viewport {
  scale: number;
  dx: number;
  dy: number;
}

/** The viewport showing all of `bounds` in a `width`×`height` screen, `padding` pixels around it. */
export function fitViewport(bounds: Scene["bounds"], width: number, height: number, padding = 30): Viewport {
  const w = Math.max(bounds.maxX - bounds.minX, 1);
  const h = Math.max(bounds.maxY - bounds.minY, 1);
  const scale = clamp(
    Math.min((width - 2 * padding) / w, (height - 2 * padding) / h),
    minScale(bounds, width, height),
    MAX_SCALE,
  );
  return {
    scale,
    dx: width / 2 - ((bounds.minX + bounds.maxX) / 2) * scale,
    dy: height / 2 - ((bounds.minY + bounds.maxY) / 2) * scale,
  };
}

/** The least zoom: MIN_SCALE, or less when even that cannot show the whole lab. */
export function minScale(bounds: Scene["bounds"], width: number, height: number): number {
  const w = Math.max(bounds.maxX - bounds.minX, 1);
  const h = Math.max(bounds.maxY - bounds.minY, 1);
  return Math.min(MIN_SCALE, 0.5 * Math.min(width / w, height / h) || MIN_SCALE);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Zoom by `factor` keeping the layout point under screen point (sx, sy) where it is. */
export function zoomAround(v: Viewport, factor: number, sx: number, sy: number, least: number): Viewport {
  const scale = clamp(v.scale * factor, least, MAX_SCALE);
  const k = scale / v.scale;
  return { scale, dx: sx - (sx - v.dx) * k, dy: sy - (sy - v.dy) * k };
}

/** The viewport at `scale` with layout point (x, y) in the middle of a `width`×`height` screen. */
export function centredOn(x: number, y: number, scale: number, width: number, height: number): Viewport {
  return { scale, dx: width / 2 - x * scale, dy: height / 2 - y * scale };
}

/** The node under screen point (sx, sy) (within `slack` pixels of its box), or -1; the nearest wins. */
export function nodeAt(s: Scene, v: Viewport, sx: number, sy: number, slack = 3): number {
  const [x, y] = toLayout(v, sx, sy);
  const extra = slack / v.scale;
  let best = -1;
  let bestDistance = Infinity;
  for (let i = 0; i < s.ids.length; i++) {
    const r = (s.size[i] as number) / 2 + extra;
    const ex = Math.abs((s.x[i] as number) - x);
    const ey = Math.abs((s.y[i] as number) - y);
    if (ex > r || ey > r) continue;
    const d = ex * ex + ey * ey;
    if (d < bestDistance) [best, bestDistance] = [i, d];
  }
  return best;
}

/** The link passing within `slack` screen pixels of (sx, sy), or -1; the nearest wins. */
export function edgeAt(s: Scene, v: Viewport, sx: number, sy: number, slack = 4): number {
  const [x, y] = toLayout(v, sx, sy);
  const limit = slack / v.scale;
  let best = -1;
  let bestDistance = limit;
  s.edges.forEach((e, i) => {
    const d = segmentDistance(
      x,
      y,
      s.x[e.a] as number,
      s.y[e.a] as number,
      s.x[e.b] as number,
      s.y[e.b] as number,
    );
    if (d <= bestDistance) [best, bestDistance] = [i, d];
  });
  return best;
}

/** The layout point under screen point (sx, sy). */
export function toLayout(v: Viewport, sx: number, sy: number): [number, number] {
  return [(sx - v.dx) / v.scale, (sy - v.dy) / v.scale];
}

/** Distance from point p to the segment a–b. */
export function segmentDistance(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len = vx * vx + vy * vy;
  const t = len === 0 ? 0 : clamp(((px - ax) * vx + (py - ay) * vy) / len, 0, 1);
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}
