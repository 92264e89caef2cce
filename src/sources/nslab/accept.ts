/**
 * The fast yes of the schema check: does a document fit the topology format's JSON Schema (the one
 * zod generates, kept in shape.ts), and the copy zod would have returned — without loading zod,
 * whose module initialisation is most of a `validate`'s start. Only the answer "it fits" is
 * trusted; a document it does not accept (or cannot judge: values no YAML file holds, such as class
 * instances, symbol keys, or reserved keys such as `__proto__`) goes to the full check, which
 * finds and words the problems. So messages are zod's by construction (reserved keys': keys.ts),
 * and this module must never accept what zod rejects (test/unit/sources/accept.test.ts holds both
 * to the same answers).
 */
import { RESERVED_KEYS } from "../../util/keys.js";
import { TOPOLOGY_SHAPE } from "./shape.js";

/** The subset of JSON Schema (draft 2020-12) that z.toJSONSchema writes for the topology format. */
export interface Shape {
  type?: string | string[];
  properties?: Record<string, Shape>;
  required?: string[];
  additionalProperties?: Shape | false;
  propertyNames?: Shape;
  anyOf?: Shape[];
  const?: unknown;
  enum?: unknown[];
  items?: Shape | false;
  prefixItems?: Shape[];
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
}

/** Keywords that say nothing about which values fit. */
const ANNOTATIONS = new Set(["$id", "$schema", "title", "description"]);
const KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "anyOf",
  "const",
  "enum",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
]);

/** A value that does not fit (inside this module only). */
const NO: unique symbol = Symbol("no");

/**
 * The document as zod would return it when it fits the topology format (a copy: fields in the
 * schema's order, nothing of the input shared), else undefined (it may not fit: ask zod).
 */
export function acceptTopology(data: unknown): unknown {
  return acceptShape(TOPOLOGY_SHAPE as Shape, data);
}

/** {@link acceptTopology} for any schema of the same subset (tests use small ones). */
export function acceptShape(shape: Shape, data: unknown): unknown {
  const out = take(shape, data);
  return out === NO ? undefined : out;
}

function take(s: Shape, v: unknown): unknown {
  for (const k of Object.keys(s)) if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) return NO; // unknown: ask zod
  if (s.anyOf) {
    for (const branch of s.anyOf) {
      const out = take(branch, v);
      if (out !== NO) return takeRest(s, v, out);
    }
    return NO;
  }
  return takeRest(s, v, v);
}

/** The keywords beside anyOf, on `v` (`out`: what anyOf made of it). */
function takeRest(s: Shape, v: unknown, out: unknown): unknown {
  if (s.const !== undefined && v !== s.const) return NO;
  if (s.enum && !s.enum.includes(v)) return NO;
  if (s.type === undefined) return out === v && v !== null && typeof v === "object" ? NO : out;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  for (const t of types) {
    const r = takeType(s, t, v);
    if (r !== NO) return r;
  }
  return NO;
}

function takeType(s: Shape, type: string, v: unknown): unknown {
  switch (type) {
    case "string":
      return typeof v === "string" ? v : NO;
    case "boolean":
      return typeof v === "boolean" ? v : NO;
    case "null":
      return v === null ? null : NO;
    case "number":
      return typeof v === "number" && Number.isFinite(v) && inRange(s, v) ? v : NO;
    case "integer":
      return typeof v === "number" && Number.isSafeInteger(v) && inRange(s, v) ? v : NO;
    case "array":
      return takeArray(s, v);
    case "object":
      return takeObject(s, v);
    default:
      return NO;
  }
}

function inRange(s: Shape, v: number): boolean {
  return (s.minimum === undefined || v >= s.minimum) && (s.maximum === undefined || v <= s.maximum);
}

function takeArray(s: Shape, v: unknown): unknown {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return NO;
  if (s.minItems !== undefined && v.length < s.minItems) return NO;
  if (s.maxItems !== undefined && v.length > s.maxItems) return NO;
  const prefix = s.prefixItems ?? [];
  if (s.items === false && v.length > prefix.length) return NO;
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) {
    const item = i < prefix.length ? prefix[i] : s.items;
    if (!Object.hasOwn(v, i)) return NO; // a hole: no file holds one
    if (item === undefined || item === false) return NO;
    const r = take(item, v[i]);
    if (r === NO) return NO;
    out.push(r);
  }
  return out;
}

/** A map that a YAML file could hold: a plain object with enumerable string keys only. */
function plainFields(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(v).length > 0) return false;
  // A reserved key (keys.ts) is a problem for checkFully to place; zod would drop `__proto__`.
  return Object.getOwnPropertyNames(v).every(
    (k) => !RESERVED_KEYS.has(k) && Object.prototype.propertyIsEnumerable.call(v, k),
  );
}

function takeObject(s: Shape, v: unknown): unknown {
  if (!plainFields(v)) return NO;
  const props = s.properties ?? {};
  const required = s.required ?? [];
  const out: Record<string, unknown> = {};
  for (const [key, shape] of Object.entries(props)) {
    // zod asks `key in input`: a field inherited from a prototype is one no file writes.
    if (!Object.hasOwn(v, key)) {
      if (key in v || required.includes(key)) return NO;
      continue;
    }
    const value = v[key];
    if (value === undefined) {
      // An optional field set to undefined (an object built in code) stays, as zod keeps it.
      if (required.includes(key)) return NO;
      out[key] = undefined;
      continue;
    }
    const r = take(shape, value);
    if (r === NO) return NO;
    out[key] = r;
  }
  for (const key of Object.keys(v)) {
    if (Object.hasOwn(props, key)) continue;
    const extra = s.additionalProperties;
    if (extra === undefined || extra === false) return NO;
    if (s.propertyNames && take(s.propertyNames, key) === NO) return NO;
    const r = take(extra, v[key]);
    if (r === NO) return NO;
    out[key] = r;
  }
  return out;
}
