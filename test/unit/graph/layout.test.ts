/** Diagram layout plans: chains left to right (wrapped in rows), trees top down from their centre. */
import { describe, expect, it } from "vitest";
import { toDot } from "../../../src/graph/dot.js";
import { CHAIN_ROW, type Layout, layoutOf } from "../../../src/graph/layout.js";
import { toMermaid } from "../../../src/graph/mermaid.js";
import { type GraphModel, graphModel } from "../../../src/graph/model.js";
import { layoutPositions } from "../../../src/graph/render.js";
import { loadTopology, topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";

const generated = (spec: string): GraphModel => graphModel(topologyFromObject(generateTopology(spec)));

/** Node → rank, for the nodes asked about. */
function ranks(l: Layout, nodes: string[]): Record<string, number | undefined> {
  return Object.fromEntries(nodes.map((n) => [n, l.rank.get(n)]));
}

/** `tail>head tailSide/headSide` for every drawn edge. */
function sides(l: Layout): string[] {
  return l.edges.map((d) => `${d.tail.node}>${d.head.node} ${d.tailSide}/${d.headSide}`);
}

describe("layoutOf", () => {
  it("draws a path in one row, in the walkthrough's order: ns1 — br0 — ns2", async () => {
    const l = layoutOf(graphModel(await loadTopology("examples/seed/bridge.yaml")));
    expect(l.shape).toBe("path");
    expect(ranks(l, ["ns1", "br0", "ns2"])).toEqual({ ns1: 0, br0: 0, ns2: 0 });
    expect(sides(l)).toEqual(["ns1>br0 e/w", "br0>ns2 e/w"]);
  });

  it("draws a tree top down from its root switch (tree,2,3: s1, then s2–s4, then the hosts)", () => {
    const l = layoutOf(generated("tree,2,3"));
    expect(l.shape).toBe("tree");
    expect(ranks(l, ["s1", "s2", "s3", "s4", "h1", "h5", "h9"])).toEqual({
      s1: 0,
      s2: 1,
      s3: 1,
      s4: 1,
      h1: 2,
      h5: 2,
      h9: 2,
    });
    // Every link leaves its upper end from below and enters its lower end from above.
    for (const d of l.edges) {
      expect(l.rank.get(d.head.node)).toBe((l.rank.get(d.tail.node) ?? 0) + 1);
      expect([d.tailSide, d.headSide]).toEqual(["s", "n"]);
    }
    expect(toDot(generated("tree,2,3"))).toContain('{ rank=same; "s2"; "s3"; "s4"; }');
  });

  it("draws a chain of switches left to right with each host below its switch (linear,4)", () => {
    const l = layoutOf(generated("linear,4"));
    expect(l.shape).toBe("chain");
    expect(ranks(l, ["s1", "s2", "s3", "s4", "h1", "h4"])).toEqual({
      s1: 0,
      s2: 0,
      s3: 0,
      s4: 0,
      h1: 1,
      h4: 1,
    });
    expect(sides(l)).toEqual(
      expect.arrayContaining(["s1>s2 e/w", "s2>s3 e/w", "s3>s4 e/w", "s1>h1 s/n", "s4>h4 s/n"]),
    );
  });

  it(`wraps a long chain into rows of ${CHAIN_ROW}, back and forth (linear,25)`, () => {
    const l = layoutOf(generated("linear,25"));
    expect(ranks(l, ["s1", "s10", "s11", "s20", "s21", "s25", "h11"])).toEqual({
      s1: 0,
      s10: 0,
      s11: 2,
      s20: 2,
      s21: 4,
      s25: 4,
      h11: 3,
    });
    // The second row runs right to left: s12 is drawn left of s11; the turns run down the ends.
    expect(sides(l)).toEqual(expect.arrayContaining(["s12>s11 e/w", "s10>s11 e/e", "s20>s21 w/w"]));
    expect(l.edges.find((d) => d.head.node === "s11" && d.tail.node === "s10")?.span).toBe(2);
  });

  it("keeps a chain a chain at 100 switches: the web view's positions run in rows, not a scatter", async () => {
    const g = generated("linear,100");
    const l = layoutOf(g);
    expect(l.shape).toBe("chain");
    const p = await layoutPositions(g);
    const rowY = (i: number) => p[`s${i}`]?.y;
    for (let row = 0; row < 100 / CHAIN_ROW; row++) {
      const first = row * CHAIN_ROW + 1;
      for (let i = first; i < first + CHAIN_ROW; i++) expect(rowY(i)).toBe(rowY(first));
      const xs = Array.from({ length: CHAIN_ROW }, (_, k) => p[`s${first + k}`]?.x ?? 0);
      const sorted = [...xs].sort((a, b) => a - b);
      expect(xs).toEqual(row % 2 === 0 ? sorted : sorted.reverse());
      if (row > 0) expect(rowY(first)).toBeGreaterThan(rowY(first - 1) ?? 0);
      // Each host sits below its own switch.
      expect(p[`h${first}`]?.y).toBeGreaterThan(rowY(first) ?? 0);
    }
  });

  it("puts the routed example's routers and LANs in one row, hosts below, the island beside", async () => {
    const l = layoutOf(graphModel(await loadTopology("examples/routed.yaml")));
    expect(l.shape).toBe("chain");
    expect(ranks(l, ["lan1", "r1", "r2", "lan2", "h1", "h2", "h3", "i1", "i2"])).toEqual({
      lan1: 0,
      r1: 0,
      r2: 0,
      lan2: 0,
      h1: 1,
      h2: 1,
      h3: 1,
      i1: 0,
      i2: 0,
    });
    expect(sides(l)).toEqual(
      expect.arrayContaining(["lan1>r1 e/w", "r1>r2 e/w", "r2>lan2 e/w", "i1>i2 e/w"]),
    );
  });

  it("ranks a lab with loops by distance from its most central switch (mixed, torus)", async () => {
    const mixed = layoutOf(graphModel(await loadTopology("examples/mixed.yaml")));
    expect(mixed.shape).toBe("tree");
    expect(ranks(mixed, ["br1", "a", "b", "ovs1", "c", "d"])).toEqual({
      br1: 0,
      a: 1,
      b: 1,
      ovs1: 1,
      c: 2,
      d: 2,
    });
    expect(sides(mixed)).toContain("a>b e/w");
    const torus = layoutOf(generated("torus,3,3"));
    expect(torus.shape).toBe("tree");
    expect(Math.max(...torus.rank.values())).toBeLessThanOrEqual(4);
  });

  it("draws Mermaid left to right for paths and top down otherwise, with the same edge order", async () => {
    expect(toMermaid(graphModel(await loadTopology("examples/seed/ovs.yaml")))).toMatch(/^flowchart LR\n/);
    const tree = toMermaid(generated("tree,2,3"));
    expect(tree).toMatch(/^flowchart TB\n/);
    // s1 (n0 … in node order) is written above s2: the tail of every switch-to-switch link is s1.
    const ids = Object.fromEntries(
      [...tree.matchAll(/ {2}(n\d+)[[({]+"([^<]+)<br/g)].map((m) => [m[2], m[1]]),
    );
    expect(tree).toContain(`  ${ids.s1} ---|"s1-eth1 — s2-eth4"| ${ids.s2}`);
  });
});
