/** Lab diagrams: the graph model and its renderers (Mermaid, DOT, SVG) and layouts. */
export { engineFor, toDot } from "./dot.js";
export { toMermaid } from "./mermaid.js";
export {
  type GraphEdge,
  type GraphEnd,
  type GraphInterface,
  type GraphModel,
  type GraphNode,
  type GraphNodeKind,
  graphKind,
  graphModel,
} from "./model.js";
export { PNG_MAX_SIDE, renderPng } from "./png.js";
export { layoutPositions, type Point, renderSvg } from "./render.js";
