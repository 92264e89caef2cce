/** The model of a lab spread over several machines: the machines, a machine's part, its tunnel ends. */
import type { SourceLocation } from "../errors.js";
import type { EndpointRef, Shaping } from "./link-types.js";

/** A machine of `hosts:`. */
export interface Host {
  /** Its name in the file (what nodes' `host:` says). */
  name: string;
  /** ssh destination: `user@address`, or a Host of the ssh configuration. */
  ssh: string;
  /** The machine's own address the tunnels use (IPv4 or IPv6). */
  underlay: string;
  family: 4 | 6;
  /** The nslab command on that machine, as words (default `["nslab"]`). */
  nslab: string[];
  /** Underlay MTU written in the file (otherwise probed). */
  mtu?: number;
  src?: SourceLocation;
}

/** What one machine's part of a multi-machine lab knows about the whole lab. */
export interface LabPart {
  /** This machine's name in the lab's `hosts:`. */
  host: string;
  /** Every machine of the lab, with its ssh destination. */
  hosts: { name: string; ssh: string }[];
}

/** This machine's end of a link to a node on another machine: a VXLAN device. */
export interface TunnelEnd {
  /** The end on this machine (`node:iface`); the device gets this interface's kernel name. */
  end: EndpointRef;
  /** The end on the other machine. */
  peer: EndpointRef;
  peerHost: string;
  /** VXLAN network identifier (unique per link in the lab and per UDP port on both machines). */
  vni: number;
  /** This machine's underlay address and the peer machine's. */
  local: string;
  remote: string;
  /** UDP destination port. */
  port: number;
  /** The underlay device toward the peer (`dev` of the VXLAN device), when it was probed. */
  dev?: string;
  /** The inner MTU: the tunnel device's MTU. */
  mtu: number;
  /** The link's shaping, on this end's egress. */
  shaping?: Shaping;
  src?: SourceLocation;
}
