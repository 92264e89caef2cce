/** OVSDB values (RFC 7047 §5.1): atoms, sets, maps and UUIDs on the wire, built and read back. */
import { setOwn } from "../../util/keys.js";

/** A row's UUID on the wire: `["uuid", "…"]`. */
export type UuidAtom = ["uuid", string];
/** A row inserted earlier in the same transaction, by its `uuid-name`: `["named-uuid", "…"]`. */
export type NamedUuidAtom = ["named-uuid", string];
/** One scalar value of a column. */
export type Atom = string | number | boolean | UuidAtom | NamedUuidAtom;
/** A set of atoms: `["set", [...]]`. A single atom may also stand for a one-element set. */
export type OvsSet = ["set", Atom[]];
/** A map: `["map", [[k, v], ...]]`. */
export type OvsMap = ["map", [Atom, Atom][]];
/** Any column value. */
export type Value = Atom | OvsSet | OvsMap;
/** A row, column name → value. */
export type Row = { [column: string]: Value };

/** `["set", atoms]`. */
export function set(atoms: readonly Atom[]): OvsSet {
  return ["set", [...atoms]];
}

/** `["map", [[k, v], ...]]` from a plain record. */
export function map(record: Readonly<Record<string, Atom>>): OvsMap {
  return ["map", Object.entries(record).map(([k, v]): [Atom, Atom] => [k, v])];
}

/** `["uuid", s]`. */
export function uuid(s: string): UuidAtom {
  return ["uuid", s];
}

/** `["named-uuid", s]`; `s` must match `[_a-zA-Z][_a-zA-Z0-9]*`. */
export function namedUuid(s: string): NamedUuidAtom {
  if (!/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(s)) throw new TypeError(`invalid OVSDB uuid-name: ${s}`);
  return ["named-uuid", s];
}

/** An optional column (`min: 0, max: 1`): the atom, or the empty set for "none". */
export function optional(atom: Atom | null | undefined): Atom | OvsSet {
  return atom === null || atom === undefined ? ["set", []] : atom;
}

/** The atoms of a set value (a bare atom is a one-element set). */
export function decodeSet(value: Value | undefined): Atom[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value[0] === "set") return [...(value as OvsSet)[1]];
  return [value as Atom];
}

/** The entries of a map value, keys stringified (own keys, whatever another tool wrote there). */
export function decodeMap(value: Value | undefined): Record<string, Atom> {
  const out: Record<string, Atom> = {};
  if (!Array.isArray(value) || value[0] !== "map") return out;
  for (const [k, v] of (value as OvsMap)[1]) setOwn(out, String(k), v);
  return out;
}

/** A string→string map (`external_ids`, `options`, `other_config`). */
export function decodeStringMap(value: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(decodeMap(value))) setOwn(out, k, String(v));
  return out;
}

/** The UUID string of a `["uuid", s]` value. */
export function decodeUuid(value: Value | undefined): string {
  if (Array.isArray(value) && value[0] === "uuid" && typeof value[1] === "string") return value[1];
  throw new TypeError(`not an OVSDB uuid: ${JSON.stringify(value)}`);
}

/** The value of an optional column, or undefined when it is the empty set. */
export function decodeOptional(value: Value | undefined): Atom | undefined {
  const atoms = decodeSet(value);
  return atoms[0];
}
