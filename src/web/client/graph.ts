/**
 * The topology drawn with cytoscape: nodes by kind, links labelled at each end (name, addresses,
 * VLAN, MTU) and in the middle (the link's shaping and MTU), links of a VLAN in its colour, links
 * drawn red and dashed when an end is down, absent nodes faded. Positions come from the server
 * (Graphviz: the same ranks as `nslab graph` — chains left to right, trees top down — and sfdp for
 * large labs of other shapes); without them the page lays the graph out itself (fcose).
 */
import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { layoutOf } from "../../graph/layout.js";
import { type GraphEdge, type GraphModel, linkNotes } from "../../graph/model.js";
import { endLines, nodeWidth, PAGE_LABELS_MAX, type PagePort, pageBoxes } from "../../graph/page.js";
import type { Point } from "../../graph/render.js";
import { KIND_COLORS, vlanColors } from "../../graph/style.js";
import type { InterfaceReport, NodeReport } from "../../lab/status.js";

cytoscape.use(fcose);

const SHAPES = { netns: "round-rectangle", router: "hexagon", bridge: "rectangle", "ovs-bridge": "barrel" };

/** Where a link meets its node (at the port) and how far along it its label sits. */
function portStyle(p: PagePort | undefined): { end: string; offset: number } {
  if (!p) return { end: "outside-to-node", offset: 40 };
  const along = p.side === "n" || p.side === "s" ? p.height / 2 + 3 : p.width / 2 + 4;
  return { end: `${p.dx}px ${p.dy}px`, offset: along };
}

/** The drawn graph, kept in step with observations. */
export class TopologyView {
  readonly cy: cytoscape.Core;
  readonly graph: GraphModel;
  /** `node\u0000ifname` → the edge that interface is an end of. */
  readonly #edgeOf = new Map<string, string>();
  readonly #edges: Map<string, GraphEdge>;
  /** Latest state of every interface, by `node\u0000ifname`. */
  readonly #ifs = new Map<string, InterfaceReport>();

  constructor(container: HTMLElement, graph: GraphModel, positions: Record<string, Point> | null) {
    this.graph = graph;
    this.#edges = new Map(graph.edges.map((e) => [e.id, e]));
    // Above this many nodes: cheaper drawing (no end labels, textures while moving).
    const big = graph.nodes.length > PAGE_LABELS_MAX;
    const elements: cytoscape.ElementDefinition[] = [];
    const vlans = vlanColors(graph);
    // The same ranks and port sides as `nslab graph` (and as the server's positions).
    const layout = layoutOf(graph);
    const boxes = big ? undefined : pageBoxes(graph, layout);
    for (const n of graph.nodes) {
      const box = boxes?.get(n.id);
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
      const src = portStyle(boxes?.get(tail.node)?.ports.get(tail.iface));
      const tgt = portStyle(boxes?.get(head.node)?.ports.get(head.iface));
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
      this.#edgeOf.set(`${e.a.node}\u0000${e.a.ifname}`, e.id);
      this.#edgeOf.set(`${e.b.node}\u0000${e.b.ifname}`, e.id);
    }
    this.cy = cytoscape({
      container,
      elements,
      style: style(big),
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
      ...(big ? { textureOnViewport: true, hideEdgesOnViewport: true, pixelRatio: 1 } : {}),
    });
    if (!positions && graph.nodes.length <= 3) this.cy.zoom(Math.min(this.cy.zoom(), 1.6));
    this.cy.center();
  }

  /** Take in observed nodes (all, or only those that changed). */
  update(nodes: NodeReport[]): void {
    const touched = new Set<string>();
    this.cy.batch(() => {
      for (const n of nodes) {
        this.cy.getElementById(n.name).data("present", n.present ? 1 : 0);
        for (const i of n.interfaces) {
          const key = `${n.name}\u0000${i.name}`;
          this.#ifs.set(key, i);
          const edge = this.#edgeOf.get(key);
          if (edge) touched.add(edge);
        }
      }
      for (const id of touched) {
        const e = this.#edges.get(id);
        if (!e) continue;
        const up = [e.a, e.b].every((end) => {
          const i = this.#ifs.get(`${end.node}\u0000${end.ifname}`);
          return !i || (i.present && i.up);
        });
        this.cy.getElementById(id).data("state", up ? "up" : "down");
      }
    });
  }

  /** The observed state of one interface. */
  iface(node: string, ifname: string): InterfaceReport | undefined {
    return this.#ifs.get(`${node}\u0000${ifname}`);
  }

  /** Select and centre a node. */
  focus(id: string): boolean {
    const n = this.cy.getElementById(id);
    if (n.empty()) return false;
    this.cy.elements().unselect();
    n.select();
    this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 1.2) }, { duration: 250 });
    return true;
  }
}

function style(big: boolean): cytoscape.StylesheetJson {
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
        "font-size": big ? 9 : 13,
        "text-valign": big ? "bottom" : "center",
        "text-halign": "center",
        "text-margin-y": big ? 3 : 0,
        width: big ? 22 : "data(w)",
        height: big ? 22 : "data(h)",
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
        width: big ? 1.2 : 2,
        "line-color": "data(color)",
        "curve-style": big ? "haystack" : "straight",
        ...(big
          ? {}
          : {
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
            }),
      },
    },
    {
      selector: 'edge[state = "down"]',
      style: { "line-color": "#e53e3e", "line-style": "dashed", width: big ? 2 : 3 },
    },
    { selector: "edge:selected", style: { "line-color": "#d69e2e", width: big ? 3 : 4 } },
    { selector: 'edge[state = "down"]:selected', style: { "line-color": "#c53030" } },
  ] as cytoscape.StylesheetJson;
}
