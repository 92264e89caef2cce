/**
 * The nslab format: YAML text, or an object built in code, checked against the schema — every
 * problem at once, each with its place — into the raw topology every source yields. Other formats'
 * adapters produce the same document and are checked here too.
 */
import type { z } from "zod";
import { NslabError, type Problem, TopologyError } from "../../errors.js";
import { MAX_FILE_BYTES } from "../read.js";
import { type Locate, pathOnly, type TopologySource } from "../source.js";
import { didYouMean } from "../suggest.js";
import { parseYaml, type YamlSource } from "../yaml.js";
import { FileObjectSchema, ReadySchema, ServiceSchema } from "./env-schema.js";
import { MachineSchema, VxlanSchema } from "./hosts-schema.js";
import { issuesToProblems, valueAt } from "./issues.js";
import { type FlatIssue, repair, repairedLocate } from "./repair.js";
import {
  AddressingSchema,
  BridgeNodeSchema,
  ExpectObjectSchema,
  LinkObjectSchema,
  NatNodeSchema,
  NetnsNodeSchema,
  NODE_KINDS,
  OvsBridgeNodeSchema,
  RouterNodeSchema,
  TopologySchema,
} from "./schema.js";

/** Check a topology given as YAML text (`file` names it in locations). */
export function nslabFromText(text: string, file = "<string>"): TopologySource {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new NslabError("E_FILE", `${file}: topology text exceeds ${MAX_FILE_BYTES} bytes`);
  }
  const source = parseYaml(text, file);
  if (source.problems.length > 0) throw new TopologyError(source.problems);
  return checkSchema(source);
}

/**
 * Check a topology built in code: locations carry the field path (and, with `locate`, where in
 * the code that field was written: the topology builder records its call sites).
 */
export function nslabFromObject(
  data: unknown,
  file = "<object>",
  locate: Locate = pathOnly(file),
): TopologySource {
  return checkSchema({ file, data, problems: [], locate });
}

const KNOWN_FIELDS = collectFields();

/**
 * Check a document against the schema: the nslab format as written, or what another format's
 * adapter made of its file (its `locate` maps nslab field paths to positions in that file).
 */
export function checkSchema(source: YamlSource): TopologySource {
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
    const pick = (path: Array<string | number>, value: unknown) => pickBranch(source, path, value);
    const problems = issuesToProblems(result.error.issues, {
      source,
      knownFields: KNOWN_FIELDS,
      pickBranch: pick,
    });
    // One pass: the rest of the document still goes through the model's rules, the bad parts cut out.
    const repaired = repair(source.data, flatten(result.error.issues, source.data, pick));
    const again = repaired ? TopologySchema.safeParse(repaired.data) : undefined;
    if (!repaired || !again?.success) throw new TopologyError(problems);
    return {
      raw: again.data,
      file: source.file,
      locate: repairedLocate(source.locate, repaired),
      problems,
      cut: repaired.cut,
    };
  }
  return { raw: result.data, file: source.file, locate: source.locate };
}

type Issue = z.core.$ZodIssue;

/** Issues with unions resolved to the branch the user meant (as the messages do). */
function flatten(
  issues: readonly Issue[],
  data: unknown,
  pick: (path: Array<string | number>, value: unknown) => number | Problem | undefined,
  base: Array<string | number> = [],
): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as Array<string | number>)];
    if (issue.code === "unrecognized_keys") out.push({ path, keys: issue.keys });
    else if (issue.code === "invalid_union") {
      const picked = pick(path, valueAt(data, path));
      if (typeof picked === "object") out.push({ path: picked.location?.path ?? path });
      else {
        const index =
          typeof picked === "number"
            ? picked
            : issue.errors.findIndex(
                (b) => !b.every((i) => i.code === "invalid_type" && i.path.length === 0),
              );
        const branch = index >= 0 ? issue.errors[index] : undefined;
        if (branch) out.push(...flatten(branch as readonly Issue[], data, pick, path));
        else out.push({ path });
      }
    } else out.push({ path });
  }
  return out;
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
  const isFile = path.length === 4 && path[0] === "nodes" && path[2] === "files";
  if (isFile)
    return typeof value === "string" ? 0 : value !== null && typeof value === "object" ? 1 : undefined;
  const isInterface = path.length === 4 && path[0] === "nodes" && path[2] === "interfaces";
  const nodeKind = valueAt(source.data, ["nodes", path[1] ?? "", "kind"]);
  if (
    isInterface &&
    (nodeKind === undefined || nodeKind === "netns" || nodeKind === "router" || nodeKind === "nat")
  ) {
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
    NatNodeSchema,
    LinkObjectSchema,
    AddressingSchema,
    ExpectObjectSchema,
    MachineSchema,
    VxlanSchema,
    FileObjectSchema,
    ServiceSchema,
    ReadySchema,
  ];
  for (const s of shapes) for (const k of Object.keys(s.shape)) out.add(k);
  for (const k of ["addresses", "mtu", "mac", "vlan", "to", "via", "dev", "metric", "endpoints"]) out.add(k);
  return out;
}
