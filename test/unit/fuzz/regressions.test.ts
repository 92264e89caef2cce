/**
 * Inputs the fuzzers found that broke the loader once, kept as plain tests (each names what broke).
 */
import { describe, expect, it } from "vitest";
import { parseTopology, TopologyError } from "../../../src/index.js";

/** The problems of an invalid topology, formatted; fails when `text` loads or throws anything else. */
function problems(text: string): { message: string; line: number; column: number }[] {
  try {
    parseTopology(text, { file: "found.yaml" });
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems.map((p) => ({
      message: p.message,
      line: p.location?.line ?? 0,
      column: p.location?.column ?? 0,
    }));
  }
  throw new Error("the topology was accepted");
}

describe("fuzz findings", () => {
  it("block nesting thousands of levels deep, then a dedent, is a located problem (was: RangeError from the YAML parser)", () => {
    const depth = 5000; // 12.5 MB of indentation: under the 16 MiB cap, past the parser's stack
    let text = "";
    for (let i = 0; i < depth; i++) text += `${" ".repeat(i)}k:\n`;
    text += "name: x\n";
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/nested too deeply/);
    // It points at the deepest line.
    expect(found[0]).toMatchObject({ line: depth, column: depth });
  });

  it("an interface in two links of a point-to-point segment, with a pool, is a located problem (was: TypeError mixing BigInt)", () => {
    const found = problems(
      [
        "name: fz",
        "addressing: { ipv4: 10.50.0.0/16 }",
        "nodes:",
        "  h1: {}",
        "links:",
        "  - [h1:eth0, h1:eth1]",
        "  - [h1:eth0, h1:eth2]",
        "",
      ].join("\n"),
    );
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p.line).toBeGreaterThan(0);
    expect(found.map((p) => p.message).join("\n")).toMatch(/eth0/);
  });

  it("a node kind written as a map with a 'toString' key is a located problem (was: TypeError converting it to a string)", () => {
    const found = problems("name: fz\nnodes:\n  br1:\n    kind: { toString: '' }\n");
    expect(found).toEqual([{ message: expect.stringMatching(/unknown node kind/), line: 4, column: 11 }]);
  });
});
