/**
 * The controller's record of a lab spread over several machines (`<state>/multi/<lab>.json`): the
 * whole topology, the machines it runs on and how to reach them, and where the lab is in its life.
 * Written before any machine changes anything, so `down LAB` from this machine can remove the lab
 * from every machine even after the `up` that made it was killed. Each machine keeps its own record
 * of its part, as for any lab.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NslabError } from "../errors.js";
import { checkName } from "../model/names.js";
import type { Topology } from "../model/types.js";
import { checkFile, removeFile, stateDir, stateRoot, writeFileAtomic } from "./dir.js";

/** A machine of a recorded lab. */
export interface MultiHost {
  name: string;
  ssh: string;
  nslab: string[];
  /** Its part was removed (by a `down` that could not reach every machine). */
  done?: true;
}

/** Where a multi-machine lab is in its life. */
export type MultiStatus =
  | "applying" // `up` is (or was, if its process died) bringing the parts up
  | "up"
  | "dirty" // a rollback or a `down` left parts on machines it could not reach
  | "destroying";

/** The controller's record of a multi-machine lab. */
export interface MultiLabState {
  version: 1;
  kind: "multi";
  lab: string;
  status: MultiStatus;
  /** The whole lab, as resolved (every node with its host). */
  topology: Topology;
  /** The machines with a part of the lab. */
  hosts: MultiHost[];
  /** The ssh configuration file every call uses (`ssh -F`), if the lab names one. */
  sshConfig?: string;
  /** The tunnels between machines, as planned: `node:iface` of each end, VNI, inner MTU. */
  tunnels: { a: string; b: string; aHost: string; bHost: string; vni: number; mtu: number }[];
  pid: number;
  createdAt: string;
  updatedAt: string;
  problem?: { message: string; fix: string };
}

/** The record's path (reading it creates no directory: most machines control no such lab). */
function file(lab: string): string {
  return join(stateRoot(), "multi", `${lab}.json`);
}

/** Save (atomically) the record. */
export function saveMultiLab(state: MultiLabState): void {
  writeFileAtomic(
    join(stateDir("multi"), `${state.lab}.json`),
    `${JSON.stringify({ ...state, pid: process.pid, updatedAt: new Date().toISOString() }, null, 1)}\n`,
  );
}

/** The record of multi-machine lab `lab` on this machine, or undefined. */
export function readMultiLab(lab: string): MultiLabState | undefined {
  if (checkName(lab, "lab") !== undefined) return undefined;
  const path = file(lab);
  if (!checkFile(path)) return undefined;
  let state: MultiLabState;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as MultiLabState;
  } catch (e) {
    throw new NslabError("E_STATE", `the state file ${path} is corrupt: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (state.version !== 1 || state.kind !== "multi" || state.lab !== lab)
    throw new NslabError("E_STATE", `the state file ${path} is not a record of multi-machine lab '${lab}'`);
  const bad = state.hosts.find((h) => checkName(h.name, "node") !== undefined || h.ssh.startsWith("-"));
  if (bad)
    throw new NslabError(
      "E_STATE",
      `the state file ${path} holds an invalid machine '${bad.name}'; refusing to use it`,
    );
  return state;
}

/** Whether this machine controls a multi-machine lab named `lab` (one stat, no parsing). */
export function isMultiLab(lab: string): boolean {
  if (checkName(lab, "lab") !== undefined) return false;
  try {
    return checkFile(file(lab));
  } catch {
    return true; // there is something: reading it will say what is wrong
  }
}

/**
 * Forget the record. The directory stays, as `labs/` does: removed when it was left empty, it went
 * under another lab's record being written (between making the directory and the file in it).
 */
export function removeMultiLab(lab: string): void {
  removeFile(file(lab));
}

/** Names of every multi-machine lab recorded here. */
export function listMultiLabs(): string[] {
  let names: string[];
  try {
    names = readdirSync(join(stateRoot(), "multi"));
  } catch {
    return [];
  }
  return names
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}
