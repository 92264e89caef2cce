/**
 * Lists of names in messages: a lab of 10,000 nodes must not turn a hint into a page.
 */

/** `a, b, c`; past `max` names, the first `max` and how many more (`a, b, … and 9,998 more`). */
export function listSome(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")}, … and ${(names.length - max).toLocaleString("en-US")} more`;
}
