/**
 * What the controller learns about each machine of a multi-machine lab before planning (the probe
 * that `nslab remote` answers on that machine), as plain data the pure planning below reasons on.
 */

/** The underlay path from one machine toward a peer machine. */
export interface UnderlayPath {
  /** The device packets to the peer leave by (`ip route get PEER from LOCAL`). */
  dev: string;
  /** That device's MTU. */
  mtu: number;
}

/** One machine, as probed. */
export interface MachineFacts {
  /** The lab's name for the machine. */
  host: string;
  /** nslab's version there (it must be the controller's own). */
  version: string;
  /** Tells machines apart: /etc/machine-id and the inode of the probing shell's network namespace. */
  identity: string;
  /** The device that carries the machine's underlay address, when one does. */
  underlayDev?: string;
  /** VXLAN identifiers in use there (root-namespace devices and other labs' tunnels), per UDP port. */
  vnis: { vni: number; port: number }[];
  /** Toward each peer's underlay address: the path, or why there is none. */
  paths: Record<string, UnderlayPath | { error: string }>;
  /** Labs with a record there. */
  labs: string[];
}

/** MTU assumed for a path that could not be probed (and was not written in the file). */
export const ASSUMED_UNDERLAY_MTU = 1500;
