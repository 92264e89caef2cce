/**
 * Recognising and reading containerlab files: by name (`*.clab.yml`, `*.clab.yaml`) or by content
 * (a top-level `topology:` and no top-level `nodes:`), read with the same limits and position
 * tracking as nslab's own files, then converted.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { TopologyError } from "../errors.js";
import { MAX_FILE_BYTES, readTopologyFile } from "../spec/load.js";
import { parseYaml } from "../spec/yaml.js";
import { type ClabImport, importClab } from "./convert.js";

/** Whether the file name says containerlab. */
export function isClabName(path: string): boolean {
  return /\.clab\.ya?ml$/i.test(path);
}

/** Whether YAML text looks like a containerlab topology rather than an nslab one. */
export function looksLikeClab(text: string): boolean {
  return /^topology\s*:/m.test(text) && !/^nodes\s*:/m.test(text);
}

/** Whether the file at `path` is a containerlab topology (by name, else by its first bytes). */
export async function isClabFile(path: string): Promise<boolean> {
  if (isClabName(path)) return true;
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return false;
    return looksLikeClab(await readFile(path, "utf8"));
  } catch {
    return false;
  }
}

/** Read and convert a containerlab file. Throws E_FILE or a TopologyError (positions in the file). */
export async function loadClabFile(path: string): Promise<ClabImport> {
  return convertClabText(await readTopologyFile(path), path, resolvePath(path));
}

/** Convert containerlab YAML text. */
export function convertClabText(text: string, file: string, absolute?: string): ClabImport {
  const source = parseYaml(text, file);
  if (source.problems.length > 0) throw new TopologyError(source.problems);
  const result = importClab(source);
  if (absolute) result.spec.path = absolute;
  return result;
}
