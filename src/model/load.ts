/**
 * Topologies in: a file (nslab's format or a containerlab `.clab.yml`), a YAML string or an object
 * built in code — through `sources/` (read once, format detected, schema-checked with positions),
 * with the flows files it names (relative to the topology file, or to the working directory for
 * YAML text), then validated and resolved.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { formatProblem } from "../errors.js";
import { readSource, sourceFromFile, sourceFromObject, sourceFromText } from "../sources/index.js";
import { readNamedFile } from "../sources/read.js";
import type { TopologySource } from "../sources/source.js";
import { defaultLogger, type Logger } from "../util/logger.js";
import { bridgeLoopWarnings } from "./loops.js";
import { type FlowsFile, flowsFileNames, openflowWarnings } from "./openflow.js";
import { type ResolveOptions, resolveTopology } from "./resolve.js";
import type { Topology } from "./types.js";

export interface LoadOptions extends ResolveOptions {
  /**
   * Receives warnings (what a containerlab import ignored, bridges in a loop without a spanning
   * tree); default: each once on stderr (see `setDefaultLogger`).
   */
  log?: Logger;
}

/**
 * Read, validate and resolve a topology file; containerlab files are recognised and converted.
 * Throws TopologyError (with every problem) or E_FILE.
 */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<Topology> {
  return warned(resolved(said(await readSource(path), options), withHost(options)), options);
}

/** The topology in `text`, the contents of the file `path` read already (any known format). */
export function topologyFromFile(path: string, text: string, options: LoadOptions = {}): Topology {
  return warned(resolved(said(sourceFromFile(path, text), options), withHost(options)), options);
}

/** Validate and resolve a topology written as YAML (`file` names it in error locations). */
export function parseTopology(yaml: string, options: LoadOptions & { file?: string } = {}): Topology {
  return warned(resolved(sourceFromText(yaml, options.file ?? "<string>"), withHost(options)), options);
}

/**
 * Validate and resolve a topology given as a plain object (the same shape as the YAML, e.g. from
 * `TopologyBuilder.toSpec()`). Error locations carry the field path; their file is `<object>`.
 */
export function topologyFromObject(spec: unknown, options: LoadOptions = {}): Topology {
  return warned(resolveTopology(sourceFromObject(spec), withHost(options)), options);
}

/** Validate and resolve a topology source (the builder's, with its call sites), warnings said. */
export function topologyFromSource(source: TopologySource, options: LoadOptions = {}): Topology {
  return warned(resolveTopology(said(source, options), withHost(options)), options);
}

/** Resolving with a look at the host: whether the files `files:` copies into nodes exist. */
function withHost<T extends ResolveOptions>(options: T): T {
  return options.sourceKind ? options : { ...options, sourceKind: sourceKind };
}

function sourceKind(path: string): "file" | "dir" | "other" | "missing" {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    // A path that cannot name a file (a name too long, a file where a directory should be, a loop
    // of links): there is nothing there to copy (found by the containerlab fuzz test, seed 1644447353).
    return "missing";
  }
  return !st ? "missing" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
}

/** A source with its warnings sent to `options.log`. */
function said(source: TopologySource, options: { log?: Logger }): TopologySource {
  const log = options.log ?? defaultLogger();
  for (const w of source.warnings ?? []) log("warn", formatProblem(w));
  return source;
}

/** A valid topology with what is worth a warning said (bridge loops without a spanning tree, too many switches on ovs-testcontroller). */
function warned(t: Topology, options: { log?: Logger }): Topology {
  const log = options.log ?? defaultLogger();
  for (const w of [...bridgeLoopWarnings(t), ...openflowWarnings(t)])
    log("warn", w.location ? formatProblem(w) : w.message);
  return t;
}

/** Resolve a source, with the flows files it names read first (relative to its file). */
function resolved(source: TopologySource, options: ResolveOptions): Topology {
  const names = flowsFileNames(source.raw);
  if (names.length === 0) return resolveTopology(source, options);
  const base = source.path ? dirname(source.path) : process.cwd();
  const flowsFiles = new Map<string, FlowsFile>();
  for (const name of names) {
    const path = resolve(base, name);
    // Named in messages as the user would type it from here.
    const shown = relative(process.cwd(), path);
    const label = shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : path;
    flowsFiles.set(name, { path: label, ...readNamedFile(path) });
  }
  return resolveTopology(source, { ...options, flowsFiles });
}
