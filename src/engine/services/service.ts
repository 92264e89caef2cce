/**
 * Shared host services: what labs on one host share and nslab runs for them — today the Open
 * vSwitch daemons; later a per-lab host firewall table, ip_forward counted across NAT labs, routing
 * daemons, an OpenFlow controller. Each is one file implementing {@link HostService}: the engine
 * acquires the services a plan needs before applying it, and releases them when a lab goes away
 * (down, a rolled-back up, recovery after a crash); a service stops what it started only when no
 * other lab holds it (see users.ts).
 */
import type { Faults } from "../../drivers/faults.js";
import type { Runner } from "../../drivers/runner/index.js";
import type { Op } from "../../plan/ops.js";
import type { LabState, OwnedObject } from "../../state/store.js";
import type { Logger } from "../../util/logger.js";
import type { HealthProblem, LabHealthContext } from "../health-types.js";

/** What a service is told when it is acquired or released. */
export interface ServiceContext {
  /** The lab acquiring or releasing it. */
  lab: string;
  runner: Runner;
  log: Logger;
  faults: Faults;
  /** When acquiring for a plan: its operations (what a service needs may depend on them). */
  ops?: readonly Op[];
}

/** How a service is doing: a line of `nslab doctor`, or (for one lab) of its status. */
export interface ServiceHealth {
  name: string;
  status: "ok" | "warn" | "missing";
  detail: string;
  /** What restores it, when it is not ok. */
  fix?: string;
}

/** A host-wide service labs share. */
export interface HostService {
  readonly name: string;
  /** Whether applying `ops` needs the service. */
  neededBy(ops: readonly Op[]): boolean;
  /** Whether a lab's record says the lab holds the service (what reference counting counts). */
  heldBy(record: LabState): boolean;
  /** Whether removing `objects` needs the service running (e.g. OVS bridges need OVSDB). */
  neededToRemove(objects: readonly OwnedObject[]): boolean;
  /** Make the service available; `started`: it was not running and was started now. */
  acquire(ctx: ServiceContext): Promise<{ started: boolean }>;
  /**
   * Lab `ctx.lab` let go of the service (its record may still exist): stop what nslab started for
   * it when no other lab holds it and no `up` is under way. What nslab did not start is never touched.
   */
  release(ctx: ServiceContext): Promise<void>;
  /**
   * Whether `release` would find nothing to act on (no record of what nslab started, nor a temp
   * file of one), looked at without its lock: `release` and its lock are then skipped. Sound
   * because every acquire records its intent before it starts anything: a record made after the
   * look is an `up`'s, whose lab holds the service. Absent: `release` always runs.
   */
  unused?(): boolean;
  /** Its state for `nslab doctor`, or undefined when it is not installed here. */
  health(): Promise<ServiceHealth | undefined>;
  /**
   * What is wrong with this service's part of a lab that holds it (`heldBy`), for `nslab status`
   * and the web view: the daemons it depends on, its objects in the service (bridges and ports in
   * the datapath, a firewall table …), each problem with where it is and the command that repairs
   * it (`ctx.repair`: `nslab up LAB` acquires the service again, which restarts what is missing).
   * Runs on every observation of the lab (the web view: every second): cheap, no process per node.
   */
  checkLab?(ctx: LabHealthContext): Promise<HealthProblem[]>;
}
