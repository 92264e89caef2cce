/**
 * A lab graph as a Mermaid flowchart (renders in GitHub Markdown): one shape per node kind, each
 * link labelled with both ends' interface names, addresses, VLANs and MTUs and the link's own
 * MTU and shaping; links of a VLAN in its colour. Paths run left to right, everything else top
 * down from the most central switch (as `layoutOf` orders the ends). Pure text.
 */
import { layoutOf } from "./layout.js";
import { endLabel, type GraphModel, type GraphNodeKind, KIND_LABEL, linkNotes } from "./model.js";
import { KIND_COLORS, vlanColors } from "./style.js";

/** Mermaid shape brackets per kind. */
const SHAPES: Record<GraphNodeKind, [string, string]> = {
  netns: ["(", ")"],
  router: ["{{", "}}"],
  bridge: ["[", "]"],
  "ovs-bridge": ["[[", "]]"],
};

/** Text inside a quoted Mermaid label. */
function esc(s: string): string {
  return s.replaceAll('"', "#quot;").replaceAll("<", "#lt;").replaceAll(">", "#gt;");
}

/** Render `g` as a Mermaid `flowchart`. */
export function toMermaid(g: GraphModel): string {
  const layout = layoutOf(g);
  const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = [`flowchart ${layout.shape === "path" ? "LR" : "TB"}`];
  for (const n of g.nodes) {
    const [open, close] = SHAPES[n.kind];
    const kind = [KIND_LABEL[n.kind], ...(n.mtu !== undefined ? [`mtu ${n.mtu}`] : [])].join(" · ");
    out.push(`  ${ids.get(n.id)}${open}"${esc(n.id)}<br/><small>${esc(kind)}</small>"${close}`);
  }
  const colors = vlanColors(g);
  const styles: string[] = [];
  layout.edges.forEach(({ edge, tail, head }, k) => {
    const a = ids.get(tail.node) ?? "unknown";
    const b = ids.get(head.node) ?? "unknown";
    const notes = linkNotes(edge).map((n) => `<br/>${esc(n)}`);
    out.push(`  ${a} ---|"${esc(endLabel(tail))} — ${esc(endLabel(head))}${notes.join("")}"| ${b}`);
    const vlan = edge.a.vlan ?? edge.b.vlan;
    const color = vlan === undefined ? undefined : colors.get(vlan);
    if (color) styles.push(`  linkStyle ${k} stroke:${color},stroke-width:2px`);
  });
  out.push(...styles);
  const used = [...new Set(g.nodes.map((n) => n.kind))];
  for (const kind of used) {
    const c = KIND_COLORS[kind];
    out.push(`  classDef ${classOf(kind)} fill:${c.fill},stroke:${c.stroke},color:#1a202c`);
    out.push(
      `  class ${g.nodes
        .filter((n) => n.kind === kind)
        .map((n) => ids.get(n.id))
        .join(",")} ${classOf(kind)}`,
    );
  }
  return `${out.join("\n")}\n`;
}

function classOf(kind: GraphNodeKind): string {
  return kind === "ovs-bridge" ? "ovs" : kind;
}
