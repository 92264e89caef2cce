/**
 * A big lab's record without its source positions, kept for observation in `STATE/views/LAB.json`:
 * `status` and the web view read it instead of the record, three quarters of whose bulk (of 17 MB
 * for 10,000 hosts) says where in its file each object was written — which observing never needs.
 * A view names the record file it was taken from (device, inode, size, modification and change
 * times; records are replaced by rename): a view of any other file is ignored. It is written with
 * the record, or by the first reader of a big record without one (a record of an older nslab).
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Topology } from "../model/types.js";
import { checkFile, removeFile, stateDir, writeFileAtomic } from "./dir.js";

/** What a view is kept of: a lab's record (store.ts's LabState). */
interface Recorded {
  topology: Topology;
}

/** Records at least this big (bytes) get a view; smaller ones are read whole, as cheaply. */
export const VIEW_FROM_BYTES = 1 << 20;
const VIEW_VERSION = 1;

/** The identity of a file as its view records it, and its size; undefined when it does not exist. */
export function fileKey(path: string): { key: string; size: number } | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return { key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`, size: Number(s.size) };
  } catch {
    return undefined;
  }
}

function viewFile(lab: string): string {
  return join(stateDir("views"), `${lab}.json`);
}

/** Source positions (`src`, `at`: where something was written), left out of a view. */
function withoutPositions(key: string, value: unknown): unknown {
  return (key === "src" || key === "at") && typeof value === "object" ? undefined : value;
}

/** The text of the view of `state` (a record whose file has identity `key`). Pure. */
export function viewText(state: Recorded, key: string): string {
  const { topology, ...rest } = state;
  return `{"version":${VIEW_VERSION},"key":${JSON.stringify(key)},"topology":${JSON.stringify(topology, withoutPositions)},"record":${JSON.stringify(rest)}}\n`;
}

/** The record a view's text holds, when it is a view of the file with identity `key`. Pure. */
export function parseView<T extends Recorded>(text: string, key: string): T | undefined {
  let v: { version?: unknown; key?: unknown; topology?: Topology; record?: Omit<T, "topology"> };
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return undefined;
  }
  if (v.version !== VIEW_VERSION || v.key !== key || !v.topology || !v.record) return undefined;
  return { ...v.record, topology: v.topology } as T;
}

/** The view of lab `lab`'s record file with identity `key`, if one was kept. */
export function readView<T extends Recorded>(lab: string, key: string): T | undefined {
  const file = viewFile(lab);
  try {
    if (!checkFile(file)) return undefined;
    return parseView<T>(readFileSync(file, "utf8"), key);
  } catch {
    return undefined;
  }
}

/** Keep the view of `state`, read from (or just written to) the record file with identity `key`. */
export function writeView(lab: string, key: string, state: Recorded): void {
  try {
    writeFileAtomic(viewFile(lab), viewText(state, key));
  } catch {
    // Only a cache: the next reader reads the record.
  }
}

/** Forget lab `lab`'s view. */
export function removeView(lab: string): void {
  removeFile(viewFile(lab));
}
