/**
 * What the web view asks of nslab, as one small interface, and its implementation by the library:
 * each call is an operation of a running lab (the same the CLI runs), all through one driver
 * session the server keeps open. The server holds no networking logic; tests pass a fake.
 */
import { createHash } from "node:crypto";
import { DriverSession } from "../engine/driver.js";
import type { GraphModel } from "../graph/model.js";
import { layoutPositions, type Point } from "../graph/render.js";
import { observedLabGraph } from "../lab/graph.js";
import { multiLabSummaries } from "../lab/remote/node-ops.js";
import { RunningLab } from "../lab/running.js";
import { type LabReport, type LabSummary, labSummaries } from "../lab/status.js";
import type { PingResult } from "../verify/ping-result.js";

/** The library operations behind the web view. */
export interface WebApi {
  /** Every recorded lab (those this machine spread over several too). */
  labs(): LabSummary[];
  /** The lab's graph (from its record): the same object as long as the record is the same. */
  graph(lab: string): GraphModel;
  /** Node positions (computed on the server), or null to let the page lay the graph out. */
  layout(graph: GraphModel): Promise<Record<string, Point> | null>;
  /** The lab as the kernel has it now. */
  observe(lab: string): Promise<LabReport>;
  ping(lab: string, from: string, to: string): Promise<PingResult>;
  setLink(lab: string, endpoint: string, state: "up" | "down"): Promise<void>;
  close(): Promise<void>;
}

/** The web view's operations done by the library, with one long-lived driver session. */
export function libraryApi(): WebApi {
  const session = new DriverSession();
  const lab = (name: string) => new RunningLab(name, { session });
  // Laying out a large lab takes Graphviz most of a second: once per graph is enough (by identity,
  // else by content: a lab spread over machines builds its graph anew each time).
  const byGraph = new WeakMap<GraphModel, Promise<Record<string, Point>>>();
  const layouts = new Map<string, Promise<Record<string, Point>>>();
  return {
    labs: () => [...labSummaries(), ...multiLabSummaries()],
    // Built once per record (shared with the observation): a 10,000-host record takes half a second.
    graph: (name) => observedLabGraph(name),
    layout: (g) => {
      const same = byGraph.get(g);
      if (same) return same;
      const key = createHash("sha256").update(JSON.stringify(g)).digest("hex");
      const p = layouts.get(key) ?? layoutPositions(g);
      layouts.set(key, p);
      byGraph.set(g, p);
      p.catch(() => {
        if (layouts.get(key) === p) layouts.delete(key);
        byGraph.delete(g);
      });
      return p;
    },
    observe: (name) => lab(name).status(),
    ping: (name, from, to) => lab(name).pingFrom(from, to),
    setLink: async (name, endpoint, state) => {
      await lab(name).link(endpoint, state);
    },
    close: () => session.close(),
  };
}
