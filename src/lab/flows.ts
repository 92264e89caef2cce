/**
 * `flows`: the flow tables of a running lab's Open vSwitch bridges as OVS has them now — every flow
 * with its packet and byte counters, whoever installed it (the topology, a controller, a user) —
 * with each bridge's datapath ID, fail mode, versions and controllers (connected or not).
 */

import { type ControllerStatus, ovsRuntimePaths, readOpenflow } from "../drivers/ovs/index.js";
import { dumpFlows, type FlowEntry } from "../drivers/ovs/ofctl.js";
import type { DriverUse } from "../engine/driver.js";
import { NslabError } from "../errors.js";
import type { OvsBridgeNode } from "../model/types.js";
import { listSome } from "../util/listing.js";
import { checkedName, lookupRecordOf } from "./record.js";

/** One bridge's flow table. */
export interface BridgeFlows {
  /** The node name in the topology. */
  bridge: string;
  /** Its name in OVS (with the lab's prefix). */
  ovsName: string;
  dpid?: string;
  /** `standalone` or `secure` (OVS's default, standalone, when unset). */
  failMode: string;
  /** The versions it speaks (empty: OVS's default, 1.0 to 1.5). */
  protocols: string[];
  controllers: ControllerStatus[];
  /** How many flows the topology declares for it. */
  declared: number;
  flows: FlowEntry[];
}

/** The flows of lab `lab`'s OVS bridges (or of the one named `bridge`). */
export async function labFlows(lab: string, use: DriverUse, bridge?: string): Promise<BridgeFlows[]> {
  const t = lookupRecordOf(lab).topology;
  const all = t.nodes.filter((n): n is OvsBridgeNode => n.kind === "ovs-bridge");
  const chosen = bridge === undefined ? all : all.filter((n) => n.name === bridge || n.ifname === bridge);
  if (bridge !== undefined && chosen.length === 0)
    throw new NslabError("E_NOT_FOUND", `lab '${lab}' has no Open vSwitch bridge named '${bridge}'`, {
      hint:
        all.length > 0
          ? `its OVS bridges: ${listSome(all.map((n) => n.name))}`
          : "it has no OVS bridges (flows live on kind: ovs-bridge nodes)",
    });
  if (chosen.length === 0) return [];
  return use(async (driver) => {
    let state: Awaited<ReturnType<typeof readOpenflow>>;
    try {
      state = await readOpenflow(await driver.ovsdb());
    } catch (e) {
      throw new NslabError("E_ENV", `cannot read lab '${lab}''s bridges: Open vSwitch is not answering`, {
        hint: "is ovsdb-server running? (nslab status shows the lab as the kernel sees it)",
        cause: e,
      });
    }
    const runDir = ovsRuntimePaths().runDir;
    const out: BridgeFlows[] = [];
    for (const n of chosen) {
      const s = state.get(n.ifname);
      if (!s)
        throw new NslabError(
          "E_NOT_FOUND",
          `bridge '${n.name}' (${n.ifname}) of lab '${lab}' is not in OVS`,
          {
            hint: `nslab status ${lab} shows what is missing; nslab up brings it back`,
          },
        );
      out.push({
        bridge: n.name,
        ovsName: n.ifname,
        ...(s.dpid ? { dpid: s.dpid } : {}),
        failMode: s.failMode || "standalone",
        protocols: s.protocols,
        controllers: s.controllers,
        declared: n.openflow?.flows.length ?? 0,
        flows: await dumpFlows(driver.runner, runDir, checkedName(lab, n.ifname, "bridge"), s.protocols),
      });
    }
    return out;
  });
}
