/** `graph`: the diagram of a running lab (from its record), as data. */
import { type GraphModel, graphModel } from "../graph/model.js";
import type { Topology } from "../model/types.js";
import { isMultiLab, readMultiLab } from "../state/multi.js";
import { recordOf } from "./record.js";

/**
 * The topology a running lab was brought up with (E_NOT_FOUND when it has no record); of a lab this
 * machine spread over several, the whole lab (every node with its machine).
 */
export function labTopology(lab: string): Topology {
  if (isMultiLab(lab)) {
    const state = readMultiLab(lab);
    if (state) return state.topology;
  }
  return recordOf(lab).topology;
}

/** The graph of a running lab, with its kernel names (prefixed as it was brought up). */
export function labGraph(lab: string): GraphModel {
  return graphModel(labTopology(lab));
}
