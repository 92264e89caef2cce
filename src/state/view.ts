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
import { checkFile, removeFile, removeStaleTemps, stateDir, stateRoot, writeFileAtomic } from "./dir.js";

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

/** Where lab `lab`'s view is; `make`: the directory made (and secured) for writing it. */
function viewFile(lab: string, make = false): string {
  return join(make ? stateDir("views") : join(stateRoot(), "views"), `${lab}.json`);
}

/** Source positions (`src`, `at`: where something was written), left out of a view. */
function withoutPositions(key: string, value: unknown): unknown {
  return (key === "src" || key === "at") && typeof value === "object" ? undefined : value;
}

/**
 * The kernel objects a lab's nodes are, as observing reads them: its namespaces, and in the root
 * namespace its bridges and their ports (OVS bridges and theirs too). Pure.
 */
export interface KernelNames {
  netns: string[];
  rootLinks: string[];
}

export function kernelNames(t: Topology): KernelNames {
  const netns: string[] = [];
  const rootLinks: string[] = [];
  for (const n of t.nodes)
    if (n.kind === "netns") netns.push(n.netns);
    else rootLinks.push(n.ifname, ...n.interfaces.map((i) => i.ifname));
  return { netns, rootLinks };
}

/**
 * The text of the view of `state` (a record whose file has identity `key`): a first line with the
 * kernel names of its nodes (read before the rest: observing can start reading the kernel while
 * the record is parsed), then the record. Pure.
 */
export function viewText(state: Recorded, key: string): string {
  const { topology, ...rest } = state;
  const head = { version: VIEW_VERSION, key, ...kernelNames(topology) };
  return `${JSON.stringify(head)}\n{"topology":${JSON.stringify(topology, withoutPositions)},"record":${JSON.stringify(rest)}}\n`;
}

/** A view read: the kernel names of its nodes, and its record, parsed when first asked for. */
export interface ViewOf<T> {
  names: KernelNames;
  record(): T | undefined;
}

/**
 * A view's text (or its bytes, as read), when it is a view of the file with identity `key`. Pure.
 * Only the first line is decoded and parsed here: the rest waits for `record()`, so that the kernel
 * names are in hand (and the kernel being read) before the bulk of the view is even decoded.
 */
export function parseViewHead<T extends Recorded>(text: string | Buffer, key: string): ViewOf<T> | undefined {
  const nl = text.indexOf("\n");
  const first =
    typeof text === "string"
      ? text.slice(0, nl < 0 ? undefined : nl)
      : text.toString("utf8", 0, nl < 0 ? undefined : nl);
  let head: { version?: unknown; key?: unknown; netns?: unknown; rootLinks?: unknown };
  try {
    head = JSON.parse(first) as typeof head;
  } catch {
    return undefined;
  }
  if (head.version !== VIEW_VERSION || head.key !== key) return undefined;
  if (!Array.isArray(head.netns) || !Array.isArray(head.rootLinks) || nl < 0) return undefined;
  let body: T | undefined | null = null;
  let source: string | Buffer | undefined = text; // let go of once parsed
  return {
    names: { netns: head.netns as string[], rootLinks: head.rootLinks as string[] },
    record: () => {
      if (body === null) {
        try {
          const rest = typeof source === "string" ? source.slice(nl + 1) : source?.toString("utf8", nl + 1);
          source = undefined;
          const v = JSON.parse(rest ?? "") as { topology?: Topology; record?: Omit<T, "topology"> };
          body = v.topology && v.record ? ({ ...v.record, topology: v.topology } as T) : undefined;
        } catch {
          body = undefined;
        }
      }
      return body;
    },
  };
}

/** The record a view's text holds, when it is a view of the file with identity `key`. Pure. */
export function parseView<T extends Recorded>(text: string, key: string): T | undefined {
  return parseViewHead<T>(text, key)?.record();
}

/** The view of lab `lab`'s record file with identity `key`, if one was kept (its record unparsed). */
export function readView<T extends Recorded>(lab: string, key: string): ViewOf<T> | undefined {
  const file = viewFile(lab);
  try {
    if (!checkFile(file)) return undefined;
    // Bytes: decoding the whole view (4.5 MB for 10,000 hosts) waits until its record is asked for.
    return parseViewHead<T>(readFileSync(file), key);
  } catch {
    return undefined;
  }
}

/** Keep the view of `state`, read from (or just written to) the record file with identity `key`. */
export function writeView(lab: string, key: string, state: Recorded): void {
  try {
    writeFileAtomic(viewFile(lab, true), viewText(state, key));
  } catch {
    // Only a cache: the next reader reads the record.
  }
}

/** Remove what writers of lab `lab`'s view left when they died mid-write (hold the lab's lock). */
export function clearViewLeftovers(lab: string): string[] {
  return removeStaleTemps(viewFile(lab));
}

/** Forget lab `lab`'s view. */
export function removeView(lab: string): void {
  removeFile(viewFile(lab));
}
