/**
 * Graphviz without system packages: SVG rendering and node positions through @viz-js/viz (Graphviz
 * compiled to WebAssembly), loaded on first use. `dot` for small labs, `sfdp` for large ones.
 */
import type { Viz } from "@viz-js/viz";
import { engineFor, toDot } from "./dot.js";
import type { GraphModel } from "./model.js";

let viz: Promise<Viz> | undefined;

/** The Graphviz instance (the WebAssembly module is compiled once per process). */
function graphviz(): Promise<Viz> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  return viz;
}

/** Render `g` as an SVG document (labelled for screen readers with the lab's name). */
export async function renderSvg(g: GraphModel): Promise<string> {
  const v = await graphviz();
  const svg = v.renderString(toDot(g), { format: "svg", engine: engineFor(g) });
  return svg.replace("<svg ", `<svg role="img" aria-label="${xmlText(`network diagram of lab ${g.lab}`)}" `);
}

function xmlText(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A node position in layout units (y grows downwards, as on screen). */
export interface Point {
  x: number;
  y: number;
}

/**
 * Positions for every node, so the page draws a lab without running a layout itself. Small labs:
 * the same layered layout as `toDot` (labels included, so they get room), scaled from points to
 * screen pixels. Large labs: `sfdp` on small fixed-size nodes without labels (labels would only
 * spread it), scaled so that the closest nodes are about `spacing` pixels apart.
 */
export async function layoutPositions(g: GraphModel, spacing = 40): Promise<Record<string, Point>> {
  const v = await graphviz();
  const large = engineFor(g) === "sfdp";
  const ids = new Map(g.nodes.map((n, i) => [n.id, large ? `n${i}` : n.id]));
  let dot = toDot(g);
  if (large) {
    const lines = ["graph g {", '  node [shape=circle, width=0.3, height=0.3, fixedsize=true, label=""];'];
    for (const n of g.nodes) lines.push(`  ${ids.get(n.id)};`);
    for (const e of g.edges) {
      const a = ids.get(e.a.node);
      const b = ids.get(e.b.node);
      if (a && b) lines.push(`  ${a} -- ${b};`);
    }
    lines.push("}");
    dot = lines.join("\n");
  }
  const json = v.renderJSON(dot, { engine: engineFor(g) }) as { objects?: { name: string; pos?: string }[] };
  const raw = new Map<string, Point>();
  for (const o of json.objects ?? []) {
    if (!o.pos) continue;
    const [x, y] = o.pos.split(",").map(Number);
    raw.set(o.name, { x: x ?? 0, y: -(y ?? 0) });
  }
  const scale = large ? spacing / Math.max(nearestDistance([...raw.values()]), 1e-6) : POINTS_TO_PIXELS;
  const out: Record<string, Point> = {};
  for (const n of g.nodes) {
    const p = raw.get(ids.get(n.id) ?? "");
    if (p) out[n.id] = { x: Math.round(p.x * scale * 10) / 10, y: Math.round(p.y * scale * 10) / 10 };
  }
  return out;
}

/** Graphviz works in points (1/72 in); the page in CSS pixels (1/96 in), with a little more room. */
const POINTS_TO_PIXELS = 1.5;

/** A robust "closest neighbour" distance: the 10th percentile of each point's nearest neighbour. */
function nearestDistance(points: Point[]): number {
  if (points.length < 2) return 1;
  const sorted = [...points].sort((p, q) => p.x - q.x);
  const nearest: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    let best = Number.POSITIVE_INFINITY;
    for (let k = i + 1; k < sorted.length && sorted[k]!.x - p.x < best; k++)
      best = Math.min(best, Math.hypot(sorted[k]!.x - p.x, sorted[k]!.y - p.y));
    for (let k = i - 1; k >= 0 && p.x - sorted[k]!.x < best; k--)
      best = Math.min(best, Math.hypot(sorted[k]!.x - p.x, sorted[k]!.y - p.y));
    nearest.push(best);
  }
  nearest.sort((a, b) => a - b);
  return nearest[Math.floor(nearest.length / 10)] ?? 1;
}
