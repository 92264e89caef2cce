/**
 * The schema check shared by every way in (files, YAML text, objects built in code), and the way
 * in for objects: no YAML parser is loaded for a topology that never was YAML (a generated lab).
 */
import { type Problem, type SourceLocation, TopologyError } from "../errors.js";
import { issuesToProblems, valueAt } from "./issues.js";
import {
  BridgeNodeSchema,
  NetnsNodeSchema,
  NODE_KINDS,
  OvsBridgeNodeSchema,
  type RawTopology,
  TopologySchema,
} from "./schema.js";
import { didYouMean } from "./suggest.js";
import type { YamlSource } from "./yaml.js";

/** A raw spec that passed the schema, with where it came from. */
export interface LoadedSpec {
  raw: RawTopology;
  /** The file name used in messages (as given for files, `<string>`/`<object>` otherwise). */
  file: string;
  /** Absolute path, when the spec was read from a file. */
  path?: string;
  locate(path: ReadonlyArray<string | number>, options?: { key?: boolean }): SourceLocation;
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

/** Check a parsed document against the schema; throws a TopologyError listing every problem. */
export function checkSchema(source: YamlSource): LoadedSpec {
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
      message: `unknown node kind ${typeof kind === "string" ? `'${kind}'` : String(kind)}; expected one of ${NODE_KINDS.join(", ")}`,
      location: source.locate([...path, "kind"]),
      ...(hint ? { hint } : {}),
    };
  }
  const isLink = path.length === 2 && path[0] === "links";
  if (isLink) return Array.isArray(value) ? 0 : 1;
  const isInterface = path.length === 4 && path[0] === "nodes" && path[2] === "interfaces";
  const nodeKind = valueAt(source.data, ["nodes", path[1] ?? "", "kind"]);
  if (isInterface && (nodeKind === undefined || nodeKind === "netns")) {
    if (typeof value === "string") return 0;
    if (Array.isArray(value)) return 1;
    if (value !== null && typeof value === "object") return 2;
  }
  return undefined;
}

function collectFields(): Set<string> {
  const out = new Set<string>();
  const shapes = [TopologySchema, NetnsNodeSchema, BridgeNodeSchema, OvsBridgeNodeSchema];
  for (const s of shapes) for (const k of Object.keys(s.shape)) out.add(k);
  for (const k of ["addresses", "mtu", "mac", "to", "via", "dev", "metric", "endpoints"]) out.add(k);
  return out;
}
