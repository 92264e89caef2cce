/** What `up` and `down` report (shared by labs on one machine and labs spread over several). */

import type { OwnedObject } from "../state/store.js";
import type { TeardownReport } from "./teardown.js";

/** What `up` did. */
export interface UpResult {
  /** The lab name. */
  lab: string;
  /**
   * The lab was already up with this very topology and nothing of it was missing (the shared
   * services it needs were started again if they had stopped: `startedOvs`).
   */
  alreadyUp: boolean;
  /**
   * The lab was already up with this very topology, and what was missing of it (or of what it
   * depends on) was restored in place, or its failed services started again.
   */
  repaired?: true;
  /** The lab was running and was changed in place to the new topology. */
  updated: boolean;
  /** Number of operations applied. */
  operations: number;
  /** Objects the lab now owns (namespaces, root links, OVS bridges). */
  owned: OwnedObject[];
  /** The OVS datapath used, when the lab has OVS bridges. */
  datapath?: "netdev" | "system";
  /** nslab started the OVS daemons for this lab. */
  startedOvs: boolean;
  /**
   * A repair (`repaired`): the services started again — those that had failed, or all of them when
   * their supervisor was gone — each ready before `up` returned.
   */
  restartedServices?: string[];
  /** Labs whose routers run FRR: from their daemons being ready to converged routing (when `up` waited). */
  convergedMs?: number;
  durationMs: number;
  /** A lab spread over several machines: what each did (`owned` is then empty: each machine has its own). */
  hosts?: { name: string; ssh: string; operations: number; durationMs: number }[];
}

/** What `down` did for one lab. */
export interface DownResult {
  lab: string;
  /** Whether the lab existed at all (a record or marked objects). */
  found: boolean;
  /** The namespaces, root-namespace links and OVS bridges removed. */
  removed: OwnedObject[];
  /** Objects left alone: already gone, or no longer marked as this lab's. */
  skipped: TeardownReport["skipped"];
  /** Processes that ran in the lab's namespaces and were ended (services, commands started by hand). */
  processesEnded?: number;
  /** Of those, how many did not end on SIGTERM within the grace period and were killed. */
  processesKilled?: number;
  /** State files that nslab processes which died mid-write had left for this lab, now removed. */
  leftovers: string[];
  /** {@link downAll} only: the lab was left alone because another nslab process holds it (why). */
  busy?: string;
  durationMs: number;
  /** A lab spread over several machines: what each machine removed. */
  hosts?: { name: string; ssh: string; found: boolean; removed: number }[];
}
