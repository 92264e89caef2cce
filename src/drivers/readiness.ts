/**
 * Whether a service is ready, checked from the host without entering the node: a TCP port listening
 * or a UDP port bound in the service's network namespace (/proc/PID/net/*, which shows the socket
 * table of PID's namespace), a path existing in its mount namespace (/proc/PID/root/PATH), or a
 * command run in the node exiting 0.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Readiness } from "../model/env-types.js";
import type { Runner } from "./runner/index.js";

/** Sockets of `pid`'s namespace in state `st` (hex: 0A = TCP LISTEN, 07 = UDP bound) on `port`. */
function hasSocket(pid: number, files: string[], port: number, st: string): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${f}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[3] === st && cols[1]!.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

/**
 * Whether the service whose process is `pid` is ready by `ready`; `inNode` builds the argv that
 * runs a command in its node (for `command` checks).
 */
export async function isReady(
  ready: Readiness,
  pid: number,
  inNode: (argv: readonly string[]) => string[],
  runner: Runner,
): Promise<boolean> {
  switch (ready.kind) {
    case "tcp":
      return hasSocket(pid, ["tcp", "tcp6"], ready.port, "0A");
    case "udp":
      return hasSocket(pid, ["udp", "udp6"], ready.port, "07");
    case "file":
      return existsSync(`/proc/${pid}/root${ready.path}`);
    case "command": {
      const r = await runner.run(inNode(ready.command), { allowFailure: true, timeoutMs: 10_000 });
      return r.exitCode === 0;
    }
    case "started":
      return true;
  }
}
