/** `graph`: the diagram of a running lab (from its record), as data. */
import { type GraphModel, graphModel } from "../graph/model.js";
import type { Topology } from "../model/types.js";
import { isMultiLab, readMultiLab } from "../state/multi.js";
import { observedRecordOf, recordOf } from "./record.js";

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

/** Graphs of the records read for observation (by the record object: parsed once per file). */
const observedGraphs = new WeakMap<object, GraphModel>();

/**
 * The graph of a running lab for reading only: the same object as long as its record file is the
 * same one (a 10,000-host record takes half a second to parse, and the observation reads that same
 * parsed record). Callers must not modify it.
 */
export function observedLabGraph(lab: string): GraphModel {
  if (isMultiLab(lab)) return labGraph(lab);
  const record = observedRecordOf(lab).record();
  let g = observedGraphs.get(record);
  if (!g) {
    g = graphModel(record.topology);
    observedGraphs.set(record, g);
  }
  return g;
}
