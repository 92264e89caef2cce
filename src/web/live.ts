/**
 * Live observation for the web view: one loop per watched lab, observing the kernel about once a
 * second while someone watches, and fanning the result out to every watcher — the whole lab to a
 * new watcher, then only the nodes that changed (and the services, when any of them changed). A write
 * (link down/up) asks for a fresh round now.
 */
import type { HealthProblem } from "../engine/health-types.js";
import type { ServiceReport } from "../lab/services.js";
import type { LabReport, NodeReport } from "../lab/status.js";

/** A watcher: receives server-sent events (name and JSON text). */
export type Watcher = (event: "state" | "error", data: string) => void;

/** The `state` event: the lab's nodes (all of them when `full`, else those that changed). */
export interface StateEvent {
  lab: string;
  at: string;
  /** Milliseconds the observation took. */
  tookMs: number;
  full: boolean;
  status: LabReport["status"];
  healthy: boolean;
  /** What is wrong with the lab and what it depends on, each with its fix (sent every round: small). */
  health: HealthProblem[];
  nodes: NodeReport[];
  /** Every service of the lab and its state: in a full event, and in others when any changed. */
  services?: ServiceReport[];
}

class LiveLab {
  readonly watchers = new Set<Watcher>();
  report: LabReport | undefined;
  #last = new Map<string, string>();
  #lastServices = "";
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  /** Callers waiting for a round that starts after the one in flight. */
  #again: { promise: Promise<void>; resolve: () => void } | undefined;
  #stopped = false;

  constructor(
    readonly lab: string,
    readonly observe: (lab: string) => Promise<LabReport>,
    readonly intervalMs: number,
  ) {}

  /** Observe now — or, when a round is in flight, right after it — and send what changed. */
  refresh(): Promise<void> {
    if (this.#round) {
      if (!this.#again) {
        let resolve: () => void = () => {};
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        this.#again = { promise, resolve };
      }
      return this.#again.promise;
    }
    clearTimeout(this.#timer);
    this.#round = this.#run().finally(() => {
      this.#round = undefined;
      const again = this.#again;
      this.#again = undefined;
      if (again) void this.refresh().then(again.resolve);
    });
    return this.#round;
  }

  async #run(): Promise<void> {
    const started = performance.now();
    try {
      const report = await this.observe(this.lab);
      const tookMs = Math.round(performance.now() - started);
      this.report = report;
      const full = this.#last.size === 0;
      const changed: NodeReport[] = [];
      const next = new Map<string, string>();
      for (const n of report.nodes) {
        const json = JSON.stringify(n);
        next.set(n.name, json);
        if (this.#last.get(n.name) !== json) changed.push(n);
      }
      this.#last = next;
      const services = JSON.stringify(report.services ?? []);
      const servicesChanged = services !== this.#lastServices;
      this.#lastServices = services;
      this.#send(
        "state",
        JSON.stringify(this.#event(report, changed, tookMs, { full, services: full || servicesChanged })),
      );
    } catch (e) {
      // Keep the last observation: the page shows the error beside what it already has.
      const err = e as Error & { code?: string };
      this.#send("error", JSON.stringify({ code: err.code ?? "E_INTERNAL", message: err.message }));
    }
    if (!this.#stopped && this.watchers.size > 0) {
      const wait = Math.max(100, this.intervalMs - (performance.now() - started));
      this.#timer = setTimeout(() => void this.refresh(), wait);
    }
  }

  #event(
    report: LabReport,
    nodes: NodeReport[],
    tookMs: number,
    send: { full: boolean; services: boolean },
  ): StateEvent {
    return {
      lab: report.lab,
      at: new Date().toISOString(),
      tookMs,
      full: send.full,
      status: report.status,
      healthy: report.healthy,
      health: report.health,
      nodes,
      ...(send.services ? { services: report.services ?? [] } : {}),
    };
  }

  #send(event: "state" | "error", data: string): void {
    for (const w of this.watchers) w(event, data);
  }

  add(w: Watcher): void {
    this.watchers.add(w);
    if (this.report)
      w(
        "state",
        JSON.stringify(this.#event(this.report, this.report.nodes, 0, { full: true, services: true })),
      );
    else if (!this.#round) void this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

/** Every watched lab. */
export class LiveHub {
  readonly #labs = new Map<string, LiveLab>();

  constructor(
    readonly observe: (lab: string) => Promise<LabReport>,
    readonly intervalMs = 1000,
  ) {}

  /** Start watching `lab`; returns the function that stops. */
  watch(lab: string, w: Watcher): () => void {
    let live = this.#labs.get(lab);
    if (!live) {
      live = new LiveLab(lab, this.observe, this.intervalMs);
      this.#labs.set(lab, live);
    }
    live.add(w);
    return () => {
      live.watchers.delete(w);
      if (live.watchers.size === 0) {
        live.stop();
        if (this.#labs.get(lab) === live) this.#labs.delete(lab);
      }
    };
  }

  /** Observe `lab` now and send the result to its watchers; returns the fresh report. */
  async refresh(lab: string): Promise<LabReport> {
    const live = this.#labs.get(lab);
    if (!live) return this.observe(lab);
    await live.refresh();
    return live.report ?? this.observe(lab);
  }

  /** The last observation of a watched lab, if any. */
  latest(lab: string): LabReport | undefined {
    return this.#labs.get(lab)?.report;
  }

  close(): void {
    for (const live of this.#labs.values()) live.stop();
    this.#labs.clear();
  }
}
