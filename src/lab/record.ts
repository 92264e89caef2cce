/**
 * A running lab's record, read afresh for every operation on it (another process may change the lab
 * or take it down between two calls), with the errors that say what exists.
 */
import { NslabError } from "../errors.js";
import { checkName, type NameRole } from "../model/names.js";
import { type LabState, type ObservedRecord, readLab, readLabForObservation } from "../state/store.js";

const LIST_HINT = "list labs with: nslab status";

/** The record of lab `lab` (E_NOT_FOUND when it has none). */
export function recordOf(lab: string): LabState {
  const state = readLab(lab);
  if (!state) throw new NslabError("E_NOT_FOUND", `no lab named '${lab}' is up`, { hint: LIST_HINT });
  return state;
}

/**
 * The record of lab `lab` for reading only, parsed again only when its file changed, and the kernel
 * names of its nodes, known before it is parsed (E_NOT_FOUND).
 */
export function observedRecordOf(lab: string): ObservedRecord {
  const observed = readLabForObservation(lab);
  if (!observed) throw new NslabError("E_NOT_FOUND", `no lab named '${lab}' is up`, { hint: LIST_HINT });
  return observed;
}

/**
 * The record of lab `lab` for looking things up only (E_NOT_FOUND): a big lab's comes from its view
 * (without source positions; see readLabForObservation), parsed once while its file is the same —
 * `exec` of a 10,000-host lab read and checked its 17 MB record twice. Its names are not checked
 * as a whole: a name taken from it into a command goes through {@link checkedName} first.
 */
export function lookupRecordOf(lab: string): Readonly<LabState> {
  return observedRecordOf(lab).record();
}

/** `name` from a record read by {@link lookupRecordOf}, checked before a command gets it (E_STATE). */
export function checkedName(lab: string, name: string, role: NameRole): string {
  const why = checkName(name, role);
  if (why !== undefined)
    throw new NslabError("E_STATE", `the record of lab '${lab}' holds an invalid name: ${why}`, {
      hint: "it was not written by nslab; inspect and remove it",
    });
  return name;
}

/** The record of lab `lab`, which must be up (E_NOT_FOUND saying its state otherwise). */
export function upRecordOf(lab: string, hint = LIST_HINT): LabState {
  const state = readLab(lab);
  if (state?.status !== "up")
    throw new NslabError(
      "E_NOT_FOUND",
      state ? `lab '${lab}' is ${state.status}, not up` : `no lab named '${lab}' is up`,
      { hint },
    );
  return state;
}
