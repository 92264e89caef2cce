/**
 * The services of a lab as one dependency graph: `after:` references resolved to `node/service`
 * ids (a name alone means the same node), unknown ones reported with a suggestion, cycles reported
 * naming every service on them, and the order services start in. Pure.
 */
import type { Problem } from "../errors.js";
import { didYouMean } from "../sources/suggest.js";
import { type Service, serviceId } from "./env-types.js";
import type { Topology } from "./types.js";

/** Every service of the lab, in declaration order (nodes in file order, services in node order). */
export function labServices(t: Topology): Service[] {
  return t.nodes.flatMap((n) => (n.kind === "netns" ? (n.services ?? []) : []));
}

/**
 * Rewrite each service's `after` entries (`svc`, `node:svc` or `node/svc`) to ids, and report
 * references to nothing and cycles. Mutates the services of `t` (called while resolving).
 */
export function resolveServiceRefs(t: Topology): Problem[] {
  const problems: Problem[] = [];
  const services = labServices(t);
  const ids = new Set(services.map(serviceId));
  for (const s of services) {
    const resolved: string[] = [];
    s.after.forEach((ref, i) => {
      const where = s.at?.after?.[i] ?? s.src;
      const m = ref.match(/^([^:/]+)[:/]([^:/]+)$/);
      const id = m ? `${m[1]}/${m[2]}` : `${s.node}/${ref}`;
      if (!ids.has(id)) {
        const hint = didYouMean(id, ids);
        problems.push({
          message: `service '${serviceId(s)}' is after '${ref}', which is no service of this lab`,
          location: where,
          hint:
            hint ??
            `services are named 'service' (same node) or 'node:service'; this lab has: ${[...ids].join(", ") || "none"}`,
        });
        return;
      }
      if (!resolved.includes(id)) resolved.push(id);
    });
    s.after = resolved;
  }
  for (const cycle of findCycles(services))
    problems.push({
      message: `services wait for each other in a cycle: ${[...cycle, cycle[0]].join(" → ")}`,
      location: services.find((s) => serviceId(s) === cycle[0])?.src,
      hint: "remove one of these 'after' entries",
    });
  return problems;
}

/** Each distinct cycle of the `after` graph once, as the ids on it (starting from the first declared). */
export function findCycles(services: readonly Service[]): string[][] {
  const after = new Map(services.map((s) => [serviceId(s), s.after]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, "open");
    stack.push(id);
    for (const dep of after.get(id) ?? []) {
      if (!after.has(dep)) continue;
      if (state.get(dep) === "open") {
        const cycle = stack.slice(stack.indexOf(dep));
        const key = [...cycle].sort().join(" ");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const s of services) if (!state.has(serviceId(s))) visit(serviceId(s));
  return cycles;
}

/**
 * Services in the order they can start: each after everything it waits for, otherwise in
 * declaration order. Throws on a cycle (resolving reports cycles first, so plans never have one).
 */
export function startOrder(services: readonly Service[]): Service[] {
  const byId = new Map(services.map((s) => [serviceId(s), s]));
  const placed = new Set<string>();
  const out: Service[] = [];
  while (out.length < services.length) {
    const next = services.find(
      (s) => !placed.has(serviceId(s)) && s.after.every((d) => placed.has(d) || !byId.has(d)),
    );
    if (!next)
      throw new Error(
        `internal: services wait for each other in a cycle: ${findCycles(services)[0]?.join(" → ")}`,
      );
    placed.add(serviceId(next));
    out.push(next);
  }
  return out;
}

/** How the services of two versions of a lab differ, by id (`node/service`). */
export interface ServiceChanges {
  added: string[];
  removed: string[];
  /** Same id, another definition (command, readiness, order, restart, environment…). */
  changed: string[];
}

/** The services `after` adds, removes or defines differently from `before` (where they were written aside). */
export function serviceChanges(before: Topology, after: Topology): ServiceChanges {
  const def = (s: Service) => JSON.stringify({ ...s, src: undefined, at: undefined });
  const old = new Map(labServices(before).map((s) => [serviceId(s), def(s)]));
  const now = new Map(labServices(after).map((s) => [serviceId(s), def(s)]));
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed: [...now].filter(([id, d]) => old.has(id) && old.get(id) !== d).map(([id]) => id),
  };
}
