/**
 * The OpenFlow fields of an Open vSwitch bridge in the topology file: its controllers, fail mode,
 * OpenFlow versions, datapath ID and flows (their meaning is checked by the model, the flows
 * themselves by OVS's own parser before `up` creates anything).
 */
import * as z from "zod";
import { OPENFLOW_VERSIONS } from "../openflow-versions.js";

const Version = z.enum(OPENFLOW_VERSIONS);

const Controller = z
  .string()
  .describe(
    "tcp:IP[:PORT] or ssl:IP[:PORT] (port 6653 by default), unix:PATH, or 'default': the controller nslab runs for the lab (ovs-testcontroller, Mininet's --controller default).",
  );

export const openflowFields = {
  controller: z
    .union([Controller, z.array(Controller)])
    .optional()
    .describe("The OpenFlow controller(s) the bridge connects to."),
  "fail-mode": z
    .enum(["standalone", "secure"])
    .optional()
    .describe(
      "Without a reachable controller: 'standalone' learns like a switch, 'secure' forwards only by its flows. Default: secure with a controller or flows (as Mininet), standalone otherwise.",
    ),
  protocols: z
    .union([Version, z.array(Version)])
    .optional()
    .describe("OpenFlow versions the bridge speaks, e.g. [OpenFlow13]; default OVS's (1.0 to 1.5)."),
  dpid: z
    .string()
    .optional()
    .describe(
      "Datapath ID: up to 16 hex digits (colons allowed), e.g. '0000000000000001'. Default: the first number in the bridge's name (s1 → 1), as Mininet does.",
    ),
  flows: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(
      "Flows in ovs-ofctl syntax, installed with the bridge's protocol: a list, or a file (relative to the topology) with one flow a line ('#' comments).",
    ),
};
