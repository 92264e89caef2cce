/**
 * Graphviz without system packages: SVG rendering and node positions through @viz-js/viz (Graphviz
 * compiled to WebAssembly), loaded on first use. `dot` for small labs and chains, `sfdp` for large
 * labs of other shapes.
 */
import type { Viz } from "@viz-js/viz";
import { chainPositions } from "./chain-layout.js";
import { engineFor, FONT, toDot } from "./dot.js";
import { layoutOf } from "./layout.js";
import type { GraphModel } from "./model.js";
import { PAGE_LABELS_MAX, pageBoxes } from "./page.js";

let viz: Promise<Viz> | undefined;

/** The Graphviz instance (the WebAssembly module is compiled once per process). */
function graphviz(): Promise<Viz> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  return viz;
}

/** Render `g` as an SVG document (labelled for screen readers with the lab's name). */
export async function renderSvg(g: GraphModel): Promise<string> {
  const v = await graphviz();
  const svg = v
    .renderString(toDot(g), { format: "svg", engine: engineFor(g) })
    // Where Verdana is missing, the closest in width (laid out for Verdana, any of them fits).
    .replaceAll(`font-family="${FONT}"`, `font-family="${FONT},DejaVu Sans,Helvetica,Arial,sans-serif"`);
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
 * Positions for every node, so the page draws a lab without running a layout itself: the same
 * ranks as `toDot` (chains left to right, trees top down), or `sfdp` for large labs that are not
 * chains. Labs the page draws with labels are laid out on boxes the size the page draws each node
 * with its port labels around it, in screen pixels; larger ones on small boxes, scaled so that the
 * closest nodes are about `spacing` pixels apart.
 */
export async function layoutPositions(g: GraphModel, spacing = 40): Promise<Record<string, Point>> {
  // A chain too big for `dot` keeps its shape (sfdp would scatter it, slowly): placed directly.
  const layout = layoutOf(g);
  if (layout.shape !== "tree" && engineFor(g, layout) === "sfdp") {
    const placed = chainPositions(g, spacing);
    if (placed) return placed;
  }
  const v = await graphviz();
  const page = g.nodes.length <= PAGE_LABELS_MAX ? pageBoxes(g, layout) : undefined;
  const size = (id: string) => {
    const o = page?.get(id)?.outer;
    return o ? { width: o.width / 96, height: o.height / 96 } : { width: 0.3, height: 0.3 };
  };
  const boxes = page ? { size, sep: 0.3, ranksep: 0.55 } : { size, sep: 0.35, ranksep: 0.45 };
  const json = v.renderJSON(toDot(g, { boxes }), { engine: engineFor(g, layout) }) as {
    objects?: { name: string; pos?: string }[];
  };
  const raw = new Map<string, Point>();
  for (const o of json.objects ?? []) {
    if (!o.pos) continue;
    const [x, y] = o.pos.split(",").map(Number);
    raw.set(o.name, { x: x ?? 0, y: -(y ?? 0) });
  }
  const scale = page ? POINTS_TO_PIXELS : spacing / Math.max(nearestDistance([...raw.values()]), 1e-6);
  const out: Record<string, Point> = {};
  for (const n of g.nodes) {
    const p = raw.get(n.id);
    // Graphviz placed the node with its labels around it: the node itself is off that centre.
    const o = page?.get(n.id)?.outer ?? { dx: 0, dy: 0 };
    if (p)
      out[n.id] = {
        x: Math.round((p.x * scale + o.dx) * 10) / 10,
        y: Math.round((p.y * scale + o.dy) * 10) / 10,
      };
  }
  return out;
}

/** Graphviz works in points (1/72 in); the page in CSS pixels (1/96 in). */
const POINTS_TO_PIXELS = 96 / 72;

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
