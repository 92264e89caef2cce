/**
 * The page's graph request: the graph and its positions as one JSON answer (packed for the page
 * with `?form=packed`, gzipped for those that take it), built once per graph (a 10,000-host lab's is 4.5 MB) and ready before the page asks when the server warms it; a layout
 * that failed gives null positions (the page lays the graph out) and is tried again.
 */
import { gunzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import type { GraphModel } from "../../../src/graph/model.js";
import { type PackedGraph, unpackGraph } from "../../../src/graph/wire.js";
import type { WebApi } from "../../../src/web/api.js";
import { createApp } from "../../../src/web/app.js";
import { cookieName, type GuardConfig, newToken } from "../../../src/web/auth.js";

const PORT = 48124;
const guard: GuardConfig = { token: newToken(), hosts: [`127.0.0.1:${PORT}`], cookie: cookieName(PORT) };
const graph: GraphModel = {
  lab: "demo",
  nodes: [{ id: "h1", kind: "netns", kernelName: "h1", interfaces: [] }],
  edges: [],
};

function setup(layout: WebApi["layout"]) {
  const api = {
    labs: () => [],
    graph: vi.fn(() => graph),
    layout: vi.fn(layout),
    observe: async () => {
      throw new Error("not observed here");
    },
    ping: async () => {
      throw new Error("no ping here");
    },
    setLink: async () => {},
    close: async () => {},
  };
  const { app, warm } = createApp({ api, guard: () => guard, assets: undefined });
  const get = async (query = "") => {
    const r = await app.request(`http://127.0.0.1:${PORT}/api/labs/demo/graph${query}`, {
      headers: { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${guard.token}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    return (await r.json()) as { graph?: GraphModel; packed?: PackedGraph; positions: unknown };
  };
  const getGzip = () =>
    app.request(`http://127.0.0.1:${PORT}/api/labs/demo/graph`, {
      headers: {
        host: `127.0.0.1:${PORT}`,
        authorization: `Bearer ${guard.token}`,
        "accept-encoding": "gzip, deflate, br",
      },
    });
  return { api, get, getGzip, warm };
}

describe("GET /api/labs/:lab/graph", () => {
  it("answers the graph with its positions, laid out and serialised once per graph", async () => {
    const { api, get } = setup(async () => ({ h1: { x: 1, y: 2 } }));
    expect(await get()).toEqual({ graph, positions: { h1: { x: 1, y: 2 } } });
    expect(await get()).toEqual({ graph, positions: { h1: { x: 1, y: 2 } } });
    expect(api.graph).toHaveBeenCalledTimes(2);
    expect(api.layout).toHaveBeenCalledTimes(1);
  });

  it("sends the same JSON compressed to a browser that takes gzip", async () => {
    const { getGzip } = setup(async () => ({ h1: { x: 1, y: 2 } }));
    const r = await getGzip();
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(r.headers.get("vary")).toBe("Accept-Encoding");
    expect(JSON.parse(gunzipSync(Buffer.from(await r.arrayBuffer())).toString("utf8"))).toEqual({
      graph,
      positions: { h1: { x: 1, y: 2 } },
    });
  });

  it("is ready before the first request once warmed, and warming a missing lab throws nothing", async () => {
    const { api, get, warm } = setup(async () => ({ h1: { x: 0, y: 0 } }));
    warm("demo");
    expect(api.layout).toHaveBeenCalledTimes(1);
    // The page's form is the one warmed.
    const answer = await get("?form=packed");
    expect(api.layout).toHaveBeenCalledTimes(1);
    expect(answer.graph).toBeUndefined();
    expect(unpackGraph(answer.packed!)).toEqual(graph);
    api.graph.mockImplementationOnce(() => {
      throw new Error("no lab named 'gone' is up");
    });
    expect(() => warm("gone")).not.toThrow();
  });

  it("sends null positions when the layout failed, and lays out again next time", async () => {
    let fail = true;
    const { api, get } = setup(async () => {
      if (fail) throw new Error("Graphviz did not load");
      return { h1: { x: 3, y: 4 } };
    });
    expect((await get()).positions).toBeNull();
    fail = false;
    expect((await get()).positions).toEqual({ h1: { x: 3, y: 4 } });
    expect(api.layout).toHaveBeenCalledTimes(2);
  });
});
