/** How node kinds look, shared by the Mermaid and DOT output and the web view. */
import type { GraphModel, GraphNodeKind } from "./model.js";

/** Fill and stroke per kind. */
export const KIND_COLORS: Record<GraphNodeKind, { fill: string; stroke: string }> = {
  netns: { fill: "#e8f1fb", stroke: "#2b6cb0" },
  router: { fill: "#fdf0e1", stroke: "#c05621" },
  bridge: { fill: "#e9f7ef", stroke: "#2f855a" },
  "ovs-bridge": { fill: "#f1ebfa", stroke: "#6b46c1" },
};

/** Above this many nodes, layouts switch from layered (`dot`) to force-directed (`sfdp`). */
export const LARGE_GRAPH_NODES = 150;

/** Colours for VLANs, given in order of first appearance (distinct for the first eight). */
const VLAN_PALETTE = ["#c05621", "#2b6cb0", "#b83280", "#2f855a", "#6b46c1", "#2c7a7b", "#975a16", "#c53030"];

/** A colour for each VLAN of the lab's ports. */
export function vlanColors(g: GraphModel): Map<number, string> {
  const colors = new Map<number, string>();
  for (const n of g.nodes)
    for (const i of n.interfaces)
      if (i.vlan !== undefined && !colors.has(i.vlan))
        colors.set(i.vlan, VLAN_PALETTE[colors.size % VLAN_PALETTE.length] as string);
  return colors;
}
