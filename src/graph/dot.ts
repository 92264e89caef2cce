/**
 * A lab graph as Graphviz DOT: one shape and colour per node kind, each link labelled at both ends
 * with the interface name and its addresses. Small labs are laid out left to right in layers
 * (`dot`); large ones force-directed (`layout=sfdp`). Pure text.
 */
import { drawnEdges, type GraphModel, type GraphNodeKind, KIND_LABEL } from "./model.js";
import { KIND_COLORS, LARGE_GRAPH_NODES } from "./style.js";

/** Graphviz shape and style per kind. */
const SHAPES: Record<GraphNodeKind, { shape: string; style: string }> = {
  netns: { shape: "box", style: "rounded,filled" },
  router: { shape: "hexagon", style: "filled" },
  bridge: { shape: "box", style: "filled" },
  "ovs-bridge": { shape: "box3d", style: "filled" },
};

/** The layout engine for a graph of this size. */
export function engineFor(g: GraphModel): "dot" | "sfdp" {
  return g.nodes.length > LARGE_GRAPH_NODES ? "sfdp" : "dot";
}

/** A quoted DOT string. */
function q(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}

/** Render `g` as an undirected DOT graph. */
export function toDot(g: GraphModel): string {
  const large = engineFor(g) === "sfdp";
  const out = [`graph ${q(g.lab)} {`];
  out.push(
    large
      ? `  graph [layout=sfdp, overlap=scale, fontname="Helvetica", label=${q(g.lab)}, labelloc=t];`
      : `  graph [rankdir=LR, nodesep=0.5, ranksep=1.6, fontname="Helvetica", label=${q(g.lab)}, labelloc=t];`,
  );
  out.push(`  node [fontname="Helvetica", fontsize=11, penwidth=1.4];`);
  out.push(
    `  edge [fontname="Helvetica", fontsize=9, color="#4a5568", fontcolor="#2d3748", labeldistance=${large ? 1.2 : 2.2}, labelangle=25];`,
  );
  for (const n of g.nodes) {
    const s = SHAPES[n.kind];
    const c = KIND_COLORS[n.kind];
    const label = n.kernelName === n.id ? n.id : `${n.id}\n(${n.kernelName})`;
    out.push(
      `  ${q(n.id)} [label=${q(`${label}\n${KIND_LABEL[n.kind]}`)}, shape=${s.shape}, style=${q(s.style)}, fillcolor=${q(c.fill)}, color=${q(c.stroke)}];`,
    );
  }
  for (const { tail, head } of drawnEdges(g)) {
    const tl = [tail.ifname, ...tail.addresses].join("\n");
    const hl = [head.ifname, ...head.addresses].join("\n");
    out.push(`  ${q(tail.node)} -- ${q(head.node)} [taillabel=${q(tl)}, headlabel=${q(hl)}];`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
