/**
 * What the drawn graph shows of observations, whichever way it is drawn: each node present or
 * absent, each link up (both ends present and up) or down. Takes in whole or partial observations
 * (the server sends only the nodes that changed) and says which links they touched. Pure.
 */
import type { GraphEdge, GraphModel } from "../../graph/model.js";
import type { InterfaceReport, NodeReport } from "../../lab/status.js";

/** The links an observation touched, each up or down now. */
export interface LinkChanges {
  nodes: { id: string; present: boolean }[];
  links: { id: string; up: boolean }[];
}

export class LinkStates {
  /** `node\u0000ifname` → the edge that interface is an end of. */
  readonly #edgeOf = new Map<string, string>();
  readonly #edges: Map<string, GraphEdge>;
  /** Latest state of every interface, by `node\u0000ifname`. */
  readonly #ifs = new Map<string, InterfaceReport>();

  constructor(graph: GraphModel) {
    this.#edges = new Map(graph.edges.map((e) => [e.id, e]));
    for (const e of graph.edges) {
      this.#edgeOf.set(`${e.a.node}\u0000${e.a.ifname}`, e.id);
      this.#edgeOf.set(`${e.b.node}\u0000${e.b.ifname}`, e.id);
    }
  }

  /** Take in observed nodes (all, or only those that changed). */
  take(nodes: NodeReport[]): LinkChanges {
    const touched = new Set<string>();
    for (const n of nodes)
      for (const i of n.interfaces) {
        const key = `${n.name}\u0000${i.name}`;
        this.#ifs.set(key, i);
        const edge = this.#edgeOf.get(key);
        if (edge) touched.add(edge);
      }
    const links: LinkChanges["links"] = [];
    for (const id of touched) {
      const e = this.#edges.get(id);
      if (e) links.push({ id, up: this.#up(e) });
    }
    return { nodes: nodes.map((n) => ({ id: n.name, present: n.present })), links };
  }

  /** Up: neither end is observed absent or down (an end not observed yet counts as up). */
  #up(e: GraphEdge): boolean {
    return [e.a, e.b].every((end) => {
      const i = this.#ifs.get(`${end.node}\u0000${end.ifname}`);
      return !i || (i.present && i.up);
    });
  }
}
