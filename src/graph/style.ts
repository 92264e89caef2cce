/** How node kinds look, shared by the Mermaid and DOT output and the web view. */
import type { GraphNodeKind } from "./model.js";

/** Fill and stroke per kind. */
export const KIND_COLORS: Record<GraphNodeKind, { fill: string; stroke: string }> = {
  netns: { fill: "#e8f1fb", stroke: "#2b6cb0" },
  router: { fill: "#fdf0e1", stroke: "#c05621" },
  bridge: { fill: "#e9f7ef", stroke: "#2f855a" },
  "ovs-bridge": { fill: "#f1ebfa", stroke: "#6b46c1" },
};

/** Above this many nodes, layouts switch from layered (`dot`) to force-directed (`sfdp`). */
export const LARGE_GRAPH_NODES = 150;
