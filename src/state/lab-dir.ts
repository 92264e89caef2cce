/**
 * A lab's run-time directory beside its record (<state>/labs/LAB/): its service supervisor's spec,
 * status and PID file, and the services' logs (logs/NODE.SERVICE.log). Removed with the lab.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stateDir, stateRoot } from "./dir.js";

/** The lab's directory, created (0700) when `create`. */
export function labDir(lab: string, create = false): string {
  if (create) {
    const dir = stateDir("labs", lab);
    mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
    return dir;
  }
  return join(stateRoot(), "labs", lab);
}

/** Where a service's log is. */
export function serviceLog(lab: string, node: string, service: string): string {
  return join(labDir(lab), "logs", `${node}.${service}.log`);
}

/** Remove the lab's directory (its logs too). */
export function removeLabDir(lab: string): void {
  rmSync(labDir(lab), { recursive: true, force: true });
}
