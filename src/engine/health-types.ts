/**
 * The health of a running lab, as data: a list of problems, each saying what is wrong, where, and
 * how to repair it. The kernel objects of a lab (observed by `status`), the shared services it
 * holds (HostService.checkLab) and per-lab hooks (engine/health.ts) all report in this one shape;
 * `nslab status`, `--json`, the library and the web view show the same list.
 */
import type { Driver } from "../drivers/driver.js";
import type { BridgeInfo } from "../drivers/ovs/index.js";
import type { LabState } from "../state/store.js";

/** One thing wrong with a running lab. */
export interface HealthProblem {
  /** What is wrong, as a sentence: "ovs-vswitchd (…) is not running: bridge sw forwards nothing". */
  what: string;
  /** Where: the part of the lab or of the host it concerns ("node h1, interface eth0"). */
  where: string;
  /** How to repair it: the command to run (usually `nslab up LAB`, which restores in place). */
  fix: string;
  /** Which check found it: `kernel`, `record`, a shared service's name, or a per-lab hook's. */
  check: string;
}

/** What a health check of one lab is given: its record, a driver, and what observing already read. */
export interface LabHealthContext {
  lab: string;
  record: LabState;
  driver: Driver;
  /** The command that restores the lab in place: `nslab up FILE --name LAB …` (repairCommand). */
  repair: string;
  /**
   * The OVS bridges as OVSDB has them now (read once per observation and shared by every check),
   * or the error reading them; undefined when the lab has no OVS bridge.
   */
  ovsBridges?: readonly BridgeInfo[] | Error;
}

/**
 * A per-lab health check: a feature's own (the processes of a node's services, routing daemons,
 * tunnels …) or a shared service's (HostService.checkLab). It must stay cheap on a lab of 10,000
 * nodes: read what the context already holds, the kernel or a daemon once per lab — never a process
 * per node.
 */
export interface LabCheck {
  readonly name: string;
  /** Whether the check concerns this lab (from its record alone). */
  appliesTo(record: LabState): boolean;
  /** The problems found; [] when all is well. A check that throws is reported as a problem. */
  check(ctx: LabHealthContext): Promise<HealthProblem[]>;
}

/**
 * The command that restores a running lab in place: `up` of its file again (with the lab's name and
 * prefix), which re-creates what is missing and restarts the shared services it needs.
 */
export function repairCommand(record: Pick<LabState, "lab" | "topology">): string {
  const t = record.topology;
  const options = `--name ${record.lab}${t.prefix ? ` --prefix ${t.prefix}` : ""}`;
  return t.file ? `nslab up ${t.file} ${options}` : `nslab up --topo <its spec> ${options}`;
}
