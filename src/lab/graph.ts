/** `graph`: the diagram of a topology or of a running lab (from its record), as data or text. */
import { NslabError } from "../errors.js";
import { type GraphModel, graphModel } from "../graph/model.js";
import type { Topology } from "../model/types.js";
import { readLab } from "../state/store.js";

/** The topology a running lab was brought up with (E_NOT_FOUND when it has no record). */
export function labTopology(lab: string): Topology {
  const state = readLab(lab);
  if (!state)
    throw new NslabError("E_NOT_FOUND", `no lab named '${lab}' is up`, {
      hint: "list labs with: nslab status",
    });
  return state.topology;
}

/** The graph of a running lab, with its kernel names (prefixed as it was brought up). */
export function labGraph(lab: string): GraphModel {
  return graphModel(labTopology(lab));
}
