/** Live observation for the web view: full state to a new watcher, then only what changed; a write's refresh. */
import { afterEach, describe, expect, it } from "vitest";
import type { ServiceReport } from "../../../src/lab/services.js";
import type { LabReport, NodeReport } from "../../../src/lab/status.js";
import { LiveHub, type StateEvent } from "../../../src/web/live.js";

function node(name: string, up: boolean, rx = 0): NodeReport {
  return {
    name,
    kind: "netns",
    kernelName: name,
    present: true,
    owned: true,
    routes: [],
    interfaces: [
      {
        name: "eth0",
        present: true,
        up,
        adminUp: up,
        operstate: up ? "UP" : "DOWN",
        addresses: [],
        stats: {
          rxBytes: rx,
          txBytes: 0,
          rxPackets: 0,
          txPackets: 0,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 0,
          txDropped: 0,
        },
      },
    ],
  };
}

/** A kernel whose state the test sets; counts observations. */
function fakeKernel() {
  const k = {
    nodes: [node("a", true), node("b", true)],
    services: undefined as ServiceReport[] | undefined,
    observations: 0,
    observe: async (lab: string): Promise<LabReport> => {
      k.observations++;
      return {
        lab,
        status: "up",
        createdAt: "",
        healthy: k.nodes.every((n) => n.interfaces[0]!.up),
        health: [],
        nodes: k.nodes,
        ...(k.services ? { services: k.services } : {}),
      };
    },
  };
  return k;
}

const hubs: LiveHub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.close();
});

function watcher() {
  const events: StateEvent[] = [];
  const errors: string[] = [];
  return {
    events,
    errors,
    fn: (event: "state" | "error", data: string) => {
      if (event === "state") events.push(JSON.parse(data) as StateEvent);
      else errors.push(data);
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe("LiveHub", () => {
  it("sends everything first, then only the nodes that changed", async () => {
    const k = fakeKernel();
    const hub = new LiveHub(k.observe, 60_000);
    hubs.push(hub);
    const w = watcher();
    const stop = hub.watch("lab", w.fn);
    await tick();
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.nodes.map((n) => n.name)).toEqual(["a", "b"]);

    k.nodes = [node("a", true), node("b", false)];
    await hub.refresh("lab");
    expect(w.events).toHaveLength(2);
    expect(w.events[1]!.nodes.map((n) => n.name)).toEqual(["b"]);
    expect(w.events[1]!.healthy).toBe(false);

    await hub.refresh("lab");
    expect(w.events[2]!.nodes).toEqual([]);

    // A second watcher gets the whole current state at once, without a new observation.
    const before = k.observations;
    const w2 = watcher();
    const stop2 = hub.watch("lab", w2.fn);
    expect(w2.events).toHaveLength(1);
    expect(w2.events[0]!.full).toBe(true);
    expect(w2.events[0]!.nodes.map((n) => n.name)).toEqual(["a", "b"]);
    expect(k.observations).toBe(before);
    stop();
    stop2();
  });

  it("observes about every interval while watched, and stops when nobody watches", async () => {
    const k = fakeKernel();
    const hub = new LiveHub(k.observe, 100);
    hubs.push(hub);
    const w = watcher();
    const stop = hub.watch("lab", w.fn);
    await new Promise((r) => setTimeout(r, 450));
    expect(k.observations).toBeGreaterThanOrEqual(3);
    expect(k.observations).toBeLessThanOrEqual(6);
    stop();
    const n = k.observations;
    await new Promise((r) => setTimeout(r, 300));
    expect(k.observations).toBe(n);
  });

  it("a refresh during an observation waits for a fresh one (a write is never answered with older state)", async () => {
    const k = fakeKernel();
    let release: () => void = () => {};
    const slow = async (lab: string) => {
      const seen = k.nodes;
      await new Promise<void>((r) => {
        release = r;
      });
      return { ...(await k.observe(lab)), nodes: seen };
    };
    const hub = new LiveHub(slow, 60_000);
    hubs.push(hub);
    const w = watcher();
    hub.watch("lab", w.fn); // starts an observation that reads the old state
    await tick();
    k.nodes = [node("a", false), node("b", true)]; // the write
    const fresh = hub.refresh("lab");
    release();
    await tick();
    release();
    await fresh;
    expect(hub.latest("lab")?.nodes[0]?.interfaces[0]?.up).toBe(false);
  });

  it("reports a failed observation as an error event and keeps the last state", async () => {
    const k = fakeKernel();
    let fail = false;
    const hub = new LiveHub(async (lab) => {
      if (fail) throw Object.assign(new Error("no lab named 'lab' is up"), { code: "E_NOT_FOUND" });
      return k.observe(lab);
    }, 60_000);
    hubs.push(hub);
    const w = watcher();
    hub.watch("lab", w.fn);
    await tick();
    fail = true;
    await hub.refresh("lab");
    expect(JSON.parse(w.errors[0]!)).toEqual({ code: "E_NOT_FOUND", message: "no lab named 'lab' is up" });
    expect(hub.latest("lab")?.nodes).toHaveLength(2);
  });

  it("sends the services with the first state, then only when one of them changed", async () => {
    const k = fakeKernel();
    const http = (state: ServiceReport["state"], restarts = 0): ServiceReport => ({
      id: "a/http",
      node: "a",
      name: "http",
      state,
      restarts,
      log: "/run/nslab/labs/lab/logs/a/http.log",
    });
    k.services = [http("running")];
    const hub = new LiveHub(k.observe, 60_000);
    hubs.push(hub);
    const w = watcher();
    const stop = hub.watch("lab", w.fn);
    await tick();
    expect(w.events[0]!.services).toEqual([http("running")]);
    await hub.refresh("lab");
    expect(w.events[1]!.services).toBeUndefined();
    k.services = [http("backoff", 1)];
    await hub.refresh("lab");
    expect(w.events[2]!.services).toEqual([http("backoff", 1)]);
    expect(w.events[2]!.full).toBe(false);
    expect(w.events[2]!.nodes).toEqual([]);
    // A new watcher gets them at once, with the nodes.
    const w2 = watcher();
    const stop2 = hub.watch("lab", w2.fn);
    expect(w2.events[0]!.services).toEqual([http("backoff", 1)]);
    stop();
    stop2();
  });
});
