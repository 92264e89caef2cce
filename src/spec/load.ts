/**
 * Reading a topology: a file (size-capped before parsing), a YAML string, or an object built in
 * code → the raw spec, checked against the schema, with a locator for error positions.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { NslabError, TopologyError } from "../errors.js";
import { checkSchema, type LoadedSpec } from "./object.js";
import { parseYaml } from "./yaml.js";

export { type LoadedSpec, loadSpecObject } from "./object.js";

/** Largest topology file nslab reads (checked before parsing). A 10,000-host lab is ~2 MB. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Read and check a topology file. Throws E_FILE or a TopologyError listing every problem. */
export async function loadSpecFile(path: string): Promise<LoadedSpec> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new NslabError("E_FILE", `${path} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof NslabError) throw e;
    throw new NslabError("E_FILE", `cannot read topology file ${path}: ${(e as Error).message}`, {
      hint: "check the path",
      cause: e,
    });
  }
  if (size > MAX_FILE_BYTES) {
    throw new NslabError(
      "E_FILE",
      `${path} is ${size} bytes; topology files are limited to ${MAX_FILE_BYTES} bytes`,
      {
        hint: "for very large labs use a generator (nslab up --topo …)",
      },
    );
  }
  const text = await readFile(path, "utf8");
  return { ...loadSpecText(text, path), path: resolvePath(path) };
}

/** Check a topology given as YAML text. */
export function loadSpecText(text: string, file = "<string>"): LoadedSpec {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new NslabError("E_FILE", `${file}: topology text exceeds ${MAX_FILE_BYTES} bytes`);
  }
  const source = parseYaml(text, file);
  if (source.problems.length > 0) throw new TopologyError(source.problems);
  return checkSchema(source);
}
