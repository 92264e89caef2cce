/**
 * OpenFlow in plans: the operations of an OVS bridge's OpenFlow settings and flows, the match a
 * flow is deleted by, the settings that undo others, and which flows a settings change makes OVS
 * forget (so an in-place change installs them again). Pure.
 */
import type { OvsBridgeNode } from "../model/types.js";
import type { Op, OpOf } from "./ops.js";

/** Words of the ovs-ofctl flow syntax that are not part of a flow's match (they describe the flow). */
const NOT_MATCH = new Set([
  "idle_timeout",
  "hard_timeout",
  "importance",
  "cookie",
  "send_flow_rem",
  "check_overlap",
  "reset_counts",
  "no_packet_counts",
  "no_byte_counts",
]);

/**
 * The match and priority of a flow, as `ovs-ofctl --strict del-flows` takes them: the flow without
 * its actions and without the fields that are not matched on (timeouts, cookie, flags).
 */
export function flowMatch(flow: string): string {
  const cut = /(^|[,\s])actions\s*=/.exec(flow);
  const head = cut ? flow.slice(0, cut.index) : flow;
  return head
    .split(/[,\s]+/)
    .filter((w) => w !== "" && !NOT_MATCH.has(w.split("=")[0]!.trim()))
    .join(",");
}

/**
 * The settings and flow operations of bridge `n` (none for a plain learning switch). `default` in its
 * controllers is `defaultController`, the target of the controller nslab runs.
 */
export function openflowOps(n: OvsBridgeNode, defaultController: string): { set: Op[]; flows: Op[] } {
  const of = n.openflow;
  if (!of) return { set: [], flows: [] };
  const set: OpOf<"ovs.bridge.set"> = {
    op: "ovs.bridge.set",
    bridge: n.ifname,
    controllers: of.controllers.map((c) => (c === "default" ? defaultController : c)),
    failMode: of.failMode,
    protocols: [...of.protocols],
    ...(of.dpid !== undefined ? { dpid: of.dpid } : {}),
    src: n.src,
  };
  const flows: Op[] = of.flows.map((f) => ({
    op: "ovs.flow.add",
    bridge: n.ifname,
    flow: f.text,
    protocols: [...of.protocols],
    ...(f.src ? { src: f.src } : {}),
  }));
  return { set: [set], flows };
}

/** The settings of a bridge with no OpenFlow settings of its own (what undoes an `ovs.bridge.set`). */
export function plainSettings(op: OpOf<"ovs.bridge.set">): OpOf<"ovs.bridge.set"> {
  return {
    op: "ovs.bridge.set",
    bridge: op.bridge,
    controllers: [],
    failMode: "standalone",
    protocols: [],
    ...(op.src ? { src: op.src } : {}),
  };
}

/**
 * Of an edited lab's plan, the flows to install again although they did not change: those of a
 * bridge whose settings changed. OVS empties a bridge's flow table when it gains its first
 * controller or loses its last, and when its fail mode changes while it has none; any settings
 * change is treated so (adding a flow that is there already changes nothing).
 */
export function flowsToReinstall(
  previous: readonly Op[],
  next: readonly Op[],
  key: (op: Op) => string,
): Op[] {
  const before = new Set(previous.filter((o) => o.op === "ovs.bridge.set").map(key));
  const changed = new Set(
    next.flatMap((o) => (o.op === "ovs.bridge.set" && !before.has(key(o)) ? [o.bridge] : [])),
  );
  if (changed.size === 0) return [];
  return next.filter((o) => o.op === "ovs.flow.add" && changed.has(o.bridge));
}

/** Bridges that have OpenFlow settings in `ops`. */
export function bridgesWithSettings(ops: readonly Op[]): Set<string> {
  return new Set(ops.flatMap((o) => (o.op === "ovs.bridge.set" ? [o.bridge] : [])));
}
