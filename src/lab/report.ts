/** What `status` reports of a lab: the shapes of its node, interface and lab reports (types only). */
import type { BridgeOpenFlow } from "../drivers/ovs/index.js";
import type { HealthProblem } from "../engine/health-types.js";
import type { Node } from "../model/types.js";
import type { DumpLinkStats } from "../plan/observed.js";
import type { LabStatus, OwnedObject } from "../state/store.js";
import type { ServiceReport } from "./services.js";

/** One interface as observed. */
export interface InterfaceReport {
  name: string;
  present: boolean;
  up: boolean;
  /** Kernel operational state (UP, DOWN, LOWERLAYERDOWN …); "ABSENT" when missing. */
  operstate: string;
  /** Administratively up (`ip link set … up`): false for an end taken down with `nslab link … down`. */
  adminUp: boolean;
  mtu?: number;
  mac?: string | null;
  /** Addresses as the kernel has them (global and link scope), e.g. `10.1.1.2/24`. */
  addresses: string[];
  /** Those of `addresses` that automatic addressing chose (the file gave none). */
  autoAddresses?: string[];
  /** The other end of the link, `node:interface`, from the topology. */
  peer?: string;
  stats?: DumpLinkStats;
}

/** One node as observed. */
export interface NodeReport {
  name: string;
  kind: Node["kind"];
  /** A namespace written as `kind: router` (it forwards). */
  router?: true;
  /** Namespace name (netns) or interface name (bridges). */
  kernelName: string;
  present: boolean;
  /** Marked as this lab's. */
  owned: boolean;
  interfaces: InterfaceReport[];
  routes: { dst: string; via?: string; dev?: string }[];
  /** An OVS bridge with OpenFlow settings: as OVS has them now, each controller connected or not. */
  openflow?: OpenFlowReport;
  /** A lab spread over machines: the machine the node is on. */
  host?: string;
  /** false: its machine could not be reached, so nothing of it was observed. */
  observed?: false;
}

/** A machine of a lab spread over several, as `status` reached it. */
export interface MachineReport {
  name: string;
  ssh: string;
  reachable: boolean;
  /** Why it could not be reached (or observed). */
  error?: string;
  /** Its part's record state and health, when it answered. */
  status?: LabReport["status"];
  healthy?: boolean;
}

/** An OVS bridge's OpenFlow state (OVS refreshes `connected` every few seconds). */
export type OpenFlowReport = Omit<BridgeOpenFlow, "bridge">;

/** A lab as observed. */
export interface LabReport {
  lab: string;
  /** The record's state; `record-missing`: found by its ownership markers alone (see unrecorded.ts). */
  status: LabStatus | "record-missing";
  source?: string;
  /** When it was created (unknown for a lab whose record is missing). */
  createdAt?: string;
  /** `health` is empty: every node and interface is there and up, and what the lab depends on works. */
  healthy: boolean;
  /**
   * Everything wrong with the lab, root causes first: the machinery it depends on (the shared
   * services it holds, per-lab checks: engine/health.ts), then its own kernel objects.
   */
  health: HealthProblem[];
  nodes: NodeReport[];
  /** The lab's services (labs with `services:`), as its supervisor reports them. */
  services?: ServiceReport[];
  problem?: { message: string; fix: string };
  /** A lab whose record is missing: the objects found marked as its own. */
  objects?: OwnedObject[];
  /** A lab spread over several machines: each machine, reached or not. */
  hosts?: MachineReport[];
}
