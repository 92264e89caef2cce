/** The large-lab canvas's geometry: places, the viewport (fit, zoom, centre) and what is under the pointer. */
import { describe, expect, it } from "vitest";
import { graphModel } from "../../../src/graph/model.js";
import { topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";
import {
  buildScene,
  centredOn,
  edgeAt,
  fitViewport,
  MAX_SCALE,
  minScale,
  NODE_SIZE,
  nodeAt,
  segmentDistance,
  toLayout,
  zoomAround,
} from "../../../src/web/client/scene.js";

const g = graphModel(topologyFromObject(generateTopology("linear,2,2")));
// s1 — s2 in a row, each with two hosts below it.
const at = { s1: { x: 0, y: 0 }, s2: { x: 200, y: 0 }, h1s1: { x: -20, y: 80 }, h2s1: { x: 20, y: 80 } };
const scene = buildScene(g, { ...at, h1s2: { x: 180, y: 80 }, h2s2: { x: 220, y: 80 } }, (v) =>
  v === undefined ? "grey" : "red",
);

describe("buildScene", () => {
  it("indexes nodes and links, sizes nodes by kind and bounds them", () => {
    expect(scene.ids).toHaveLength(6);
    expect(scene.edges).toHaveLength(5);
    const s1 = scene.index.get("s1")!;
    expect(scene.size[s1]).toBe(NODE_SIZE.bridge);
    expect(scene.size[scene.index.get("h1s1")!]).toBe(NODE_SIZE.netns);
    expect(scene.bounds).toEqual({ minX: -31, minY: -15, maxX: 231, maxY: 91 });
    const trunk = scene.edges.find((e) => [scene.ids[e.a], scene.ids[e.b]].sort().join() === "s1,s2")!;
    expect(scene.edgeIndex.get(trunk.id)).toBe(scene.edges.indexOf(trunk));
    expect(trunk.color).toBe("grey");
  });
});

describe("the viewport", () => {
  it("fits the bounds in the screen, centred, with padding", () => {
    const v = fitViewport(scene.bounds, 1000, 500, 30);
    // Width decides: (1000 - 60) / 262.
    expect(v.scale).toBeCloseTo(940 / 262, 6);
    const mid = { x: (-31 + 231) / 2, y: (-15 + 91) / 2 };
    expect(mid.x * v.scale + v.dx).toBeCloseTo(500, 6);
    expect(mid.y * v.scale + v.dy).toBeCloseTo(250, 6);
  });

  it("never zooms in past MAX_SCALE to fit a tiny lab, and zooms out further than MIN_SCALE for a huge one", () => {
    expect(fitViewport({ minX: 0, minY: 0, maxX: 1, maxY: 1 }, 1000, 500).scale).toBe(MAX_SCALE);
    const huge = { minX: 0, minY: 0, maxX: 1e6, maxY: 1e6 };
    expect(minScale(huge, 1000, 500)).toBeLessThan(fitViewport(huge, 1000, 500).scale);
  });

  it("zooms around the pointer: the point under it stays put", () => {
    const v = { scale: 0.5, dx: 10, dy: 20 };
    const z = zoomAround(v, 3, 300, 200, 0.01);
    expect(z.scale).toBe(1.5);
    const world = { x: (300 - v.dx) / v.scale, y: (200 - v.dy) / v.scale };
    expect(world.x * z.scale + z.dx).toBeCloseTo(300, 9);
    expect(world.y * z.scale + z.dy).toBeCloseTo(200, 9);
    expect(zoomAround(v, 1000, 0, 0, 0.01).scale).toBe(MAX_SCALE);
    expect(zoomAround(v, 1e-6, 0, 0, 0.01).scale).toBe(0.01);
  });

  it("centres a point", () => {
    const v = centredOn(200, 80, 2, 800, 600);
    expect(200 * v.scale + v.dx).toBe(400);
    expect(80 * v.scale + v.dy).toBe(300);
  });
});

describe("what is under the pointer", () => {
  const v = { scale: 2, dx: 100, dy: 50 };
  const screen = (x: number, y: number) => [x * v.scale + v.dx, y * v.scale + v.dy] as const;

  it("finds the node whose box (plus a few pixels) holds the point", () => {
    expect(scene.ids[nodeAt(scene, v, ...screen(0, 0))]).toBe("s1");
    expect(scene.ids[nodeAt(scene, v, ...screen(14, -14))]).toBe("s1");
    expect(scene.ids[nodeAt(scene, v, ...screen(-20, 80))]).toBe("h1s1");
    // 15 layout px from s1's centre, 16 from its side: 32 screen pixels, beyond the slack.
    expect(nodeAt(scene, v, ...screen(0, 31))).toBe(-1);
  });

  it("finds the link passing within a few pixels, the nearest when several do", () => {
    const i = edgeAt(scene, v, ...screen(100, 1));
    expect(i).toBeGreaterThanOrEqual(0);
    const e = scene.edges[i]!;
    expect([scene.ids[e.a], scene.ids[e.b]].sort()).toEqual(["s1", "s2"]);
    expect(edgeAt(scene, v, ...screen(100, 10))).toBe(-1);
  });

  it("measures the distance to a segment, its ends included", () => {
    expect(segmentDistance(5, 3, 0, 0, 10, 0)).toBe(3);
    expect(segmentDistance(-4, 3, 0, 0, 10, 0)).toBe(5);
    expect(segmentDistance(14, 3, 0, 0, 10, 0)).toBe(5);
    expect(segmentDistance(1, 1, 2, 2, 2, 2)).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe("toLayout", () => {
  it("undoes the viewport's pan and zoom", () => {
    expect(toLayout({ dx: 10, dy: -20, scale: 2 }, 30, 0)).toEqual([10, 10]);
    expect(toLayout({ dx: 0, dy: 0, scale: 1 }, 5, 7)).toEqual([5, 7]);
  });
});
