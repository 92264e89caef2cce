/** Which pairs `nslab ping` checks, and how agent pinging splits them into waves (pure). */
import { describe, expect, it } from "vitest";
import type { NsAgent } from "../../../src/drivers/nsagent/index.js";
import { choosePairs } from "../../../src/lab/ping.js";
import { generatedTopology } from "../../../src/model/generated.js";
import { agentPingPairs, planWaves } from "../../../src/verify/agent-ping.js";
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

describe("agent pinging", () => {
  it("gives pairs without a reply a second chance with three times the wait, and reports each pair once", async () => {
    const pairs = subnetPairs(generatedTopology("single,2")); // h1→h2, h2→h1
    const calls: { targets: string[]; timeoutMs: number }[] = [];
    const agent = {
      async exec(cmds: { op: string; target?: string; timeoutMs?: number }[]) {
        const adds = cmds.filter((c) => c.op === "pingadd");
        const run = cmds.find((c) => c.op === "pingrun")!;
        calls.push({ targets: adds.map((c) => c.target!), timeoutMs: run.timeoutMs! });
        // The first probe towards 10.0.0.2 goes unanswered; everything else answers in 0.5 ms.
        const rtts = adds.map((c) => (calls.length === 1 && c.target === "10.0.0.2" ? -1 : 500));
        return [...adds.map(() => ({ status: "ok" })), { status: "ok", data: rtts }];
      },
    };
    const reported: string[] = [];
    const results = await agentPingPairs(agent as unknown as NsAgent, pairs, {
      neighbourBudget: 1000,
      onResult: (r) => reported.push(`${r.pair.target}:${r.ok}`),
    });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(calls).toEqual([
      { targets: ["10.0.0.2"], timeoutMs: 1000 },
      { targets: ["10.0.0.1"], timeoutMs: 1000 },
      { targets: ["10.0.0.2"], timeoutMs: 3000 },
    ]);
    expect(reported.sort()).toEqual(["10.0.0.1:true", "10.0.0.2:true"]);
  });

  it("reports a pair lost only after its second chance", async () => {
    const pairs = subnetPairs(generatedTopology("single,2"));
    const agent = {
      async exec(cmds: { op: string }[]) {
        const adds = cmds.filter((c) => c.op === "pingadd");
        return [...adds.map(() => ({ status: "ok" })), { status: "ok", data: adds.map(() => -1) }];
      },
    };
    const results = await agentPingPairs(agent as unknown as NsAgent, pairs, {
      neighbourBudget: 1000,
      waitSeconds: 0.01,
    });
    expect(results.map((r) => r.error)).toEqual(["no reply within 30 ms", "no reply within 30 ms"]);
  });
});
