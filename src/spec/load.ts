/**
 * Reading a topology: a file (size-capped before parsing), a YAML string, or an object built in
 * code → the raw spec, checked against the schema, with a locator for error positions.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { NslabError, type Problem, type SourceLocation, TopologyError } from "../errors.js";
import { issuesToProblems, valueAt } from "./issues.js";
import {
  AddressingSchema,
  BridgeNodeSchema,
  ExpectObjectSchema,
  LinkObjectSchema,
  NetnsNodeSchema,
  NODE_KINDS,
  OvsBridgeNodeSchema,
  type RawTopology,
  RouterNodeSchema,
  TopologySchema,
} from "./schema.js";
import { didYouMean } from "./suggest.js";
import { parseYaml, type YamlSource } from "./yaml.js";

/** Largest topology file nslab reads (checked before parsing). A 10,000-host lab is ~2 MB. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A raw spec that passed the schema, with where it came from. */
export interface LoadedSpec {
  raw: RawTopology;
  /** The file name used in messages (as given for files, `<string>`/`<object>` otherwise). */
  file: string;
  /** Absolute path, when the spec was read from a file. */
  path?: string;
  /** Things worth saying that do not stop the lab (e.g. what an import ignored). */
  warnings?: Problem[];
  locate(path: ReadonlyArray<string | number>, options?: { key?: boolean }): SourceLocation;
}

/** Read and check a topology file. Throws E_FILE or a TopologyError listing every problem. */
export async function loadSpecFile(path: string): Promise<LoadedSpec> {
  return { ...loadSpecText(await readTopologyFile(path), path), path: resolvePath(path) };
}

/**
 * The text of a topology file (nslab's or containerlab's): a regular file, its size checked against
 * {@link MAX_FILE_BYTES} before it is read. Throws E_FILE.
 */
export async function readTopologyFile(path: string): Promise<string> {
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
  return readFile(path, "utf8");
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

/** Check a topology built in code (no positions; locations carry the field path). */
export function loadSpecObject(data: unknown, file = "<object>"): LoadedSpec {
  const source: YamlSource = {
    file,
    data,
    problems: [],
    locate: (path) => ({ file, line: 0, column: 0, path }),
  };
  return checkSchema(source);
}

const KNOWN_FIELDS = collectFields();

/**
 * Check data that came from somewhere else (e.g. converted from another format) against the schema;
 * `source.locate` maps nslab field paths to positions in the original file.
 */
export function loadSpecSource(source: YamlSource): LoadedSpec {
  return checkSchema(source);
}

function checkSchema(source: YamlSource): LoadedSpec {
  const result = TopologySchema.safeParse(source.data ?? null);
  if (!result.success) {
    if (source.data === null || source.data === undefined || typeof source.data !== "object") {
      throw new TopologyError([
        {
          message: "the topology must be a map with at least 'name' and 'nodes'",
          location: source.locate([]),
        },
      ]);
    }
    const problems = issuesToProblems(result.error.issues, {
      source,
      knownFields: KNOWN_FIELDS,
      pickBranch: (path, value) => pickBranch(source, path, value),
    });
    throw new TopologyError(problems);
  }
  return { raw: result.data, file: source.file, locate: source.locate };
}

/** A value that is not a string, for a message (String() throws on a map with a `toString` key). */
function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "(a list)";
  if (v !== null && typeof v === "object") return "(a map)";
  return String(v);
}

/** Choose which union branch a value was meant for: nodes by `kind`, links by shape. */
function pickBranch(
  source: YamlSource,
  path: Array<string | number>,
  value: unknown,
): number | Problem | undefined {
  const isNode = path.length === 2 && path[0] === "nodes";
  if (isNode && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const kind = (value as Record<string, unknown>).kind;
    if (kind === undefined) return 0;
    const index = NODE_KINDS.indexOf(kind as (typeof NODE_KINDS)[number]);
    if (index >= 0) return index;
    const hint = typeof kind === "string" ? didYouMean(kind, NODE_KINDS) : undefined;
    return {
      message: `unknown node kind ${typeof kind === "string" ? `'${kind}'` : describeValue(kind)}; expected one of ${NODE_KINDS.join(", ")}`,
      location: source.locate([...path, "kind"]),
      ...(hint ? { hint } : {}),
    };
  }
  const isLink = path.length === 2 && path[0] === "links";
  if (isLink) return Array.isArray(value) ? 0 : 1;
  const isExpect = path.length === 2 && path[0] === "expect";
  if (isExpect && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    return keys.some((k) => ["from", "to", "expect", "tcp", "family"].includes(k)) ? 1 : 0;
  }
  const isInterface = path.length === 4 && path[0] === "nodes" && path[2] === "interfaces";
  const nodeKind = valueAt(source.data, ["nodes", path[1] ?? "", "kind"]);
  if (isInterface && (nodeKind === undefined || nodeKind === "netns" || nodeKind === "router")) {
    if (typeof value === "string") return 0;
    if (Array.isArray(value)) return 1;
    if (value !== null && typeof value === "object") return 2;
  }
  return undefined;
}

function collectFields(): Set<string> {
  const out = new Set<string>();
  const shapes = [
    TopologySchema,
    NetnsNodeSchema,
    RouterNodeSchema,
    BridgeNodeSchema,
    OvsBridgeNodeSchema,
    LinkObjectSchema,
    AddressingSchema,
    ExpectObjectSchema,
  ];
  for (const s of shapes) for (const k of Object.keys(s.shape)) out.add(k);
  for (const k of ["addresses", "mtu", "mac", "vlan", "to", "via", "dev", "metric", "endpoints"]) out.add(k);
  return out;
}
