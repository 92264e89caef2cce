/**
 * The one place kernel and lab names are checked. Interface names must fit IFNAMSIZ (16 bytes
 * with the terminating NUL, so 15 usable), namespace names become files under /run/netns, lab
 * names become files under /run/nslab. Everything is restricted to a conservative ASCII set so
 * a name can never be read as an option, a path or a shell word.
 */

/** Longest interface name the kernel accepts (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;
/** Longest namespace name nslab accepts (the kernel allows a file name; we keep it readable). */
export const NETNS_MAX = 64;
/** Longest lab name (it appears in markers, state file names and interface aliases). */
export const LAB_MAX = 48;

/** Names that mean something else to the kernel or to `ip`/`sysctl` and cannot be ours. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "lo",
  "all",
  "default",
  "none",
  "bonding_masters",
]);

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** What a name is used as; decides its length limit and wording in errors. */
export type NameRole = "lab" | "node" | "netns" | "interface" | "bridge";

/**
 * Why `name` cannot be used as a `role`, or undefined when it can. The message says what is wrong
 * and what is allowed, so it can be shown to the user as is.
 */
export function checkName(name: string, role: NameRole): string | undefined {
  const what = role === "netns" ? "namespace name" : role === "lab" ? "lab name" : `${role} name`;
  if (name.length === 0) return `${what} is empty`;
  const bytes = Buffer.byteLength(name, "utf8");
  const max = role === "interface" || role === "bridge" ? IFNAME_MAX : role === "lab" ? LAB_MAX : NETNS_MAX;
  if (!NAME_RE.test(name)) {
    const bad = describeBadCharacter(name);
    return `${what} '${printable(name)}' ${bad}; use letters, digits, '_', '.' and '-', starting with a letter or digit`;
  }
  if (bytes > max) {
    const kernel = role === "interface" || role === "bridge" ? " (the kernel's IFNAMSIZ limit)" : "";
    return `${what} '${name}' is ${bytes} bytes long; at most ${max}${kernel}`;
  }
  if (name === "." || name === "..") return `${what} '${name}' is not allowed`;
  if (RESERVED_NAMES.has(name)) return `${what} '${name}' is reserved by the kernel or iproute2`;
  return undefined;
}

/**
 * The first of `names` that cannot be used as a `role`, with why ({@link checkName}), or undefined.
 * For the thousands of names of a big lab's view: a name that passes the quick test (the pattern,
 * the length of its ASCII, not reserved) is not looked at further.
 */
export function firstBadName(
  names: readonly string[],
  role: NameRole,
): { name: string; why: string } | undefined {
  const max = role === "interface" || role === "bridge" ? IFNAME_MAX : role === "lab" ? LAB_MAX : NETNS_MAX;
  for (const name of names) {
    if (name.length <= max && NAME_RE.test(name) && !RESERVED_NAMES.has(name)) continue;
    const why = checkName(name, role);
    if (why !== undefined) return { name, why };
  }
  return undefined;
}

function describeBadCharacter(name: string): string {
  if (name.startsWith("-")) return "starts with '-' (it would be read as an option)";
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return `contains a control character (U+${hex(code)})`;
    if (code > 0x7e) return `contains a non-ASCII character '${ch}' (U+${hex(code)})`;
    if (ch === " ") return "contains a space";
    if (ch === "/") return "contains '/'";
    if (ch === ":") return "contains ':' (it separates node and interface in endpoints)";
    if (!/[A-Za-z0-9_.-]/.test(ch)) return `contains '${ch}'`;
  }
  return "does not start with a letter or digit";
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, "0");
}

/** The name with control characters made visible, for error messages. */
export function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
