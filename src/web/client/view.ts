/**
 * What the page needs of a drawn graph, drawn either way: by cytoscape (labs the page labels in
 * full, graph.ts) or straight on a canvas (larger labs, canvas-view.ts).
 */
import type { NodeReport } from "../../lab/status.js";

/** A click on the graph: on a node, on a link, or on the background (null). */
export type Tap = { kind: "node" | "edge"; id: string } | null;

export interface GraphView {
  /** Take in observed nodes (all, or only those that changed). */
  update(nodes: NodeReport[]): void;
  /** Select and centre a node; false when there is no such node. */
  focus(id: string): boolean;
  /** Call `handler` on every click on the graph. */
  onTap(handler: (tap: Tap) => void): void;
  /** Where node `id` is drawn, in pixels from the top left corner of the graph's box. */
  renderedPosition(id: string): { x: number; y: number } | undefined;
}
