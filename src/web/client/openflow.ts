/**
 * What the panel shows of an OVS bridge's OpenFlow state — datapath ID, fail mode, versions and
 * each controller with whether it is connected — as plain rows (no DOM), from the same observation
 * `nslab status` and `nslab flows` read.
 */
import type { OpenFlowReport } from "../../lab/report.js";

/** One controller, as the panel writes it. */
export interface ControllerRow {
  target: string;
  connected: boolean;
  /** "connected (master)", "not connected: Connection refused (BACKOFF)", … */
  text: string;
}

/** A bridge's OpenFlow state, as the panel writes it. */
export interface OpenFlowView {
  dpid: string;
  failMode: string;
  protocols: string;
  controllers: ControllerRow[];
  /** "2 of 2 connected", "no controller", … */
  summary: string;
}

/** The rows for `of` (OVS's defaults named, so an empty column never reads as "unknown"). */
export function openflowView(of: OpenFlowReport): OpenFlowView {
  const controllers = of.controllers.map((c): ControllerRow => {
    if (c.connected)
      return { target: c.target, connected: true, text: `connected${c.role ? ` (${c.role})` : ""}` };
    const why = [c.lastError, c.state ? `(${c.state})` : ""].filter(Boolean).join(" ");
    return { target: c.target, connected: false, text: `not connected${why ? `: ${why}` : ""}` };
  });
  const up = controllers.filter((c) => c.connected).length;
  return {
    dpid: of.dpid ?? "not assigned yet",
    failMode:
      of.failMode === "secure"
        ? "secure (without a controller: only the flows installed)"
        : "standalone (without a controller: a learning switch)",
    protocols: of.protocols.length > 0 ? of.protocols.join(", ") : "OVS's default (OpenFlow10 to OpenFlow15)",
    controllers,
    summary:
      controllers.length === 0
        ? "no controller"
        : controllers.length === 1
          ? controllers[0]!.text
          : `${up} of ${controllers.length} connected`,
  };
}
