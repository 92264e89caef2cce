/**
 * A lab the page labels in full (up to PAGE_LABELS_MAX nodes; larger ones: canvas-view.ts) drawn
 * with cytoscape: nodes by kind, links labelled at each end (name, addresses, VLAN, MTU) and in the
 * middle (the link's shaping and MTU), links of a VLAN in its colour, links drawn red and dashed
 * when an end is down, absent nodes faded. Positions come from the server (Graphviz: the same
 * ranks as `nslab graph` — chains left to right, trees top down); without them the page lays the
 * graph out itself (fcose).
 */
import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { layoutOf } from "../../graph/layout.js";
import { type GraphModel, linkNotes } from "../../graph/model.js";
import { endLines, nodeWidth, type PagePort, pageBoxes } from "../../graph/page.js";
import type { Point } from "../../graph/render.js";
import { KIND_COLORS, vlanColors } from "../../graph/style.js";
import type { NodeReport } from "../../lab/status.js";
import { LinkStates } from "./link-states.js";
import type { GraphView, Tap } from "./view.js";

cytoscape.use(fcose);

const SHAPES = { netns: "round-rectangle", router: "hexagon", bridge: "rectangle", "ovs-bridge": "barrel" };

/** Where a link meets its node (at the port) and how far along it its label sits. */
function portStyle(p: PagePort | undefined): { end: string; offset: number } {
  if (!p) return { end: "outside-to-node", offset: 40 };
  const along = p.side === "n" || p.side === "s" ? p.height / 2 + 3 : p.width / 2 + 4;
  return { end: `${p.dx}px ${p.dy}px`, offset: along };
}

/** The drawn graph, kept in step with observations. */
export class TopologyView implements GraphView {
  readonly cy: cytoscape.Core;
  readonly graph: GraphModel;
  readonly #states: LinkStates;

  constructor(container: HTMLElement, graph: GraphModel, positions: Record<string, Point> | null) {
    this.graph = graph;
    this.#states = new LinkStates(graph);
    const elements: cytoscape.ElementDefinition[] = [];
    const vlans = vlanColors(graph);
    // The same ranks and port sides as `nslab graph` (and as the server's positions).
    const layout = layoutOf(graph);
    const boxes = pageBoxes(graph, layout);
    for (const n of graph.nodes) {
      const box = boxes.get(n.id);
      elements.push({
        group: "nodes",
        data: {
          id: n.id,
          label: n.id,
          kind: n.kind,
          present: 1,
          w: box?.width ?? nodeWidth(n.id),
          h: box?.height ?? 40,
        },
        ...(positions?.[n.id] ? { position: { ...positions[n.id]! } } : {}),
      });
    }
    for (const { edge: e, tail, head } of layout.edges) {
      const vlan = e.a.vlan ?? e.b.vlan;
      const src = portStyle(boxes.get(tail.node)?.ports.get(tail.iface));
      const tgt = portStyle(boxes.get(head.node)?.ports.get(head.iface));
      elements.push({
        group: "edges",
        data: {
          id: e.id,
          source: tail.node,
          target: head.node,
          srcLabel: endLines(tail).join("\n"),
          tgtLabel: endLines(head).join("\n"),
          srcEnd: src.end,
          tgtEnd: tgt.end,
          srcOffset: src.offset,
          tgtOffset: tgt.offset,
          midLabel: linkNotes(e).join("\n"),
          color: (vlan !== undefined && vlans.get(vlan)) || "#718096",
          state: "up",
        },
      });
    }
    this.cy = cytoscape({
      container,
      elements,
      style: style(),
      layout: positions
        ? { name: "preset", fit: true, padding: 30 }
        : ({
            name: "fcose",
            quality: "proof",
            animate: false,
            nodeRepulsion: () => 9000,
            idealEdgeLength: () => 220,
            padding: 40,
          } as cytoscape.LayoutOptions),
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
    });
    if (!positions && graph.nodes.length <= 3) this.cy.zoom(Math.min(this.cy.zoom(), 1.6));
    this.cy.center();
  }

  update(nodes: NodeReport[]): void {
    const changes = this.#states.take(nodes);
    this.cy.batch(() => {
      for (const n of changes.nodes) this.cy.getElementById(n.id).data("present", n.present ? 1 : 0);
      for (const l of changes.links) this.cy.getElementById(l.id).data("state", l.up ? "up" : "down");
    });
  }

  focus(id: string): boolean {
    const n = this.cy.getElementById(id);
    if (n.empty()) return false;
    this.cy.elements().unselect();
    n.select();
    this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 1.2) }, { duration: 250 });
    return true;
  }

  onTap(handler: (tap: Tap) => void): void {
    this.cy.on("tap", (ev) => {
      const t = ev.target as cytoscape.Core | cytoscape.SingularElementReturnValue;
      if (t === this.cy) handler(null);
      else {
        const el = t as cytoscape.SingularElementReturnValue;
        handler({ kind: el.isNode() ? "node" : "edge", id: el.id() });
      }
    });
  }

  renderedPosition(id: string): { x: number; y: number } | undefined {
    const n = this.cy.getElementById(id);
    return n.empty() ? undefined : n.renderedPosition();
  }
}

function style(): cytoscape.StylesheetJson {
  const kinds = Object.entries(KIND_COLORS).map(([kind, c]) => ({
    selector: `node[kind = "${kind}"]`,
    style: {
      "background-color": c.fill,
      "border-color": c.stroke,
      shape: SHAPES[kind as keyof typeof SHAPES] as cytoscape.Css.NodeShape,
    },
  }));
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 13,
        "text-valign": "center",
        "text-halign": "center",
        width: "data(w)",
        height: "data(h)",
        "border-width": 1.5,
        color: "#1a202c",
        "min-zoomed-font-size": 7,
      },
    },
    ...kinds,
    { selector: 'node[kind = "bridge"], node[kind = "ovs-bridge"]', style: { "font-weight": "bold" } },
    {
      selector: "node[present = 0]",
      style: { opacity: 0.45, "border-style": "dashed", "border-color": "#c53030" },
    },
    { selector: "node:selected", style: { "border-width": 3.5, "border-color": "#d69e2e" } },
    {
      selector: "edge",
      style: {
        width: 2,
        "line-color": "data(color)",
        "curve-style": "straight",
        "source-label": "data(srcLabel)",
        "target-label": "data(tgtLabel)",
        label: "data(midLabel)",
        "source-endpoint": "data(srcEnd)",
        "target-endpoint": "data(tgtEnd)",
        "source-text-offset": "data(srcOffset)",
        "target-text-offset": "data(tgtOffset)",
        "text-wrap": "wrap",
        "font-size": 10,
        color: "#2d3748",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": "2px",
        "min-zoomed-font-size": 8,
      },
    },
    {
      selector: 'edge[state = "down"]',
      style: { "line-color": "#e53e3e", "line-style": "dashed", width: 3 },
    },
    { selector: "edge:selected", style: { "line-color": "#d69e2e", width: 4 } },
    { selector: 'edge[state = "down"]:selected', style: { "line-color": "#c53030" } },
  ] as cytoscape.StylesheetJson;
}
