/** A plan printed for people (a runnable shell script) or for machines (JSON). */

import { formatLocation } from "../errors.js";
import { formatArgv } from "../util/quote.js";
import { commandArgv, opCommands } from "./commands.js";
import type { Op } from "./ops.js";

/** The plan as a POSIX shell script of `ip`/`ovs-vsctl` lines, commented with where each came from. */
export function renderShell(
  ops: readonly Op[],
  options: { lab: string; title?: string; notes?: readonly string[]; after?: readonly string[] },
): string {
  const out = ["#!/bin/sh", `# ${options.title ?? `nslab plan for lab '${options.lab}'`}`];
  if (options.notes && options.notes.length > 0) out.push("#", ...options.notes.map((n) => `# ${n}`), "#");
  out.push("set -e");
  if (ops.some((o) => o.op.startsWith("ovs.")))
    out.push("# needs ovsdb-server and ovs-vswitchd running (nslab up starts them)");
  let lastSrc = "";
  for (const op of ops) {
    const src = op.src ? formatLocation(op.src) : "";
    if (src && src !== lastSrc) out.push("", `# ${src}`);
    lastSrc = src || lastSrc;
    for (const c of opCommands(op)) out.push(formatArgv(commandArgv(c)));
  }
  // What follows the operations (FRR's daemons and configurations), as comments.
  if (options.after && options.after.length > 0)
    out.push("", ...options.after.map((n) => (n === "" ? "#" : `# ${n}`)));
  return `${out.join("\n")}\n`;
}

/** The plan as JSON: one object per operation, numbered from 1 as in error messages. */
export function renderJson(
  ops: readonly Op[],
  options: { lab: string; extra?: Record<string, unknown> },
): string {
  return `${JSON.stringify({ lab: options.lab, operations: ops.map((op, i) => ({ n: i + 1, ...op })), ...options.extra }, null, 2)}\n`;
}
