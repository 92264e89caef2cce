/** Topologies from a file, a YAML string or an object built in code — validated and resolved. */
import type { ResolveOptions } from "../model/resolve.js";
import { resolveTopology } from "../model/resolve.js";
import type { Topology } from "../model/types.js";
import { loadSpecFile, loadSpecObject, loadSpecText } from "../spec/load.js";

/** Read, validate and resolve a topology file. Throws TopologyError (with every problem) or E_FILE. */
export async function loadTopology(path: string, options: ResolveOptions = {}): Promise<Topology> {
  return resolveTopology(await loadSpecFile(path), options);
}

/** Validate and resolve a topology written as YAML. */
export function parseTopology(yaml: string, options: ResolveOptions & { file?: string } = {}): Topology {
  return resolveTopology(loadSpecText(yaml, options.file ?? "<string>"), options);
}

/** Validate and resolve a topology given as a plain object (the same shape as the YAML). */
export function topologyFromObject(spec: unknown, options: ResolveOptions = {}): Topology {
  return resolveTopology(loadSpecObject(spec), options);
}

export { generatedTopology } from "./generated.js";
