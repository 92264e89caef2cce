/** Bridge loops without a spanning tree are found and named (pure). */
import { describe, expect, it } from "vitest";
import { generatedTopology } from "../../../src/model/generated.js";
import { parseTopology } from "../../../src/model/load.js";
import { bridgeLoopWarnings } from "../../../src/model/loops.js";
import { silentLogger } from "../../../src/util/logger.js";

const triangle = (stp: string) => `
name: loop
nodes:
  b1: { kind: bridge${stp} }
  b2: { kind: bridge${stp} }
  b3: { kind: bridge${stp} }
links:
  - [b1:b1p1, b2:b2p1]
  - [b2:b2p2, b3:b3p1]
  - [b3:b3p2, b1:b1p2]
`;

describe("bridgeLoopWarnings", () => {
  it("names a loop of bridges without STP, at the link that closes it", () => {
    const w = bridgeLoopWarnings(parseTopology(triangle(""), { log: silentLogger }));
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/bridges b3, b2, b1 form a loop \(b3 → b2 → b1 → b3\).*broadcast storm/);
    expect(w[0]!.location?.line).toBe(10);
    expect(w[0]!.hint).toMatch(/stp: true/);
  });

  it("says nothing when every bridge of the loop runs STP, or when there is no loop", () => {
    expect(bridgeLoopWarnings(parseTopology(triangle(", stp: true"), { log: silentLogger }))).toEqual([]);
    expect(bridgeLoopWarnings(generatedTopology("tree,2,3"))).toEqual([]);
    expect(bridgeLoopWarnings(generatedTopology("linear,5"))).toEqual([]);
  });

  it("counts the loops of a torus past the first three", () => {
    const w = bridgeLoopWarnings(generatedTopology("torus,3,3"));
    const stp = generatedTopology("torus,3,3").nodes.some((n) => "stp" in n && n.stp);
    if (stp) expect(w).toEqual([]);
    else {
      expect(w).toHaveLength(4);
      expect(w[3]!.message).toMatch(/^and \d+ more loops/);
    }
  });

  it("reaches the loader's logger as a warning with its place", () => {
    const said: string[] = [];
    parseTopology(triangle(""), { file: "t.yaml", log: (level, m) => said.push(`${level} ${m}`) });
    expect(said).toEqual([expect.stringMatching(/^warn t\.yaml:10:\d+.*form a loop/)]);
  });
});
