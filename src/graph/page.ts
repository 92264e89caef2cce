/**
 * How the web page draws a small lab, worked out where both the server (which lays it out) and the
 * page (which draws it) can use it: each node's box, and each interface as a port on the side its
 * link leaves from (as in `nslab graph`'s SVG), with its label beside the port. Ports on one side
 * sit next to each other, each as wide as its label, so no label can cover another; the layout
 * gives every node the room of its box and its labels. Pixels; pure (estimates text widths).
 */
import type { Layout, Side } from "./layout.js";
import { endNotes, type GraphEnd, type GraphModel } from "./model.js";

/** Up to this many nodes the page draws ports and labels; beyond, small nodes only. */
export const PAGE_LABELS_MAX = 300;

/** The page's label font: 10 px, about 6.4 px a character (DejaVu Sans, the widest common). */
const CHAR = 6.4;
const LINE = 12.5;
const PAD = 8;
const GAP = 8;

/** One interface's place: where its link meets the node (from the node's centre) and its label. */
export interface PagePort {
  side: Side;
  /** Where the link leaves the node's box, from the node's centre. */
  dx: number;
  dy: number;
  /** The label's size. */
  width: number;
  height: number;
}

/** One node as the page draws it. */
export interface PageBox {
  /** The node's own box. */
  width: number;
  height: number;
  /** The box with the labels of its ports around it: what the layout must keep apart. */
  outer: { width: number; height: number; dx: number; dy: number };
  /** By interface name. */
  ports: Map<string, PagePort>;
}

/** The lines of an end's label. */
export function endLines(e: GraphEnd): string[] {
  return [e.ifname, ...e.addresses, ...endNotes(e)];
}

function textSize(lines: string[]): { width: number; height: number } {
  return {
    width: Math.max(...lines.map((l) => l.length)) * CHAR + PAD,
    height: lines.length * LINE + PAD / 2,
  };
}

/** The node box alone: wide enough for its name. */
export function nodeWidth(name: string): number {
  return Math.max(56, 9 * name.length + 28);
}
const NODE_HEIGHT = 40;

/** Boxes and ports of every node, for the drawn edges of `layout`. */
export function pageBoxes(g: GraphModel, layout: Layout): Map<string, PageBox> {
  const byNode = new Map<string, { iface: string; side: Side; width: number; height: number }[]>();
  for (const d of layout.edges)
    for (const [end, side] of [
      [d.tail, d.tailSide],
      [d.head, d.headSide],
    ] as const) {
      const list = byNode.get(end.node) ?? [];
      list.push({ iface: end.iface, side, ...textSize(endLines(end)) });
      byNode.set(end.node, list);
    }
  const out = new Map<string, PageBox>();
  for (const n of g.nodes) {
    const ports = byNode.get(n.id) ?? [];
    const on = (side: Side) => ports.filter((p) => p.side === side);
    const rowWidth = (side: Side) => on(side).reduce((w, p) => w + p.width + GAP, -GAP);
    const colHeight = (side: Side) => on(side).reduce((h, p) => h + p.height + GAP / 2, -GAP / 2);
    const width = Math.max(nodeWidth(n.id), rowWidth("n"), rowWidth("s"));
    const height = Math.max(NODE_HEIGHT, colHeight("e"), colHeight("w"));
    const placed = new Map<string, PagePort>();
    for (const side of ["n", "s"] as const) {
      let x = -Math.max(rowWidth(side), 0) / 2;
      for (const p of on(side)) {
        placed.set(p.iface, {
          side,
          dx: x + p.width / 2,
          dy: side === "n" ? -height / 2 : height / 2,
          width: p.width,
          height: p.height,
        });
        x += p.width + GAP;
      }
    }
    for (const side of ["e", "w"] as const) {
      let y = -Math.max(colHeight(side), 0) / 2;
      for (const p of on(side)) {
        placed.set(p.iface, {
          side,
          dx: side === "w" ? -width / 2 : width / 2,
          dy: y + p.height / 2,
          width: p.width,
          height: p.height,
        });
        y += p.height + GAP / 2;
      }
    }
    const extent = (side: Side, size: "width" | "height") =>
      Math.max(0, ...on(side).map((p) => p[size] + GAP));
    const [north, south, west, east] = [
      extent("n", "height"),
      extent("s", "height"),
      extent("w", "width"),
      extent("e", "width"),
    ];
    out.set(n.id, {
      width,
      height,
      outer: {
        width: width + west + east,
        height: height + north + south,
        // From the outer box's centre to the node's.
        dx: (west - east) / 2,
        dy: (north - south) / 2,
      },
      ports: placed,
    });
  }
  return out;
}
