/**
 * Where in the caller's code a call was made (`file`, 1-based `line` and `column`), read from a
 * stack trace: so a problem found later in what the call built (a topology builder's node, link,
 * address) points at the line that wrote it.
 */
import { fileURLToPath } from "node:url";

/** A place in a source file. */
export interface CallSite {
  file: string;
  line: number;
  column: number;
}

/** A function or a class (whose constructor was called). */
export type Callee = ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);

/** The place that called `fn` (the frame right above it), or undefined when the stack does not say. */
export function callSite(fn: Callee): CallSite | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  try {
    Error.captureStackTrace(holder, fn);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const frame = holder.stack?.split("\n")[1];
  const m = frame?.match(/\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/);
  if (!m) return undefined;
  const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
  return { file, line: Number(m[2]), column: Number(m[3]) };
}
