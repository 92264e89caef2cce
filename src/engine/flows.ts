/**
 * Flows checked before anything is created: every flow a topology declares goes through OVS's own
 * parser (`ovs-ofctl parse-flows`, with the versions the bridge will speak), and every bad one is
 * reported at its place — a line of the topology file or of a flows file — with OVS's words. `up`
 * and `plan` run this; the plan itself stays pure.
 */
import { checkFlows } from "../drivers/ovs/ofctl.js";
import { findBinary, type Runner, systemRunner } from "../drivers/runner/index.js";
import { NslabError, type Problem, TopologyError } from "../errors.js";
import type { Topology } from "../model/types.js";

/** Whether `t` declares any flow. */
export function hasFlows(t: Topology): boolean {
  return t.nodes.some((n) => n.kind === "ovs-bridge" && (n.openflow?.flows.length ?? 0) > 0);
}

/**
 * Check every declared flow of `t` with OVS's parser; throws a TopologyError naming each bad flow
 * (E_ENV when ovs-ofctl is not installed). Changes nothing.
 */
export async function checkDeclaredFlows(t: Topology, runner: Runner = systemRunner): Promise<void> {
  if (!hasFlows(t)) return;
  if (!findBinary("ovs-ofctl"))
    throw new NslabError(
      "E_ENV",
      "the topology declares flows, and ovs-ofctl (which checks them) is missing",
      {
        hint: "install it with: apt-get install openvswitch-switch (or: nslab doctor --install)",
      },
    );
  const problems: Problem[] = [];
  for (const n of t.nodes) {
    if (n.kind !== "ovs-bridge" || !n.openflow || n.openflow.flows.length === 0) continue;
    const { flows, protocols } = n.openflow;
    const found = await checkFlows(
      runner,
      flows.map((f) => f.text),
      protocols,
    );
    for (const p of found)
      problems.push({
        message: `bad flow for bridge '${n.name}': ${p.message}`,
        location: flows[p.index]?.src,
        hint: `OVS's parser${protocols.length > 0 ? ` (${protocols.join(",")})` : ""} refused: ${flows[p.index]?.text}`,
      });
  }
  if (problems.length > 0) throw new TopologyError(problems);
}
