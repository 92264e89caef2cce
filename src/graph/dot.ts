/**
 * A lab graph as Graphviz DOT. Each node is a box in its kind's colours with its interfaces as
 * ports around it (name, addresses, VLAN, MTU), on the side its link leaves from, so no label can
 * sit on a line or on another label; a link's own MTU and shaping label its middle; links of a VLAN
 * take that VLAN's colour. Ranks follow `layoutOf` (chains left to right, trees top down). Large
 * labs that are not chains are laid out force-directed (`sfdp`) with plain nodes, the ends named
 * in each link's tooltip. Pure text.
 */
import { type DrawnEdge, type Layout, layoutOf, type Side } from "./layout.js";
import {
  endNotes,
  type GraphEdge,
  type GraphEnd,
  type GraphInterface,
  type GraphModel,
  type GraphNode,
  type GraphNodeKind,
  KIND_LABEL,
  linkNotes,
} from "./model.js";
import { KIND_COLORS, LARGE_GRAPH_NODES, vlanColors } from "./style.js";

/**
 * Large chains are still drawn in ranks by `dot` (a chain stays a chain) up to this many nodes,
 * and while no rank holds more than LARGE_CHAIN_WIDEST (a star of 1,000 hosts is no chain).
 */
const LARGE_CHAIN_NODES = 3000;
const LARGE_CHAIN_WIDEST = 100;

/** The layout engine for a graph of this size and shape. */
export function engineFor(g: GraphModel, layout: Layout = layoutOf(g)): "dot" | "sfdp" {
  if (g.nodes.length <= LARGE_GRAPH_NODES) return "dot";
  const chain = layout.shape !== "tree" && layout.widest <= LARGE_CHAIN_WIDEST;
  return chain && g.nodes.length <= LARGE_CHAIN_NODES ? "dot" : "sfdp";
}

/**
 * Graphviz sizes every box by this font's metrics. Verdana is the widest of the common sans-serif
 * fonts, so the text still fits its box where a viewer draws it with DejaVu Sans or Helvetica.
 */
export const FONT = "Verdana";

/** Options of `toDot`. */
export interface DotOptions {
  /**
   * Only positions are wanted (the web view draws the nodes and labels itself): plain boxes of
   * each node's `size`, without labels, this far apart (inches; `sep` between neighbours on a
   * rank, `ranksep` between ranks).
   */
  boxes?: { size: (node: string) => { width: number; height: number }; sep: number; ranksep: number };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A quoted DOT string. */
function q(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}

/** Text inside an HTML-like label. */
function h(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Render `g` as an undirected DOT graph. */
export function toDot(g: GraphModel, opts: DotOptions = {}): string {
  const layout = layoutOf(g);
  const free = engineFor(g, layout) === "sfdp";
  const out = [`graph ${q(g.lab)} {`];
  const b = opts.boxes;
  if (free)
    out.push(`  graph [layout=sfdp, overlap=scale, fontname="${FONT}", label=${q(g.lab)}, labelloc=t];`);
  else
    out.push(
      `  graph [rankdir=TB, newrank=true, nodesep=${b?.sep ?? 0.35}, ranksep=${b?.ranksep ?? 0.45}, fontname="${FONT}", label=${q(g.lab)}, labelloc=t];`,
    );
  if (b) {
    // Children left to right in the order of their ports (the page puts ports in link order).
    if (!free) out.push("  graph [ordering=out];");
    out.push(`  node [shape=box, fixedsize=true, label=""];`);
    for (const n of g.nodes) {
      const { width, height } = b.size(n.id);
      out.push(`  ${q(n.id)} [width=${round(width)}, height=${round(height)}];`);
    }
    if (!free) out.push(...rankGroups(layout));
    for (const d of layout.edges) {
      const ends = free
        ? `${q(d.tail.node)} -- ${q(d.head.node)}`
        : `${q(d.tail.node)}:${d.tailSide} -- ${q(d.head.node)}:${d.headSide}`;
      out.push(`  ${ends}${d.span > 1 ? ` [minlen=${d.span}]` : ""};`);
    }
    out.push("}");
    return `${out.join("\n")}\n`;
  }
  out.push(`  node [fontname="${FONT}", fontsize=11, penwidth=1.4];`);
  out.push(`  edge [fontname="${FONT}", fontsize=9, color="#4a5568", fontcolor="#2d3748", penwidth=1.2];`);
  const colors = vlanColors(g);
  if (free) {
    for (const n of g.nodes) out.push(`  ${q(n.id)} [${plainNode(n)}];`);
    for (const d of layout.edges)
      out.push(`  ${q(d.tail.node)} -- ${q(d.head.node)} [${edgeAttrs(d, colors, false)}];`);
    out.push("}");
    return `${out.join("\n")}\n`;
  }
  out.push(`  node [shape=plain];`);
  const sides = sidesOf(layout.edges);
  for (const n of g.nodes) out.push(`  ${q(n.id)} [label=<${nodeTable(n, sides, colors)}>];`);
  out.push(...rankGroups(layout));
  const portOf = new Map(
    g.nodes.flatMap((n) => n.interfaces.map((i, k) => [`${n.id}\u0000${i.name}`, `p${k}`])),
  );
  const at = (e: GraphEnd, side: Side) => {
    const port = portOf.get(`${e.node}\u0000${e.iface}`);
    return port ? `${q(e.node)}:${port}:${side}` : q(e.node);
  };
  for (const d of layout.edges) {
    const attrs = edgeAttrs(d, colors, true);
    out.push(`  ${at(d.tail, d.tailSide)} -- ${at(d.head, d.headSide)}${attrs ? ` [${attrs}]` : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** `{rank=same; …}` for every rank, in left-to-right order where the layout has one. */
function rankGroups(layout: Layout): string[] {
  const byRank = new Map<number, string[]>();
  for (const [v, r] of layout.rank) {
    const vs = byRank.get(r);
    if (vs) vs.push(v);
    else byRank.set(r, [v]);
  }
  return [...byRank.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, vs]) => `  { rank=same; ${vs.map(q).join("; ")}; }`);
}

/** Side of each interface (`node\0iface`) on its node, from the edge it is an end of. */
function sidesOf(edges: DrawnEdge[]): Map<string, Side> {
  const sides = new Map<string, Side>();
  for (const d of edges) {
    sides.set(`${d.tail.node}\u0000${d.tail.iface}`, d.tailSide);
    sides.set(`${d.head.node}\u0000${d.head.iface}`, d.headSide);
  }
  return sides;
}

/**
 * Attributes of an edge: its VLAN's colour, and either the link's own notes in its middle (ports
 * show the ends) or, for plain nodes, everything about it in a tooltip (the SVG's hover text).
 */
function edgeAttrs(d: DrawnEdge, colors: Map<number, string>, ported: boolean): string {
  const attrs: string[] = [];
  if (d.span > 1) attrs.push(`minlen=${d.span}`);
  const notes = linkNotes(d.edge);
  if (!ported) attrs.push(`tooltip=${q([`${endText(d.tail)} — ${endText(d.head)}`, ...notes].join("; "))}`);
  else if (notes.length > 0) attrs.push(`label=<${notes.map(h).join("<BR/>")}>`, `fontcolor="#9c4221"`);
  const vlan = edgeVlan(d.edge);
  const color = vlan === undefined ? undefined : colors.get(vlan);
  if (color) attrs.push(`color=${q(color)}`, "penwidth=2");
  return attrs.join(", ");
}

/** The VLAN a link carries, when one of its ends is an access port. */
function edgeVlan(e: GraphEdge): number | undefined {
  return e.a.vlan ?? e.b.vlan;
}

function endText(e: GraphEnd): string {
  return [`${e.node}:${e.ifname}`, ...e.addresses, ...endNotes(e)].join(" ");
}

/** A node without ports (large labs): its name and kind in its kind's shape and colours. */
function plainNode(n: GraphNode): string {
  const shapes: Record<GraphNodeKind, { shape: string; style: string }> = {
    netns: { shape: "box", style: "rounded,filled" },
    router: { shape: "hexagon", style: "filled" },
    bridge: { shape: "box", style: "filled" },
    "ovs-bridge": { shape: "box3d", style: "filled" },
  };
  const s = shapes[n.kind];
  const c = KIND_COLORS[n.kind];
  return `label=${q(`${nodeName(n)}\n${KIND_LABEL[n.kind]}`)}, shape=${s.shape}, style=${q(s.style)}, fillcolor=${q(c.fill)}, color=${q(c.stroke)}`;
}

function nodeName(n: GraphNode): string {
  return n.kernelName === n.id ? n.id : `${n.id}\n(${n.kernelName})`;
}

/**
 * A node as an HTML-like table: its box in the middle, its interfaces as ports on the side their
 * link leaves from (north row, south row, west and east columns).
 */
function nodeTable(n: GraphNode, sides: Map<string, Side>, colors: Map<number, string>): string {
  const c = KIND_COLORS[n.kind];
  const bySide: Record<Side, string[]> = { n: [], s: [], e: [], w: [] };
  n.interfaces.forEach((i, k) => {
    const side = sides.get(`${n.id}\u0000${i.name}`) ?? "s";
    bySide[side].push(portCell(i, `p${k}`, c.stroke, colors));
  });
  const name = nodeName(n)
    .split("\n")
    .map((l, k) => (k === 0 ? `<B>${h(l)}</B>` : h(l)))
    .join("<BR/>");
  const kind = [KIND_LABEL[n.kind], ...(n.mtu !== undefined ? [`mtu ${n.mtu}`] : [])].join(" · ");
  const box = `<TD BGCOLOR="${c.fill}" COLOR="${c.stroke}" BORDER="2" CELLPADDING="7">${name}<BR/><FONT POINT-SIZE="9">${h(kind)}</FONT></TD>`;
  // Empty cells either side take most of the room a wider box leaves (a table fills its cell).
  const pad = "<TD></TD><TD></TD>";
  const row = (cells: string[]) =>
    `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="0"><TR>${pad}${cells.join("")}${pad}</TR></TABLE>`;
  const column = (cells: string[]) =>
    `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="0">${cells.map((x) => `<TR>${x}</TR>`).join("")}</TABLE>`;
  const rows: string[] = [];
  if (bySide.n.length > 0) rows.push(`<TR><TD></TD><TD>${row(bySide.n)}</TD><TD></TD></TR>`);
  rows.push(
    `<TR><TD>${bySide.w.length > 0 ? column(bySide.w) : ""}</TD>${box}<TD>${bySide.e.length > 0 ? column(bySide.e) : ""}</TD></TR>`,
  );
  if (bySide.s.length > 0) rows.push(`<TR><TD></TD><TD>${row(bySide.s)}</TD><TD></TD></TR>`);
  return `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">${rows.join("")}</TABLE>`;
}

/** One interface as a port: kernel name, addresses, VLAN (in its colour) and MTU. */
function portCell(i: GraphInterface, port: string, stroke: string, colors: Map<number, string>): string {
  const lines = [`<B>${h(i.ifname)}</B>`, ...i.addresses.map(h)];
  if (i.vlan !== undefined)
    lines.push(`<FONT COLOR="${colors.get(i.vlan) ?? stroke}"><B>vlan ${i.vlan}</B></FONT>`);
  if (i.mtu !== undefined) lines.push(`mtu ${i.mtu}`);
  return `<TD PORT="${port}" BORDER="1" COLOR="${stroke}" BGCOLOR="#ffffff" CELLPADDING="4"><FONT POINT-SIZE="9">${lines.join("<BR/>")}</FONT></TD>`;
}
