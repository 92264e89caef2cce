/**
 * Commands that only look things up in a lab's record (exec, link, capture, logs, flows) read a big
 * lab's view — once — and check each name they take from it before it goes into a command or a path.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { generatedTopology } from "../../../src/model/generated.js";
import { newLabState } from "../../../src/state/store.js";
import { VIEW_FROM_BYTES } from "../../../src/state/view.js";
import { tempStateDir } from "../../support/state-dir.js";

const testRoot = tempStateDir("lookup");

/** Fresh modules: no record kept in memory from an earlier read. */
async function fresh() {
  vi.resetModules();
  return {
    store: await import("../../../src/state/store.js"),
    exec: await import("../../../src/lab/exec.js"),
    endpoints: await import("../../../src/lab/endpoints.js"),
    services: await import("../../../src/lab/services.js"),
    flows: await import("../../../src/lab/flows.js"),
  };
}

/** A lab big enough for a view, with a lab file system (its nodes' mount namespaces), h1 runs "web". */
async function saveBigLab(): Promise<string> {
  const t = generatedTopology("single,800", { name: "v1", prefix: "v1" });
  const h1 = t.nodes.find((n) => n.name === "h1");
  if (h1?.kind !== "netns") throw new Error("no host h1");
  h1.services = [
    {
      name: "web",
      node: "h1",
      command: ["python3", "-m", "http.server"],
      ready: { kind: "tcp", port: 8000, timeoutMs: 30_000 },
      after: [],
      restart: "no",
    },
  ];
  const state = { ...newLabState(t, [{ kind: "labfs", name: "/run/nslab/fs/v1" }]), status: "up" as const };
  expect(JSON.stringify(state, null, 1).length).toBeGreaterThan(VIEW_FROM_BYTES);
  (await fresh()).store.saveLab(state);
  return join(testRoot(), "views", "v1.json");
}

describe("looking things up in a big lab's record", () => {
  it("exec and endpoints read the view (a change made to it shows) and check what they take", async () => {
    const view = await saveBigLab();
    const { exec, endpoints } = await fresh();
    expect(exec.nodeNamespaces("v1", "h1")).toEqual({ ns: "v1h1", mnt: "/run/nslab/fs/v1/ns/h1" });
    expect(endpoints.resolveEndpoint("v1", "h1:h1-eth0")).toEqual({
      node: "h1",
      iface: "h1-eth0",
      ns: "v1h1",
      dev: "h1-eth0",
    });
    // The view's record part (the head's names are checked on reading) with a name no record of
    // nslab's has: refused where it would go into a command.
    writeFileSync(view, readFileSync(view, "utf8").replace('"netns":"v1h1"', '"netns":"v1h1/../x"'));
    const again = await fresh();
    expect(() => again.exec.nodeNamespaces("v1", "h1")).toThrow(
      /record of lab 'v1' holds an invalid name: namespace name 'v1h1\/\.\.\/x' contains '\/'/,
    );
    expect(() => again.endpoints.resolveEndpoint("v1", "h1:h1-eth0")).toThrow(/invalid name/);
    expect(again.exec.nodeNamespaces("v1", "h2").ns).toBe("v1h2");
  });

  it("logs reads the view and checks the names that make its log files' paths", async () => {
    const view = await saveBigLab();
    const { services, flows } = await fresh();
    expect(services.serviceLogs("v1", "h1")).toBe(""); // not started: no log yet
    expect(() => services.serviceLogs("v1", "nosuch")).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/^its nodes: h1, h2, .*, … and 789 more$/) }),
    );
    expect(() => services.serviceLogs("v1", "h2")).toThrow(/node 'h2' of lab 'v1' runs no services/);
    await expect(flows.labFlows("v1", () => Promise.reject(new Error("no driver")))).resolves.toEqual([]);
    writeFileSync(view, readFileSync(view, "utf8").replace('"name":"web"', '"name":"../../web"'));
    const again = await fresh();
    expect(() => again.services.serviceLogs("v1", "h1")).toThrow(/record of lab 'v1' holds an invalid name/);
  });

  it("a big lab's graph drawn from its view is the one drawn from its whole record", async () => {
    await saveBigLab();
    const { store, graph } = { ...(await fresh()), graph: await import("../../../src/lab/graph.js") };
    const whole = graph.labGraph("v1");
    expect(whole.nodes.length).toBe(801);
    expect(graph.observedLabGraph("v1")).toEqual(whole);
    expect(store.readLab("v1")?.topology.nodes[0]?.src).toBeDefined(); // the record has positions
  });

  it("says which nodes there are in a few names, not ten thousand", async () => {
    await saveBigLab();
    const { exec } = await fresh();
    expect(() => exec.nodeNamespaces("v1", "nosuch")).toThrow(
      expect.objectContaining({
        hint: expect.stringMatching(/^its namespace nodes: h1, h2, .*, … and 788 more$/),
      }),
    );
  });
});
