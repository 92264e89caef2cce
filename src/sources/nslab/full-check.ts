/**
 * The full schema check, with zod: every problem of a document the fast check (accept.ts) did not
 * accept, each in plain words at its place, and the document with the bad parts cut out so the
 * model's rules still see the rest. Loaded only for such documents: zod's start-up is most of a
 * `validate` (the CLI's bundle loads this module lazily, see scripts/bundle-cli.mjs).
 */
import type { z } from "zod";
import { type Problem, TopologyError } from "../../errors.js";
import { reservedKeyMessage, reservedKeyPaths } from "../../util/keys.js";
import type { TopologySource } from "../source.js";
import { didYouMean } from "../suggest.js";
import type { YamlSource } from "../yaml.js";
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

const KNOWN_FIELDS = collectFields();

/** Check a document against the zod schema (see checkSchema in check.ts). */
export function checkFully(source: YamlSource): TopologySource {
  // Data that did not come through the YAML reader (built in code, or converted) may hold
  // reserved keys, which zod would silently drop (`__proto__`) or take as fields.
  const reserved = reservedKeyPaths(source.data);
  if (reserved.length > 0)
    throw new TopologyError(
      reserved.map((path) => ({
        message: reservedKeyMessage(String(path.at(-1))),
        location: source.locate(path, { key: true }),
        hint: "rename it",
      })),
    );
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
