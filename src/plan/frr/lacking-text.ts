/** What routers still lack, in words for `up --wait` and its timeout error. Pure. */
import type { Lacking } from "./converge.js";

/** One line per router that has not converged (the first `max` of them), and how many more. */
export function describeLacking(list: readonly Lacking[], max = 10): string[] {
  const out = list.slice(0, max).map((l) => {
    if (l.error) return `${l.node}: ${l.error}`;
    const parts: string[] = [];
    if (l.neighbors.length > 0) parts.push(`sessions not up: ${clip(l.neighbors, 4)}`);
    if (l.routes.length > 0) parts.push(`no route to ${clip(l.routes, 4)}`);
    return `${l.node}: ${parts.join("; ")}`;
  });
  if (list.length > max)
    out.push(`… and ${list.length - max} more router${list.length - max === 1 ? "" : "s"}`);
  return out;
}

function clip(items: readonly string[], n: number): string {
  return `${items.slice(0, n).join(", ")}${items.length > n ? ` (+${items.length - n} more)` : ""}`;
}
