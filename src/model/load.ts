/**
 * Topologies in: a file (nslab's format or a containerlab `.clab.yml`), a YAML string or an object
 * built in code — through `sources/` (read once, format detected, schema-checked with positions),
 * then validated and resolved.
 */
import { statSync } from "node:fs";
import { formatProblem } from "../errors.js";
import { readSource, sourceFromFile, sourceFromObject, sourceFromText } from "../sources/index.js";
import type { TopologySource } from "../sources/source.js";
import type { Logger } from "../util/logger.js";
import { type ResolveOptions, resolveTopology } from "./resolve.js";
import type { Topology } from "./types.js";

export interface LoadOptions extends ResolveOptions {
  /** Receives warnings (e.g. what a containerlab import ignored). */
  log?: Logger;
}

/**
 * Read, validate and resolve a topology file; containerlab files are recognised and converted.
 * Throws TopologyError (with every problem) or E_FILE.
 */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<Topology> {
  return resolveTopology(said(await readSource(path), options), withHost(options));
}

/** The topology in `text`, the contents of the file `path` read already (any known format). */
export function topologyFromFile(path: string, text: string, options: LoadOptions = {}): Topology {
  return resolveTopology(said(sourceFromFile(path, text), options), withHost(options));
}

/** Validate and resolve a topology written as YAML (`file` names it in error locations). */
export function parseTopology(yaml: string, options: ResolveOptions & { file?: string } = {}): Topology {
  return resolveTopology(sourceFromText(yaml, options.file ?? "<string>"), withHost(options));
}

/**
 * Validate and resolve a topology given as a plain object (the same shape as the YAML, e.g. from
 * `TopologyBuilder.toSpec()`). Error locations carry the field path; their file is `<object>`.
 */
export function topologyFromObject(spec: unknown, options: ResolveOptions = {}): Topology {
  return resolveTopology(sourceFromObject(spec), withHost(options));
}

/** Resolving with a look at the host: whether the files `files:` copies into nodes exist. */
function withHost<T extends ResolveOptions>(options: T): T {
  return options.sourceKind ? options : { ...options, sourceKind: sourceKind };
}

function sourceKind(path: string): "file" | "dir" | "other" | "missing" {
  const st = statSync(path, { throwIfNoEntry: false });
  return !st ? "missing" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
}

/** A source with its warnings sent to `options.log`. */
function said(source: TopologySource, options: { log?: Logger }): TopologySource {
  for (const w of source.warnings ?? []) options.log?.("warn", formatProblem(w));
  return source;
}
