/** Large chains placed directly: the spine snakes in rows, each switch's hosts in a block under it. */
import { describe, expect, it } from "vitest";
import { chainPositions, directPositions } from "../../../src/graph/chain-layout.js";
import { CHAIN_ROW, layoutOf } from "../../../src/graph/layout.js";
import { type GraphModel, graphModel } from "../../../src/graph/model.js";
import { layoutPositions } from "../../../src/graph/render.js";
import { topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";

const generated = (spec: string): GraphModel => graphModel(topologyFromObject(generateTopology(spec)));

describe("chainPositions", () => {
  it("snakes the switches of linear,25,9 in rows of ten, each switch's hosts in a 3×3 block below it", () => {
    const p = chainPositions(generated("linear,25,9"), 40)!;
    expect(Object.keys(p)).toHaveLength(25 + 25 * 9);
    const at = (n: string) => p[n]!;
    // Row 0 left to right, row 1 right to left, row 2 left to right again.
    expect(at("s2").x).toBeGreaterThan(at("s1").x);
    expect(at("s10").y).toBe(at("s1").y);
    expect(at("s11").x).toBe(at("s10").x);
    expect(at("s11").y).toBeGreaterThan(at("s10").y);
    expect(at("s12").x).toBeLessThan(at("s11").x);
    expect(at("s21").x).toBe(at("s1").x);
    // Hosts of s1 (h1s1 … h9s1) are a 3×3 block below s1, centred on it, 40 px apart.
    const block = Array.from({ length: 9 }, (_, j) => at(`h${j + 1}s1`));
    expect(new Set(block.map((q) => q.x)).size).toBe(3);
    expect(new Set(block.map((q) => q.y)).size).toBe(3);
    expect(Math.min(...block.map((q) => q.y))).toBe(at("s1").y + 80);
    expect(block.reduce((s, q) => s + q.x, 0) / 9).toBe(at("s1").x);
    // No two nodes share a place, and blocks of neighbouring switches do not overlap.
    expect(new Set(Object.values(p).map((q) => `${q.x},${q.y}`)).size).toBe(Object.keys(p).length);
    expect(Math.min(...Array.from({ length: 9 }, (_, j) => at(`h${j + 1}s2`).x))).toBeGreaterThan(
      Math.max(...block.map((q) => q.x)),
    );
  });

  it("places a plain path and refuses a part that is not a chain", () => {
    const path = chainPositions(generated("linear,3"))!;
    expect(Object.keys(path).sort()).toEqual(["h1", "h2", "h3", "s1", "s2", "s3"]);
    expect(chainPositions(generated("tree,2,3"))).toBeUndefined();
  });

  it("is what the web view gets for a chain too large for dot (linear,100,100), computed in linear time", async () => {
    const g = generated("linear,100,100");
    const started = process.cpuUsage();
    const p = await layoutPositions(g);
    const cpuMs = (process.cpuUsage(started).user + process.cpuUsage(started).system) / 1000;
    expect(Object.keys(p)).toHaveLength(10_100);
    expect(p).toEqual(chainPositions(g));
    // Ten rows of ten switches (a chain, not a scatter); Graphviz's sfdp took many seconds here.
    expect(new Set(Array.from({ length: 100 }, (_, i) => p[`s${i + 1}`]!.y)).size).toBe(100 / CHAIN_ROW);
    expect(cpuMs).toBeLessThan(5_000);
  });
});

describe("directPositions", () => {
  it("places a chain as chainPositions does", () => {
    const g = generated("linear,25,9");
    expect(directPositions(g)).toEqual(chainPositions(g));
  });

  it("places any other shape in rows by rank, centre on top, each rank centred and wrapped at 100", () => {
    // tree,7,2: 127 switches, the 128 hosts on the deepest rank.
    const g = generated("tree,7,2");
    const p = directPositions(g, 40);
    expect(Object.keys(p)).toHaveLength(g.nodes.length);
    expect(new Set(Object.values(p).map((q) => `${q.x},${q.y}`)).size).toBe(g.nodes.length);
    const { rank } = layoutOf(g);
    const ys = (r: number) => new Set(g.nodes.filter((n) => rank.get(n.id) === r).map((n) => p[n.id]!.y));
    // Rank 0 (the root) alone on the top row, centred; deeper ranks lower.
    const root = g.nodes.find((n) => rank.get(n.id) === 0)!;
    expect(p[root.id]).toEqual({ x: 0, y: 0 });
    expect(Math.min(...ys(1))).toBeGreaterThan(0);
    // The 128 hosts on the last rank take two rows (100 + 28), the second centred too.
    const last = Math.max(...rank.values());
    expect(ys(last).size).toBe(2);
    const rows = [...ys(last)].map((y) => g.nodes.filter((n) => p[n.id]!.y === y).map((n) => p[n.id]!.x));
    expect(rows.map((r) => r.length).sort((a, b) => a - b)).toEqual([28, 100]);
    for (const r of rows) expect(Math.min(...r) + Math.max(...r)).toBeCloseTo(0, 9);
  });
});
