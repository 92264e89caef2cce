/**
 * zod issues → nslab Problems: plain-English messages, the `file:line:col` of the offending
 * key or value, "did you mean" for unknown fields, and for unions the branch the user meant.
 */
import type { z } from "zod";
import type { Problem } from "../../errors.js";
import { didYouMean } from "../suggest.js";
import type { YamlSource } from "../yaml.js";

type Issue = z.core.$ZodIssue;
type Path = Array<string | number>;

/** Knowledge about the schema the mapper needs: known field names and how to pick union branches. */
export interface IssueContext {
  source: YamlSource;
  /** Every field name the schema knows, for suggestions. */
  knownFields: ReadonlySet<string>;
  /** Given the data at a union's path, which branch did the user mean (index), if it can tell. */
  pickBranch?: (path: Path, value: unknown, branchCount: number) => number | Problem | undefined;
}

/** Convert all issues, flattening unions into the branch the user most likely meant. */
export function issuesToProblems(issues: readonly Issue[], ctx: IssueContext, base: Path = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) out.push(...convert(issue, ctx, base));
  return dedupe(out);
}

/** Where fields that only some nodes have belong. */
const FIELD_HOME: Record<string, string> = {
  frr: "FRR runs in routers: add kind: router",
  as: "'as' is a router's BGP AS number: add kind: router (and routing: bgp)",
  stp: "'stp' is a setting of bridges (kind: bridge or ovs-bridge)",
  datapath: "'datapath' is a setting of Open vSwitch bridges (kind: ovs-bridge)",
};

function convert(issue: Issue, ctx: IssueContext, base: Path): Problem[] {
  const path: Path = [...base, ...(issue.path as Path)];
  const value = valueAt(ctx.source.data, path);
  const loc = (p: Path = path, key = false) => ctx.source.locate(p, { key });

  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => {
        // A field of another kind of node (`frr` on a host, `stp` on a namespace): say where it goes.
        if (ctx.knownFields.has(k) && path[0] === "nodes" && path.length === 2)
          return {
            message: `'${k}' is not a field of this kind of node`,
            location: loc([...path, k], true),
            ...(FIELD_HOME[k] ? { hint: FIELD_HOME[k] } : {}),
          };
        // A field known elsewhere (`mtu` on a node, not on its interface): no "did you mean 'mtu'?".
        const hint = ctx.knownFields.has(k)
          ? `'${k}' is not a field here; see the format: docs/topology.md`
          : didYouMean(k, ctx.knownFields);
        return {
          message: `unknown field '${k}'`,
          location: loc([...path, k], true),
          ...(hint ? { hint } : {}),
        };
      });
    case "invalid_union": {
      const branches = issue.errors;
      const picked = ctx.pickBranch?.(path, value, branches.length);
      if (picked !== undefined && typeof picked === "object") return [picked];
      let index = typeof picked === "number" ? picked : -1;
      if (index < 0)
        index = branches.findIndex((b) => !b.every((i) => i.code === "invalid_type" && i.path.length === 0));
      const branch = index >= 0 ? branches[index] : undefined;
      if (branch) return issuesToProblems(branch, ctx, path);
      const expected = [
        ...new Set(branches.flatMap((b) => b.map((i) => (i.code === "invalid_type" ? i.expected : "")))),
      ]
        .filter(Boolean)
        .map(article);
      return [
        {
          message: `expected ${expected.join(" or ") || "a different value"}, got ${describe(value)}`,
          location: loc(),
        },
      ];
    }
    case "invalid_type": {
      if (value === undefined) {
        const field = path[path.length - 1];
        return [{ message: `missing required field '${String(field)}'`, location: loc(path.slice(0, -1)) }];
      }
      return [{ message: `expected ${article(issue.expected)}, got ${describe(value)}`, location: loc() }];
    }
    case "invalid_value": {
      const allowed = issue.values.map((v) => String(v));
      const hint = typeof value === "string" ? didYouMean(value, allowed) : undefined;
      return [
        {
          message: `${describe(value)} is not allowed here; expected ${allowed.map((a) => `'${a}'`).join(" or ")}`,
          location: loc(),
          ...(hint ? { hint } : {}),
        },
      ];
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const cmp =
        issue.code === "too_small"
          ? issue.inclusive
            ? "at least"
            : "more than"
          : issue.inclusive
            ? "at most"
            : "less than";
      const what = issue.origin === "array" ? "items" : issue.origin === "string" ? "characters" : "";
      return [
        {
          message: `must be ${cmp} ${String(bound)}${what ? ` ${what}` : ""}, got ${describe(value)}`,
          location: loc(),
        },
      ];
    }
    default:
      return [{ message: issue.message, location: loc() }];
  }
}

/** The data found at `path`, or undefined. */
export function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    if (!Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function article(type: string): string {
  switch (type) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "an integer";
    case "boolean":
      return "true or false";
    case "array":
    case "tuple":
      return "a list";
    case "object":
    case "record":
      return "a map of fields";
    case "null":
      return "nothing";
    default:
      return type;
  }
}

/** A short description of a value for "got …". */
export function describe(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return `${typeof value} ${String(value)}`;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.location?.line}:${p.location?.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
