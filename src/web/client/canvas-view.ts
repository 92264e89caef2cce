/**
 * A large lab drawn straight on a canvas: thousands of nodes and links in a few milliseconds a
 * frame, where a general graph library spends seconds styling and measuring each element first.
 * Nodes by kind (colours and shapes as in the small view), links in their VLAN's colour, red and
 * dashed while an end is down, absent nodes faded; names appear as you zoom in. Drag to pan, wheel
 * to zoom, click a node or a link. Positions come from the server (or are placed directly here).
 */
import { directPositions } from "../../graph/chain-layout.js";
import type { GraphModel, GraphNodeKind } from "../../graph/model.js";
import type { Point } from "../../graph/render.js";
import { KIND_COLORS, vlanColors } from "../../graph/style.js";
import type { NodeReport } from "../../lab/status.js";
import { LinkStates } from "./link-states.js";
import {
  buildScene,
  centredOn,
  edgeAt,
  fitViewport,
  minScale,
  nodeAt,
  type Scene,
  type Viewport,
  zoomAround,
} from "./scene.js";
import type { GraphView, Tap } from "./view.js";

/** Names are drawn 9 layout pixels high, once that is at least 7 screen pixels. */
const LABEL_SIZE = 9;
const LABEL_MIN_PX = 7;
/** A press that moves less than this (pixels) is a click, not a drag. */
const CLICK_SLOP = 4;
const DEFAULT_EDGE = "#718096";
const DOWN = "#e53e3e";
const SELECTED = "#d69e2e";
const KINDS = Object.keys(KIND_COLORS) as GraphNodeKind[];

export class CanvasView implements GraphView {
  readonly canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #scene: Scene;
  readonly #states: LinkStates;
  /** Per node: 0 when observed absent. */
  readonly #present: Uint8Array;
  /** Per link: 1 while an end is down. */
  readonly #down: Uint8Array;
  /** Link indexes by colour (one stroke per colour). */
  readonly #byColor = new Map<string, number[]>();
  #view: Viewport;
  #selected: { kind: "node" | "edge"; index: number } | null = null;
  readonly #taps: ((tap: Tap) => void)[] = [];
  #width = 0;
  #height = 0;
  #frame = 0;

  constructor(
    readonly container: HTMLElement,
    graph: GraphModel,
    positions: Record<string, Point> | null,
  ) {
    const vlans = vlanColors(graph);
    this.#scene = buildScene(
      graph,
      positions ?? directPositions(graph),
      (vlan) => (vlan !== undefined && vlans.get(vlan)) || DEFAULT_EDGE,
    );
    this.#states = new LinkStates(graph);
    this.#present = new Uint8Array(this.#scene.ids.length).fill(1);
    this.#down = new Uint8Array(this.#scene.edges.length);
    this.#scene.edges.forEach((e, i) => {
      const list = this.#byColor.get(e.color);
      if (list) list.push(i);
      else this.#byColor.set(e.color, [i]);
    });
    this.canvas = document.createElement("canvas");
    this.canvas.style.cssText =
      "position:absolute;inset:0;width:100%;height:100%;touch-action:none;cursor:grab";
    container.style.position = "relative";
    container.replaceChildren(this.canvas);
    const ctx = this.canvas.getContext("2d");
    if (!ctx) throw new Error("this browser cannot draw on a canvas");
    this.#ctx = ctx;
    this.#resize();
    this.#view = fitViewport(this.#scene.bounds, this.#width, this.#height);
    new ResizeObserver(() => {
      this.#resize();
      this.#request();
    }).observe(container);
    this.#listen();
    this.#draw();
  }

  update(nodes: NodeReport[]): void {
    const changes = this.#states.take(nodes);
    for (const n of changes.nodes) {
      const i = this.#scene.index.get(n.id);
      if (i !== undefined) this.#present[i] = n.present ? 1 : 0;
    }
    for (const l of changes.links) {
      const i = this.#scene.edgeIndex.get(l.id);
      if (i !== undefined) this.#down[i] = l.up ? 0 : 1;
    }
    this.#request();
  }

  focus(id: string): boolean {
    const i = this.#scene.index.get(id);
    if (i === undefined) return false;
    this.#selected = { kind: "node", index: i };
    const scale = Math.max(this.#view.scale, 1.2);
    this.#view = centredOn(
      this.#scene.x[i] as number,
      this.#scene.y[i] as number,
      scale,
      this.#width,
      this.#height,
    );
    this.#request();
    return true;
  }

  onTap(handler: (tap: Tap) => void): void {
    this.#taps.push(handler);
  }

  renderedPosition(id: string): { x: number; y: number } | undefined {
    const i = this.#scene.index.get(id);
    if (i === undefined) return undefined;
    const v = this.#view;
    return {
      x: (this.#scene.x[i] as number) * v.scale + v.dx,
      y: (this.#scene.y[i] as number) * v.scale + v.dy,
    };
  }

  /** Match the canvas to its box (device pixels, up to 2 per CSS pixel). */
  #resize(): void {
    const box = this.container.getBoundingClientRect();
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    this.#width = Math.max(1, Math.round(box.width));
    this.#height = Math.max(1, Math.round(box.height));
    this.canvas.width = Math.round(this.#width * ratio);
    this.canvas.height = Math.round(this.#height * ratio);
    this.#ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  #listen(): void {
    const c = this.canvas;
    let press: { x: number; y: number; view: Viewport; moved: boolean } | undefined;
    const at = (ev: MouseEvent) => {
      const r = c.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    c.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0) return;
      c.setPointerCapture(ev.pointerId);
      press = { ...at(ev), view: this.#view, moved: false };
    });
    c.addEventListener("pointermove", (ev) => {
      if (!press) return;
      const p = at(ev);
      if (!press.moved && Math.hypot(p.x - press.x, p.y - press.y) < CLICK_SLOP) return;
      press.moved = true;
      c.style.cursor = "grabbing";
      this.#view = { ...press.view, dx: press.view.dx + p.x - press.x, dy: press.view.dy + p.y - press.y };
      this.#request();
    });
    const release = (ev: PointerEvent, cancelled: boolean) => {
      if (!press) return;
      const moved = press.moved;
      press = undefined;
      c.style.cursor = "grab";
      if (!moved && !cancelled) this.#tap(at(ev));
    };
    c.addEventListener("pointerup", (ev) => release(ev, false));
    c.addEventListener("pointercancel", (ev) => release(ev, true));
    c.addEventListener(
      "wheel",
      (ev) => {
        ev.preventDefault();
        const pixels = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaMode === 2 ? ev.deltaY * 400 : ev.deltaY;
        const p = at(ev);
        const least = minScale(this.#scene.bounds, this.#width, this.#height);
        this.#view = zoomAround(this.#view, Math.exp(-pixels * 0.002), p.x, p.y, least);
        this.#request();
      },
      { passive: false },
    );
  }

  #tap(p: { x: number; y: number }): void {
    const node = nodeAt(this.#scene, this.#view, p.x, p.y);
    const edge = node < 0 ? edgeAt(this.#scene, this.#view, p.x, p.y) : -1;
    let tap: Tap = null;
    if (node >= 0) {
      this.#selected = { kind: "node", index: node };
      tap = { kind: "node", id: this.#scene.ids[node] as string };
    } else if (edge >= 0) {
      this.#selected = { kind: "edge", index: edge };
      tap = { kind: "edge", id: this.#scene.edges[edge]?.id as string };
    } else this.#selected = null;
    this.#request();
    for (const t of this.#taps) t(tap);
  }

  #request(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw(): void {
    const ctx = this.#ctx;
    const s = this.#scene;
    const { scale, dx, dy } = this.#view;
    const W = this.#width;
    const H = this.#height;
    ctx.clearRect(0, 0, W, H);
    const sx = (i: number) => (s.x[i] as number) * scale + dx;
    const sy = (i: number) => (s.y[i] as number) * scale + dy;
    // Links: one path per colour; those with an end down on top, red and dashed.
    const line = (i: number) => {
      const e = s.edges[i] as Scene["edges"][number];
      const ax = sx(e.a);
      const ay = sy(e.a);
      const bx = sx(e.b);
      const by = sy(e.b);
      if ((ax < 0 && bx < 0) || (ay < 0 && by < 0) || (ax > W && bx > W) || (ay > H && by > H)) return;
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    };
    ctx.lineWidth = Math.max(0.5, 1.2 * scale);
    for (const [color, list] of this.#byColor) {
      ctx.beginPath();
      for (const i of list) if (!this.#down[i]) line(i);
      ctx.strokeStyle = color;
      ctx.stroke();
    }
    ctx.beginPath();
    for (let i = 0; i < s.edges.length; i++) if (this.#down[i]) line(i);
    ctx.setLineDash([Math.max(3, 6 * scale), Math.max(2, 4 * scale)]);
    ctx.lineWidth = Math.max(1, 2 * scale);
    ctx.strokeStyle = DOWN;
    ctx.stroke();
    ctx.setLineDash([]);
    const sel = this.#selected;
    if (sel?.kind === "edge") {
      ctx.beginPath();
      line(sel.index);
      ctx.lineWidth = Math.max(2, 3 * scale);
      ctx.strokeStyle = this.#down[sel.index] ? "#c53030" : SELECTED;
      ctx.stroke();
    }
    // Nodes: one path per kind, present ones, then the absent faded with a dashed red border.
    const visible = (i: number, r: number) => {
      const x = sx(i);
      const y = sy(i);
      return x > -r && y > -r && x < W + r && y < H + r;
    };
    const border = Math.max(0.5, 1.5 * scale);
    for (const absent of [false, true]) {
      if (absent) {
        ctx.globalAlpha = 0.45;
        ctx.setLineDash([3, 2]);
      }
      for (const kind of KINDS) {
        ctx.beginPath();
        let any = false;
        for (let i = 0; i < s.ids.length; i++) {
          if (s.kind[i] !== kind || (this.#present[i] === 0) !== absent) continue;
          const r = ((s.size[i] as number) * scale) / 2;
          if (!visible(i, r)) continue;
          shape(ctx, kind, sx(i), sy(i), r);
          any = true;
        }
        if (!any) continue;
        ctx.fillStyle = KIND_COLORS[kind].fill;
        ctx.fill();
        ctx.lineWidth = border;
        ctx.strokeStyle = absent ? "#c53030" : KIND_COLORS[kind].stroke;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.setLineDash([]);
    }
    if (sel?.kind === "node") {
      const i = sel.index;
      ctx.beginPath();
      shape(ctx, s.kind[i] as GraphNodeKind, sx(i), sy(i), ((s.size[i] as number) * scale) / 2);
      ctx.lineWidth = Math.max(2, 3.5 * scale);
      ctx.strokeStyle = SELECTED;
      ctx.stroke();
    }
    // Names, once they are big enough to read.
    const font = LABEL_SIZE * scale;
    if (font >= LABEL_MIN_PX) {
      ctx.fillStyle = "#1a202c";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      for (const bold of [false, true]) {
        ctx.font = `${bold ? "bold " : ""}${font.toFixed(1)}px sans-serif`;
        for (let i = 0; i < s.ids.length; i++) {
          const kind = s.kind[i];
          if ((kind === "bridge" || kind === "ovs-bridge") !== bold) continue;
          const r = ((s.size[i] as number) * scale) / 2;
          if (!visible(i, r + 60 * scale)) continue;
          ctx.fillText(s.ids[i] as string, sx(i), sy(i) + r + 3 * scale);
        }
      }
    }
  }
}

/** Add a node's outline to the current path: its kind's shape, `r` pixels from centre to side. */
function shape(ctx: CanvasRenderingContext2D, kind: GraphNodeKind, x: number, y: number, r: number): void {
  if (r < 2 || kind === "bridge") {
    ctx.rect(x - r, y - r, 2 * r, 2 * r);
    return;
  }
  if (kind === "router") {
    ctx.moveTo(x - r, y);
    ctx.lineTo(x - r / 2, y - r);
    ctx.lineTo(x + r / 2, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x + r / 2, y + r);
    ctx.lineTo(x - r / 2, y + r);
    ctx.closePath();
    return;
  }
  // Namespaces rounded, OVS bridges rounder (a barrel).
  const radius = kind === "ovs-bridge" ? r * 0.6 : r * 0.3;
  ctx.moveTo(x - r + radius, y - r);
  ctx.arcTo(x + r, y - r, x + r, y + r, radius);
  ctx.arcTo(x + r, y + r, x - r, y + r, radius);
  ctx.arcTo(x - r, y + r, x - r, y - r, radius);
  ctx.arcTo(x - r, y - r, x + r, y - r, radius);
  ctx.closePath();
}
