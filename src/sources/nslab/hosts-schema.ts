/**
 * The parts of the topology file that spread a lab over several machines: `hosts:` (each machine,
 * how nslab reaches it over SSH and its underlay address), `host:` on a node, `placement:`,
 * `ssh_config:`, `vxlan:` and a link's `vni:`. Kept apart from schema.ts so the single-machine
 * format reads as before.
 */
import * as z from "zod";

export const MachineSchema = z
  .strictObject({
    ssh: z
      .string()
      .describe(
        "How to reach the machine: an ssh destination (user@address, or a Host of your ssh configuration).",
      ),
    underlay: z
      .string()
      .describe(
        "The machine's own address that tunnels (VXLAN, UDP) between machines use: an IPv4 or IPv6 address.",
      ),
    nslab: z
      .string()
      .optional()
      .describe(
        "The nslab command on that machine (default `nslab`), e.g. `sudo -n nslab` or `node /opt/nslab/dist/cli/main.js`; words may start with NAME=value.",
      ),
    mtu: z
      .number()
      .int()
      .optional()
      .describe(
        "MTU of the underlay path from this machine (default: the MTU of its device toward each peer).",
      ),
  })
  .describe("A machine the lab spreads over.");

export const HostsSchema = z
  .record(z.string(), MachineSchema)
  .describe("Machines the lab spreads over, by name; nodes name theirs with `host:`. Omitted: this machine.");

export const PlacementSchema = z
  .enum(["auto", "block", "random"])
  .describe(
    "Where nodes without `host:` go: `auto` (switches spread evenly, each host with its switch, fewest links between machines), `block` or `random` (Mininet cluster's SwitchBinPlacer, RandomPlacer).",
  );

export const VxlanSchema = z
  .strictObject({
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe("UDP port of the tunnels between machines (default 4789)."),
  })
  .describe("Settings of the VXLAN tunnels that carry links between machines.");

/** `host:` of a node. */
export const hostField = z
  .string()
  .optional()
  .describe("The machine (a name under `hosts:`) this node runs on.");

/** `vni:` of a link. */
export const vniField = z
  .number()
  .int()
  .min(1)
  .max(16777215)
  .optional()
  .describe("VXLAN network identifier of this link when it crosses machines (default: chosen by nslab).");

/** The lab-level fields, spread into the topology schema. */
export const multiHostFields = {
  hosts: HostsSchema.optional(),
  placement: PlacementSchema.optional(),
  ssh_config: z
    .string()
    .optional()
    .describe("An ssh configuration file (relative to this file) passed to every ssh call as `ssh -F FILE`."),
  vxlan: VxlanSchema.optional(),
};
