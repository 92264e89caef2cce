/**
 * A service's state in a word and a line, for people: what `nslab status` prints and the web view
 * shows for each service. Pure, and free of Node's modules (the web page bundles it).
 */
import type { ServiceReport } from "./services.js";

/** A service's condition: running, restarting (waiting out its back-off), done (exited 0), failed, … */
export type ServiceCondition = "running" | "restarting" | "done" | "failed" | "stopped" | "unknown";

/** What a service's state comes to. */
export interface ServiceState {
  condition: ServiceCondition;
  /** Whether this is as it should be (running, or a one-shot that exited 0). */
  ok: boolean;
  /** One line: `running (pid 812)`, `restarting (code 1), 2 restarts`, `failed (signal 9)`, … */
  text: string;
}

/** The condition and line of service `s`. */
export function serviceState(s: ServiceReport): ServiceState {
  const how = s.signal ? ` (signal ${s.signal})` : s.exitCode !== undefined ? ` (code ${s.exitCode})` : "";
  const restarts = s.restarts > 0 ? `, ${s.restarts} restart${s.restarts === 1 ? "" : "s"}` : "";
  switch (s.state) {
    case "running":
      return { condition: "running", ok: true, text: `running${s.pid ? ` (pid ${s.pid})` : ""}${restarts}` };
    case "backoff":
      return { condition: "restarting", ok: false, text: `restarting${how}${restarts}` };
    case "exited":
      return s.exitCode === 0 && !s.signal
        ? { condition: "done", ok: true, text: `exited 0${restarts}` }
        : { condition: "failed", ok: false, text: `exited${how}${restarts}` };
    case "failed":
      return { condition: "failed", ok: false, text: `failed${how}${restarts}` };
    case "stopped":
      return { condition: "stopped", ok: false, text: `stopped${restarts}` };
    default:
      return { condition: "unknown", ok: false, text: "unknown: the lab's supervisor is not running" };
  }
}
