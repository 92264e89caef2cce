/**
 * A lab graph as a Mermaid flowchart (renders in GitHub Markdown): one shape per node kind, each
 * link labelled with both ends' interface names and addresses. Pure text.
 */
import { drawnEdges, endLabel, type GraphModel, type GraphNodeKind, KIND_LABEL } from "./model.js";
import { KIND_COLORS } from "./style.js";

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

/** Render `g` as a Mermaid `flowchart` (left to right). */
export function toMermaid(g: GraphModel): string {
  const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = ["flowchart LR"];
  for (const n of g.nodes) {
    const [open, close] = SHAPES[n.kind];
    out.push(`  ${ids.get(n.id)}${open}"${esc(n.id)}<br/><small>${KIND_LABEL[n.kind]}</small>"${close}`);
  }
  for (const { tail, head } of drawnEdges(g)) {
    const a = ids.get(tail.node) ?? "unknown";
    const b = ids.get(head.node) ?? "unknown";
    out.push(`  ${a} ---|"${esc(endLabel(tail))} — ${esc(endLabel(head))}"| ${b}`);
  }
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
