/**
 * The services part of `nslab plan`: each service the lab's supervisor would start — its node, argv,
 * what it waits for, when it counts as ready, its restart policy — in the order `up` starts them,
 * as comment lines after the script's operations (a supervisor, not a shell line, runs them) and
 * as JSON. Pure.
 */
import { formatLocation } from "../errors.js";
import { type Readiness, type Service, serviceId } from "../model/env-types.js";
import { labServices, startOrder } from "../model/service-order.js";
import type { Topology } from "../model/types.js";
import { formatArgv } from "../util/quote.js";

/** A service as `nslab plan --json` lists it. */
export interface PlannedService {
  /** `node/service`. */
  id: string;
  node: string;
  name: string;
  command: string[];
  /** Services (ids) that must be ready before it starts. */
  after: string[];
  ready: Readiness;
  restart: Service["restart"];
  oneshot?: true;
  cwd?: string;
  env?: Record<string, string>;
  /** `file:line:col` where it was written. */
  where?: string;
}

/** The lab's services in start order, for JSON. */
export function plannedServices(t: Topology): PlannedService[] {
  return startOrder(labServices(t)).map((s) => ({
    id: serviceId(s),
    node: s.node,
    name: s.name,
    command: s.command,
    after: s.after,
    ready: s.ready,
    restart: s.restart,
    ...(s.oneshot ? { oneshot: true as const } : {}),
    ...(s.cwd ? { cwd: s.cwd } : {}),
    ...(s.env ? { env: s.env } : {}),
    ...(s.src ? { where: formatLocation(s.src) } : {}),
  }));
}

/** When a service counts as ready, in words: `tcp 8080 listening (30 s)`. */
export function readinessText(r: Readiness, oneshot = false): string {
  const within = `within ${Math.round(r.timeoutMs / 1000)} s`;
  switch (r.kind) {
    case "tcp":
      return `tcp ${r.port} listening ${within}`;
    case "udp":
      return `udp ${r.port} bound ${within}`;
    case "file":
      return `${r.path} exists ${within}`;
    case "command":
      return `${formatArgv(r.command)} exits 0 ${within}`;
    default:
      return oneshot ? `exited 0 ${within}` : "once started";
  }
}

/**
 * Comment lines (without `#`) for the services of `t` that `skip` leaves (FRR's daemons are shown
 * with their routers); empty when there are none.
 */
export function servicePlanNotes(t: Topology, skip: (id: string) => boolean = () => false): string[] {
  const services = startOrder(labServices(t)).filter((s) => !skip(serviceId(s)));
  if (services.length === 0) return [];
  const out = [
    "Services, started by `nslab up` under the lab's supervisor once the links, addresses and routes",
    "are in place, in this order (each in its node's namespaces, argv without a shell):",
  ];
  for (const s of services) {
    out.push(
      "",
      `${serviceId(s)}${s.src ? `, ${formatLocation(s.src)}` : ""}:`,
      `  ${formatArgv(s.command)}`,
    );
    const facts = [
      s.after.length > 0 ? `after ${s.after.join(", ")}` : "",
      `ready: ${readinessText(s.ready, s.oneshot === true)}`,
      s.oneshot ? "oneshot" : `restart: ${s.restart}`,
      s.cwd ? `cwd ${s.cwd}` : "",
      s.env ? `env ${Object.keys(s.env).join(", ")}` : "",
    ].filter(Boolean);
    out.push(`  ${facts.join("; ")}`);
  }
  return out;
}
