/**
 * Topologies from a file (nslab's format or a containerlab `.clab.yml`), a YAML string or an object
 * built in code — validated and resolved.
 */
import { isClabFile, loadClabFile } from "../clab/load.js";
import { formatProblem } from "../errors.js";
import type { ResolveOptions } from "../model/resolve.js";
import { resolveTopology } from "../model/resolve.js";
import type { Topology } from "../model/types.js";
import { type LoadedSpec, loadSpecFile, loadSpecObject, loadSpecText } from "../spec/load.js";
import type { Logger } from "./options.js";

export interface LoadOptions extends ResolveOptions {
  /** Receives warnings (e.g. what a containerlab import ignored). */
  log?: Logger;
}

/**
 * Read, validate and resolve a topology file; containerlab files are recognised and converted.
 * Throws TopologyError (with every problem) or E_FILE.
 */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<Topology> {
  return resolveTopology(await loadSpec(path, options), options);
}

/** The spec of a file, nslab or containerlab, with warnings sent to `options.log`. */
export async function loadSpec(path: string, options: { log?: Logger } = {}): Promise<LoadedSpec> {
  const spec = (await isClabFile(path)) ? (await loadClabFile(path)).spec : await loadSpecFile(path);
  for (const w of spec.warnings ?? []) options.log?.("warn", formatProblem(w));
  return spec;
}

/** Validate and resolve a topology written as YAML (`file` names it in error locations). */
export function parseTopology(yaml: string, options: ResolveOptions & { file?: string } = {}): Topology {
  return resolveTopology(loadSpecText(yaml, options.file ?? "<string>"), options);
}

/**
 * Validate and resolve a topology given as a plain object (the same shape as the YAML, e.g. from
 * `TopologyBuilder.toSpec()`). Error locations carry the field path; their file is `<object>`.
 */
export function topologyFromObject(spec: unknown, options: ResolveOptions = {}): Topology {
  return resolveTopology(loadSpecObject(spec), options);
}

export { generatedTopology } from "./generated.js";
