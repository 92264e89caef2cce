/**
 * Scalars of the fast YAML reader (yaml-fast.ts): plain ones resolved as the yaml library's core
 * schema resolves them, quoted ones on one line, and the way the reader declines what it leaves to
 * the library.
 */

/** Thrown (and caught in parseSimpleYaml) at anything this reader leaves to the yaml library. */
export const DECLINE = Symbol("decline");
export const decline = (): never => {
  throw DECLINE;
};

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Octal, hexadecimal, infinities and NaN: numbers the core schema reads that this reader leaves alone. */
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** A plain scalar as the core schema resolves it. */
export function plainValue(s: string): unknown {
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (INT.test(s)) return parseInt(s, 10);
  if (FLOAT.test(s)) return parseFloat(s);
  if (OTHER_NUMBER.test(s)) decline();
  return s;
}

/** A quoted scalar starting at l[c], closed on the same line: its value and the column after it. */
export function quoted(l: string, c: number): { value: string; end: number } {
  const q = l[c]!;
  let out = "";
  let k = c + 1;
  for (;;) {
    const e = l.indexOf(q === '"' ? '"' : "'", k);
    if (q === "'") {
      if (e < 0) decline();
      out += l.slice(k, e);
      if (l[e + 1] === "'") {
        out += "'";
        k = e + 2;
        continue;
      }
      return { value: out, end: e + 1 };
    }
    const b = l.indexOf("\\", k);
    if (b >= 0 && (e < 0 || b < e)) {
      out += l.slice(k, b) + unescape1(l, b);
      k = b + (l[b + 1] === "u" ? 6 : 2);
      continue;
    }
    if (e < 0) decline();
    out += l.slice(k, e);
    return { value: out, end: e + 1 };
  }
}

/** The escape at l[b] (a backslash) in a double-quoted scalar: the common ones only. */
function unescape1(l: string, b: number): string {
  const x = l[b + 1];
  switch (x) {
    case "\\":
    case '"':
    case "/":
      return x;
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "r":
      return "\r";
    case "u": {
      const hex = l.slice(b + 2, b + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) decline();
      const code = parseInt(hex, 16);
      if (code >= 0xd800 && code <= 0xdfff) decline();
      return String.fromCharCode(code);
    }
    default:
      return decline();
  }
}
