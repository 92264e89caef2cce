/** `up` of a running lab: is the topology the one it runs (places in the file and expectations aside)? */
import { describe, expect, it } from "vitest";
import { sameTopology } from "../../../src/engine/fingerprint.js";
import { generatedTopology } from "../../../src/model/generated.js";
import { parseTopology } from "../../../src/model/load.js";

const text = `name: same
nodes:
  a: { interfaces: { eth0: 10.8.0.1/24 } }
  b: { interfaces: { eth0: 10.8.0.2/24 } }
links: [[a:eth0, b:eth0]]
`;

describe("sameTopology", () => {
  it("the same lab written elsewhere in another file, or read back from its record, is the same", () => {
    const t = parseTopology(text, { file: "one.yaml" });
    const moved = parseTopology(`# a comment moves every line\n\n${text}`, { file: "two.yaml" });
    expect(t.nodes[0]?.src?.line).not.toBe(moved.nodes[0]?.src?.line);
    expect(sameTopology(t, moved)).toBe(true);
    expect(sameTopology(t, JSON.parse(JSON.stringify(t)))).toBe(true);
    const big = generatedTopology("linear,20,20", { name: "g", prefix: "g" });
    expect(sameTopology(big, JSON.parse(JSON.stringify(big)))).toBe(true);
  });

  it("a field set to undefined is no field; expectations do not count", () => {
    const t = parseTopology(text, { file: "one.yaml" });
    expect(sameTopology(t, { ...t, expect: [] } as never)).toBe(true);
    const node = { ...t.nodes[0]!, extra: undefined };
    expect(sameTopology(t, { ...t, nodes: [node, t.nodes[1]!] } as never)).toBe(true);
  });

  it("any change to what it builds is a different lab", () => {
    const t = parseTopology(text, { file: "one.yaml" });
    expect(sameTopology(t, parseTopology(text.replace("10.8.0.2/24", "10.8.0.3/24"), {}))).toBe(false);
    expect(sameTopology(t, parseTopology(text.replace("b: {", "c: {").replace("b:eth0", "c:eth0"), {}))).toBe(
      false,
    );
    expect(sameTopology(t, { ...t, nodes: [t.nodes[0]!] })).toBe(false);
    expect(sameTopology(t, { ...t, nodes: [t.nodes[1]!, t.nodes[0]!] })).toBe(false);
    expect(sameTopology(t, { ...t, prefix: "x" })).toBe(false);
    const { mtu: _m, ...withoutMtu } = t.links[0]!;
    expect(sameTopology(t, { ...t, links: [{ ...withoutMtu, mtu: 1400 }] } as never)).toBe(false);
  });
});
