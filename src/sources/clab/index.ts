/**
 * The containerlab adapter: a `.clab.yml` read with the same limits and position tracking as
 * nslab's own files, converted into the nslab document (positions point into the .clab.yml).
 */
import { resolve as resolvePath } from "node:path";
import { TopologyError } from "../../errors.js";
import { isClabName, looksLikeClab } from "../detect.js";
import { displayName, readTopologyFile, readTopologyFileIfPresent, STDIN } from "../read.js";
import { parseYaml } from "../yaml.js";
import { type ClabImport, importClab } from "./convert.js";

export { looksLikeClab } from "../detect.js";
export type { ClabImport } from "./convert.js";
export { importClab } from "./convert.js";

/** Whether the file at `path` is a containerlab topology (by name, else by its text). */
export async function isClabFile(path: string): Promise<boolean> {
  if (isClabName(path)) return true;
  if (path === STDIN) return false; // reading it to look would leave nothing to read after
  try {
    const text = await readTopologyFileIfPresent(path);
    return text !== undefined && looksLikeClab(text);
  } catch {
    return false; // over MAX_FILE_BYTES (or unreadable): not something to convert
  }
}

/** Read and convert a containerlab file. Throws E_FILE or a TopologyError (positions in the file). */
export async function loadClabFile(path: string): Promise<ClabImport> {
  const text = await readTopologyFile(path);
  return convertClabText(text, displayName(path), path === STDIN ? undefined : resolvePath(path));
}

/** Convert containerlab YAML text (`file` names it in locations). */
export function convertClabText(text: string, file: string, absolute?: string): ClabImport {
  const source = parseYaml(text, file);
  if (source.problems.length > 0) throw new TopologyError(source.problems);
  const result = importClab(source);
  if (absolute) result.spec.path = absolute;
  return result;
}
