/** Whether two topologies describe the same lab (ignoring where in a file things were written). */
import type { Topology } from "../model/types.js";

/** A canonical string of what a topology builds (expectations check a lab; they build nothing). */
export function fingerprint(t: Topology): string {
  return JSON.stringify({ ...t, expect: undefined }, (k, v) => (k === "src" || k === "file" ? undefined : v));
}

export function sameTopology(a: Topology, b: Topology): boolean {
  return fingerprint(a) === fingerprint(b);
}
