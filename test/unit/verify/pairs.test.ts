/** Which pairs `nslab ping` checks, and how agent pinging splits them into waves (pure). */
import { describe, expect, it } from "vitest";
import { generatedTopology } from "../../../src/lab/generated.js";
import { choosePairs } from "../../../src/lab/ping.js";
import { planWaves } from "../../../src/verify/agent-ping.js";
import { countSubnetPairs, farthestPairs, samplePairs, subnetPairs } from "../../../src/verify/pairs.js";

describe("ping pairs", () => {
  it("every ordered pair of hosts sharing a subnet, counted without listing them", () => {
    const t = generatedTopology("linear,3");
    const pairs = subnetPairs(t);
    expect(pairs).toHaveLength(6);
    expect(countSubnetPairs(t)).toBe(6);
    expect(pairs[0]).toEqual({
      from: "h1",
      netns: "h1",
      source: "10.0.0.1",
      to: "h2:h2-eth0",
      target: "10.0.0.2",
      toNetns: "h2",
      family: 4,
    });
    expect(countSubnetPairs(generatedTopology("tree,2,100"))).toBe(10000 * 9999);
  });

  it("the farthest pair is the two ends of the topology, both ways", () => {
    const lin = farthestPairs(generatedTopology("linear,100,3"));
    expect(lin.map((p) => [p.from, p.to]).sort()).toEqual([
      ["h1s1", "h1s100:h1s100-eth0"],
      ["h1s100", "h1s1:h1s1-eth0"],
    ]);
    const tree = farthestPairs(generatedTopology("tree,3,3", { prefix: "x1-" }));
    // Leaves under different children of the root are 6 hops apart: the sweep ends on two of them.
    expect(tree).toHaveLength(2);
    const [a, b] = tree.map((p) => Number(p.from.slice(1)));
    expect(Math.floor((a! - 1) / 9)).not.toBe(Math.floor((b! - 1) / 9));
  });

  it("a sample is distinct pairs, the same every time", () => {
    const t = generatedTopology("tree,2,20");
    const a = samplePairs(t, 100);
    expect(a).toHaveLength(100);
    expect(new Set(a.map((p) => `${p.netns}>${p.target}`)).size).toBe(100);
    expect(samplePairs(t, 100)).toEqual(a);
    expect(a.every((p) => p.from !== p.to.split(":")[0])).toBe(true);
  });

  it("policies: all up to 10,000 pairs, beyond that the farthest pair and a sample", () => {
    expect(choosePairs(generatedTopology("linear,50"), "auto").policy).toBe("all");
    const big = choosePairs(generatedTopology("tree,2,101"), "auto");
    expect(big.policy).toBe("sample");
    expect(big.pairs).toHaveLength(102);
    expect(big.totalPairs).toBe(10201 * 10200);
    expect(choosePairs(generatedTopology("tree,2,101"), "farthest").pairs).toHaveLength(2);
    expect(choosePairs(generatedTopology("linear,4"), "sample", 3).pairs.length).toBe(5);
  });
});

describe("planWaves", () => {
  const pairs = subnetPairs(generatedTopology("linear,10"));
  it("pings a pair one way, then back, in the same wave", () => {
    const [only, ...rest] = planWaves(pairs, 1000);
    expect(rest).toEqual([]);
    expect(only!.first).toHaveLength(45);
    expect(only!.back).toHaveLength(45);
    const p = pairs[only!.first[0]!]!;
    const q = pairs[only!.back[0]!]!;
    expect([q.netns, q.target]).toEqual([p.toNetns, p.source]);
  });

  it("keeps each wave within the neighbour room (two entries per pair)", () => {
    const waves = planWaves(pairs, 20);
    expect(waves).toHaveLength(5);
    for (const w of waves) expect(w.first.length * 2).toBeLessThanOrEqual(20);
    const all = waves.flatMap((w) => [...w.first, ...w.back]).sort((a, b) => a - b);
    expect(all).toEqual(pairs.map((_, i) => i));
  });
});
