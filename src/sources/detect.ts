/**
 * Which format a topology file is in, from its name and the text already read: containerlab by
 * name (`*.clab.yml`, `*.clab.yaml`) or by content (a top-level `topology:` and no top-level
 * `nodes:`); nslab's own otherwise. A new format adds its test here and an adapter beside.
 */

/** The formats a topology file can be in. */
export type SourceFormat = "nslab" | "clab";

/** Whether the file name says containerlab. */
export function isClabName(path: string): boolean {
  return /\.clab\.ya?ml$/i.test(path);
}

/** Whether YAML text looks like a containerlab topology rather than an nslab one. */
export function looksLikeClab(text: string): boolean {
  return /^topology\s*:/m.test(text) && !/^nodes\s*:/m.test(text);
}

/** The format of the file `path` whose text is `text`. */
export function detectFormat(path: string, text: string): SourceFormat {
  return isClabName(path) || looksLikeClab(text) ? "clab" : "nslab";
}
