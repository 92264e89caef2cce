/** The expect: section: both spellings, targets, and every mistake reported with its position. */
import { describe, expect, it } from "vitest";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";

const base = `name: e
nodes:
  h1: { interfaces: { eth0: [10.0.0.1/24, "fd00::1/64"] } }
  h2: { interfaces: { eth0: 10.0.0.2/24 } }
  sw: { kind: bridge }
links:
  - [h1:eth0, sw:p1]
  - [h2:eth0, sw:p2]
expect:
`;

function problems(items: string): string[] {
  try {
    parseTopology(base + items, { file: "lab.yaml" });
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems.map(formatProblem);
  }
}

describe("expectations", () => {
  it("reads the shorthand and the long form", () => {
    const t = parseTopology(`${base}  - h1 -> h2: reachable
  - h2 -> h1 tcp/80: unreachable
  - { from: h1:eth0, to: 10.0.0.2, tcp: 22, expect: reachable }
  - { from: h2, to: h1, family: 6, expect: unreachable }
  - h1 -> h2:eth0: reachable
`);
    expect(t.expect?.map((e) => [e.text, e.to, e.probe])).toEqual([
      ["h1 -> h2: reachable", { kind: "node", node: "h2" }, { kind: "icmp" }],
      ["h2 -> h1 tcp/80: unreachable", { kind: "node", node: "h1" }, { kind: "tcp", port: 80 }],
      [
        "h1:eth0 -> 10.0.0.2 tcp/22: reachable",
        { kind: "address", address: "10.0.0.2", family: 4 },
        { kind: "tcp", port: 22 },
      ],
      ["h2 -> h1 (IPv6): unreachable", { kind: "node", node: "h1" }, { kind: "icmp" }],
      ["h1 -> h2:eth0: reachable", { kind: "iface", node: "h2", iface: "eth0" }, { kind: "icmp" }],
    ]);
    expect(t.expect?.[2]?.fromIface).toBe("eth0");
  });

  it.each([
    [
      "an unknown source",
      "  - h3 -> h2: reachable\n",
      /lab\.yaml:10:5 \(expect\[0\]\["h3 -> h2"\]\): unknown source 'h3'.*did you mean 'h1'\?/,
    ],
    ["an unknown target", "  - h1 -> hh2: reachable\n", /unknown target 'hh2'.*did you mean 'h2'\?/],
    ["a bridge as source", "  - sw -> h2: reachable\n", /source 'sw' is a bridge in the root namespace/],
    ["a bridge as target", "  - h1 -> sw: reachable\n", /target 'sw' is a bridge; it has no addresses/],
    [
      "a target without the family",
      "  - { from: h1, to: h2, family: 6, expect: reachable }\n",
      /target 'h2' has no IPv6 address to check/,
    ],
    [
      "a malformed check",
      "  - h1 to h2: reachable\n",
      /'h1 to h2' is not a check; write 'FROM -> TO: reachable'/,
    ],
    [
      "a wrong outcome",
      "  - h1 -> h2: reachble\n",
      /'reachble' is not allowed here; expected 'reachable' or 'unreachable'.*did you mean 'reachable'/,
    ],
    [
      "two checks in one item",
      "  - { h1 -> h2: reachable, h2 -> h1: reachable }\n",
      /write one check per list item/,
    ],
    ["a port out of range", "  - h1 -> h2 tcp/70000: reachable\n", /TCP port 70000 is out of range/],
    ["an unknown field", "  - { from: h1, to: h2, expect: reachable, udp: 53 }\n", /unknown field 'udp'/],
    [
      "an unknown interface",
      "  - { from: h1:eth9, to: h2, expect: reachable }\n",
      /node 'h1' has no interface 'eth9'/,
    ],
  ])("refuses %s", (_, items, re) => {
    expect(problems(items).join("\n")).toMatch(re);
  });

  it("reports every bad check at once", () => {
    expect(problems("  - h9 -> h2: reachable\n  - h1 -> h8: reachable\n")).toHaveLength(2);
  });
});
