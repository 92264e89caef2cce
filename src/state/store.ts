/**
 * The per-lab state record: what a lab is (its resolved topology) and what it owns in the kernel.
 * Written before anything is created (the intent), updated as it goes, removed after `down`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NslabError } from "../errors.js";
import { checkName, firstBadName, type NameRole } from "../model/names.js";
import type { Topology } from "../model/types.js";
import type { HostDevice } from "../plan/host-devices.js";
import { checkFile, removeFile, removeStaleTemps, staleTemps, stateDir, writeFileAtomic } from "./dir.js";
import {
  clearViewLeftovers,
  fileKey,
  type KernelNames,
  kernelNames,
  readView,
  removeView,
  VIEW_FROM_BYTES,
  writeView,
} from "./view.js";

/** A kernel/OVS object a lab owns. Things inside an owned namespace are owned through it. */
export type OwnedObject =
  | { kind: "netns"; name: string }
  | { kind: "link"; name: string } // in the root namespace: a bridge or a root-side veth end
  | { kind: "ovs-bridge"; name: string }
  /** The lab's private file system (a tmpfs named nslab-LAB; `name`: where it is mounted). */
  | { kind: "labfs"; name: string }
  /** /etc/netns/NS/hosts, iproute2's per-namespace /etc entry (`name`: the namespace). */
  | { kind: "etc-netns"; name: string }
  /**
   * The lab's part of the host's firewall (name: the lab): its tables `nslab-LAB` and its accept
   * rules in other tables' chains, all found by name and comment `nslab:LAB` when removed.
   */
  | { kind: "firewall"; name: string }
  /**
   * A host interface the lab borrowed (moved into node namespace `ns`, called `inside` there), and
   * how it was before (`saved`), to give it back as it was. Without `saved` (found by its marker,
   * the record lost) it is given back by name only.
   */
  | { kind: "phys"; name: string; ns?: string; inside?: string; saved?: HostDevice; restoreMac?: true };

/** Life cycle of a lab record. */
export type LabStatus =
  | "deploying" // `up` is (or was, if its process died) creating things
  | "up" // complete
  | "updating" // `up` is (or was) changing a running lab to an edited topology
  | "dirty" // a rollback or teardown failed; `down` finishes it
  | "destroying"; // `down` is (or was) removing things

/** What nslab remembers about one lab. */
export interface LabState {
  version: 1;
  lab: string;
  status: LabStatus;
  topology: Topology;
  /** Everything the lab owns (while deploying: everything it is about to create). */
  owned: OwnedObject[];
  /** The lab has OVS bridges (it keeps OVS daemons that nslab started alive). */
  usesOvs: boolean;
  /**
   * Shared host settings the lab holds (sysctl keys, e.g. `net/ipv4/conf/eth0/forwarding` for a
   * NAT uplink): restored by the last lab holding them (engine/services/forwarding.ts).
   */
  hostSettings?: string[];
  /** The uplink of each NAT node (node → host device), as resolved when the lab came up. */
  natUplinks?: Record<string, string>;
  /** The process that last wrote this record. */
  pid: number;
  createdAt: string;
  updatedAt: string;
  /** Why the lab is dirty, and the command that finishes the cleanup. */
  problem?: { message: string; fix: string };
}

export const STATE_VERSION = 1;

function labFile(lab: string): string {
  return join(stateDir("labs"), `${lab}.json`);
}

/** Save (atomically) the record of a lab; `beforeRename` runs with the temp file written (tests). */
export function saveLab(state: LabState, options: { beforeRename?: () => void } = {}): void {
  const now = new Date().toISOString();
  const saved = { ...state, pid: process.pid, updatedAt: now };
  const text = `${JSON.stringify(saved, null, 1)}\n`;
  const file = labFile(state.lab);
  writeFileAtomic(file, text, options);
  // A big lab's view for observation (a view of the previous record is simply ignored).
  const id = text.length >= VIEW_FROM_BYTES ? fileKey(file) : undefined;
  if (id) writeView(state.lab, id.key, saved);
}

/**
 * Remove what writers of lab `lab`'s record left when they died mid-write (`LAB.json.tmp.PID`).
 * Call it holding the lab's lock. Returns the files removed.
 */
export function clearLeftovers(lab: string): string[] {
  return [...removeStaleTemps(labFile(lab)), ...clearViewLeftovers(lab)];
}

/** Labs whose record a dead writer left half-written (a temp file and maybe no record). */
export function labsWithLeftovers(): string[] {
  return staleTemps(stateDir("labs")).flatMap((t) =>
    t.target.endsWith(".json") ? [t.target.slice(0, -5)] : [],
  );
}

/** The record of `lab`, or undefined when there is none. */
export function readLab(lab: string): LabState | undefined {
  const file = labFile(lab);
  if (!checkFile(file)) return undefined;
  let state: LabState;
  try {
    state = JSON.parse(readFileSync(file, "utf8")) as LabState;
  } catch (e) {
    throw new NslabError("E_STATE", `the state file ${file} is corrupt: ${(e as Error).message}`, {
      hint: `'nslab down --all' still finds the lab's objects by their ownership markers`,
      cause: e,
    });
  }
  return checkedRecord(state, lab, file);
}

/** A record as read, with the identity of its file then (undefined: none, or it changed meanwhile). */
export interface KeyedRecord {
  state: LabState | undefined;
  key: string | undefined;
}

/**
 * The record of `lab` (as {@link readLab}) and the identity of the file it was read from, for
 * {@link readLabAgain}: a command that reads a record early, then again under the lab's lock, parses
 * it once when nothing replaced it in between (a 10,000-host record takes half a second).
 */
export function readLabKeyed(lab: string): KeyedRecord {
  const key = fileKey(labFile(lab))?.key;
  const state = readLab(lab);
  // Replaced while it was read: no identity, so that it is read again.
  return { state, key: state && key === fileKey(labFile(lab))?.key ? key : undefined };
}

/** The record of `lab` now: `before` when its file is still the one it was read from, else read again. */
export function readLabAgain(lab: string, before: KeyedRecord | undefined): KeyedRecord {
  if (before?.key !== undefined && fileKey(labFile(lab))?.key === before.key) return before;
  return readLabKeyed(lab);
}

/** `state` read from `file` as lab `lab`'s record, checked (E_STATE when it cannot be one). */
function checkedRecord(state: LabState, lab: string, file: string, names = true): LabState {
  if (state.version !== STATE_VERSION || state.lab !== lab)
    throw new NslabError(
      "E_STATE",
      `the state file ${file} is not a version ${STATE_VERSION} record of lab '${lab}'`,
    );
  // Names from a record reach `ip` as arguments: re-check them as strictly as when they were planned.
  if (!names) return state;
  const bad = recordNames(state).find(([name, role]) => checkName(name, role) !== undefined);
  if (bad)
    throw new NslabError(
      "E_STATE",
      `the state file ${file} holds an invalid ${bad[1]} name '${bad[0]}'; refusing to use it`,
      {
        hint: "it was not written by nslab; inspect and remove it",
      },
    );
  return state;
}

function recordNames(state: LabState): [string, NameRole][] {
  const out: [string, NameRole][] = [];
  for (const n of state.topology?.nodes ?? []) {
    if (n.kind === "netns") out.push([n.netns, "netns"]);
    else out.push([n.ifname, "bridge"]);
    // A namespace's own `lo` (it takes loopback addresses) is the one name checkName refuses on purpose.
    for (const i of n.interfaces ?? [])
      if (!(n.kind === "netns" && i.name === "lo" && i.ifname === "lo")) out.push([i.ifname, "interface"]);
  }
  for (const o of state.owned ?? []) {
    if (o.kind === "labfs") continue;
    out.push([
      o.name,
      o.kind === "netns" || o.kind === "etc-netns" ? "netns" : o.kind === "firewall" ? "lab" : "interface",
    ]);
    if (o.kind === "phys") {
      if (o.ns !== undefined) out.push([o.ns, "netns"]);
      if (o.inside !== undefined) out.push([o.inside, "interface"]);
    }
  }
  for (const key of state.hostSettings ?? []) {
    const dev = key.match(/^net\/ipv4\/conf\/([^/]+)\/forwarding$/)?.[1];
    out.push([dev ?? key, "interface"]);
  }
  return out;
}

/** Forget a lab. */
export function removeLab(lab: string): void {
  removeFile(labFile(lab));
  removeView(lab);
}

/** Names of every lab with a record. */
export function listLabs(): string[] {
  const dir = stateDir("labs");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A fresh record for a lab about to be deployed. */
export function newLabState(topology: Topology, owned: OwnedObject[]): LabState {
  const now = new Date().toISOString();
  return {
    version: STATE_VERSION,
    lab: topology.name,
    status: "deploying",
    topology,
    owned,
    usesOvs: topology.nodes.some((n) => n.kind === "ovs-bridge"),
    pid: process.pid,
    createdAt: now,
    updatedAt: now,
  };
}

/** What observing a lab reads first, the kernel names of its nodes; its record parsed when asked for. */
export interface ObservedRecord {
  names: KernelNames;
  record(): Readonly<LabState>;
}

/** Records read for observation, by lab, with the identity of the file they were read from. */
const shared = new Map<string, { key: string; observed: ObservedRecord }>();

/**
 * The record of lab `lab`, for reading only: the same object as long as its file is the same one
 * (records are replaced by rename, so a change is a new inode; chmod changes its ctime). The web
 * view observes a lab every second, and `status` of one lab reads nothing else: a big record
 * (see state/view.ts) is read from its view, without the topology's source positions (`src`, `at`),
 * which a 10,000-host record spends 13 of its 17 MB on — parsed, the record alone took a third of a
 * second — and the kernel names of its nodes come first, so that reading the kernel can start
 * while the record is parsed. Callers must not modify what it returns.
 */
export function readLabForObservation(lab: string): ObservedRecord | undefined {
  const file = labFile(lab);
  const id = fileKey(file);
  if (!id) {
    shared.delete(lab);
    return whole(readLab(lab));
  }
  const hit = shared.get(lab);
  if (hit?.key === id.key) return hit.observed;
  let observed: ObservedRecord | undefined;
  if (id.size >= VIEW_FROM_BYTES && checkFile(file)) {
    const view = readView<LabState>(lab, id.key);
    if (view) {
      // The names observing passes to the kernel (the agent's requests) are these: checked here; the
      // record that follows is for reading only (checking its 40,000 names of 10,000 hosts again
      // cost a tenth of a second).
      const bad = firstBadName(view.names.netns, "netns") ?? firstBadName(view.names.rootLinks, "interface");
      if (bad)
        throw new NslabError("E_STATE", `the view of ${file} holds an invalid name: ${bad.why}`, {
          hint: "it was not written by nslab; remove it (it is made again from the record)",
        });
      let state: LabState | undefined;
      observed = {
        names: view.names,
        record: () => {
          // A view whose record part cannot be read: the record itself.
          state ??= (() => {
            const r = view.record();
            return r ? checkedRecord(r, lab, file, false) : recordOf(lab, file);
          })();
          return state;
        },
      };
    }
  }
  if (!observed) {
    const state = readLab(lab);
    if (state && id.size >= VIEW_FROM_BYTES) writeView(lab, id.key, state);
    observed = whole(state);
  }
  if (observed) shared.set(lab, { key: id.key, observed });
  else shared.delete(lab);
  return observed;
}

function whole(state: LabState | undefined): ObservedRecord | undefined {
  return state && { names: kernelNames(state.topology), record: () => state };
}

function recordOf(lab: string, file: string): LabState {
  const state = readLab(lab);
  if (!state) throw new NslabError("E_STATE", `the state file ${file} is gone`);
  return state;
}

/** The record of lab `lab` for reading only (see {@link readLabForObservation}). */
export function readLabShared(lab: string): Readonly<LabState> | undefined {
  return readLabForObservation(lab)?.record();
}

/**
 * The namespaces the records of labs other than `except` name as their nodes (a lab's `up` refuses
 * a name that exists, so none of them holds another lab's marker): what finding a lab by its markers
 * (`down` of a lab without a record) need not read. A big record's names come from the first line
 * of its view: beside a 10,000-host lab, reading and parsing its record took ~0.4 s of `down` of a
 * lab that is not up. A record that cannot be read names none.
 */
export function recordedNamespaces(except?: string): Set<string> {
  const out = new Set<string>();
  for (const lab of listLabs()) {
    if (lab === except) continue;
    let names: readonly string[];
    try {
      names = readLabForObservation(lab)?.names.netns ?? [];
    } catch {
      continue;
    }
    for (const ns of names) out.add(ns);
  }
  return out;
}
