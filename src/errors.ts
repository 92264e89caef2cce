/**
 * The error types every part of nslab throws: one base class with a stable code, a hint on what
 * to do, an optional place in a topology file, and the underlying cause.
 */

/** A place in a topology file: 1-based line and column, plus the field path inside the document. */
export interface SourceLocation {
  /** The file as given (`<string>` for YAML text, `<object>` for topologies built in code). */
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `["nodes", "ns1", "interfaces", "veth0", "addresses", 0]`. */
  path: ReadonlyArray<string | number>;
}

/** Stable error codes; scripts may match on them. */
export type ErrorCode =
  | "E_FILE" // the topology file cannot be read (missing, too big, not a file)
  | "E_TOPOLOGY" // the topology is invalid (see TopologyError.problems)
  | "E_USAGE" // the command line is wrong
  | "E_ENV" // the host lacks something (root, a binary, a daemon, a kernel feature)
  | "E_CONFLICT" // a name nslab needs is already taken by something that is not this lab's
  | "E_LOCKED" // another nslab process holds the lab
  | "E_NOT_FOUND" // no such lab / node / interface
  | "E_COMMAND" // an external command failed
  | "E_APPLY" // an operation of a plan failed while applying it
  | "E_ROLLBACK" // undoing a failed `up` failed too; the lab is marked dirty
  | "E_OVSDB" // the OVSDB server refused a request
  | "E_INTERRUPTED" // SIGINT/SIGTERM arrived; what was done has been undone
  | "E_STATE" // the state directory is unsafe or a state file is corrupt
  | "E_VERIFY" // a check (ping, expectation) failed
  | "E_SERVICE" // a service of a node did not start or get ready
  | "E_REMOTE" // another machine of a multi-machine lab failed (the message names it)
  | "E_UNREACHABLE"; // another machine of a multi-machine lab cannot be reached over ssh

/** Base class for every error nslab throws on purpose. */
export class NslabError extends Error {
  override name = "NslabError";
  /** What kind of failure this is; stable, for code to match on. */
  readonly code: ErrorCode;
  /** What the user can do about it, in one sentence. */
  readonly hint: string | undefined;
  /** Where in a topology the problem is (topology errors, and failed operations of a plan). */
  readonly location: SourceLocation | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; location?: SourceLocation; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** One thing wrong with a topology. */
export interface Problem {
  message: string;
  /** Where: `file:line:col` and the field path (line 0 for topologies built in code). */
  location: SourceLocation | undefined;
  /** What to do about it, e.g. "did you mean 'kind'?". */
  hint?: string;
}

/** A topology that failed validation; carries every problem found, not just the first. */
export class TopologyError extends NslabError {
  override name = "TopologyError";
  /** Every problem found, in file order; `location` is the first one's. */
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    super("E_TOPOLOGY", `${first ? formatProblem(first) : "invalid topology"}${more}`, {
      location: first?.location,
    });
    this.problems = problems;
  }
}

/** `file:line:col: message (at a.b[0])` — the form editors and terminals make clickable. */
export function formatProblem(p: Problem): string {
  const where = p.location ? `${formatLocation(p.location)}: ` : "";
  const hint = p.hint ? ` — ${p.hint}` : "";
  return `${where}${p.message}${hint}`;
}

/** `file:line:col (path)`; line 0 means "no position known" (a topology built in code). */
export function formatLocation(loc: SourceLocation): string {
  const path = formatPath(loc.path);
  const where = loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}` : loc.file;
  return `${where}${path ? ` (${path})` : ""}`;
}

/** `["nodes","ns1","interfaces",0]` → `nodes.ns1.interfaces[0]`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
