/**
 * The generators against Mininet's own conventions (mininet/topo.py, mininet/topolib.py,
 * Mininet.buildFromTopo): node names, the port number of every link end, and host addresses in
 * natural name order. Expected values are written out by hand from Mininet's rules.
 */

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { topologyFromObject } from "../../../src/model/load.js";
import {
  defaultLabName,
  generatedYaml,
  generateTopology,
  hostAddress,
  naturalCompare,
  parseTopoSpec,
} from "../../../src/sources/mininet/index.js";

/** host → address, from a generated spec. */
function addresses(spec: ReturnType<typeof generateTopology>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, node] of Object.entries(spec.nodes))
    if ("interfaces" in node)
      for (const [i, a] of Object.entries(node.interfaces))
        out[`${name}:${i}`] = typeof a === "string" ? a : a.addresses.join(",");
  return out;
}

describe("parseTopoSpec", () => {
  it("reads Mininet's forms, positional and named, with Mininet's defaults", () => {
    expect(parseTopoSpec("single,3")).toEqual({ topo: "single", k: 3 });
    expect(parseTopoSpec("single")).toEqual({ topo: "single", k: 2 });
    expect(parseTopoSpec("linear,4")).toEqual({ topo: "linear", k: 4, n: 1 });
    expect(parseTopoSpec("linear,4,2")).toEqual({ topo: "linear", k: 4, n: 2 });
    expect(parseTopoSpec("linear,k=4,n=2")).toEqual({ topo: "linear", k: 4, n: 2 });
    expect(parseTopoSpec("tree,depth=2,fanout=3")).toEqual({ topo: "tree", depth: 2, fanout: 3 });
    expect(parseTopoSpec("tree,2,3")).toEqual({ topo: "tree", depth: 2, fanout: 3 });
    expect(parseTopoSpec("tree,fanout=3")).toEqual({ topo: "tree", depth: 1, fanout: 3 });
    expect(parseTopoSpec("torus,3,4")).toEqual({ topo: "torus", x: 3, y: 4, n: 1 });
  });
  it.each([
    ["mesh,3", /unknown topology 'mesh'/],
    ["single,x", /k must be a whole number/],
    ["single,0", /k must be at least 1/],
    ["single,3,4", /at most 1 parameter/],
    ["tree,depth=2,depth=3", /given twice/],
    ["tree,width=2", /no parameter 'width'/],
    ["torus,2,3", /x must be at least 3/],
    ["torus,3", /needs y/],
    ["single,100001", /at most 100000/],
    ["tree,10,10", /at most 100000/],
  ])("refuses %s", (text, re) => {
    expect(() => parseTopoSpec(text)).toThrow(re);
  });
});

describe("naturalCompare (Mininet's natural sort)", () => {
  it("orders numbers by value and h<j>s<i> by host number first", () => {
    expect(["h10", "h2", "h1"].sort(naturalCompare)).toEqual(["h1", "h2", "h10"]);
    expect(["h2s1", "h1s2", "h1s1", "h2s2"].sort(naturalCompare)).toEqual(["h1s1", "h1s2", "h2s1", "h2s2"]);
    expect(["h1x10", "h1x2", "h10x1"].sort(naturalCompare)).toEqual(["h1x2", "h1x10", "h10x1"]);
  });
});

describe("generators", () => {
  it("single,3: s1 with ports s1-eth1..3, hosts h1..h3 at 10.0.0.1..3/8", () => {
    const s = generateTopology("single,3");
    expect(s.name).toBe("single-3");
    expect(Object.keys(s.nodes)).toEqual(["h1", "h2", "h3", "s1"]);
    expect(s.nodes.s1).toEqual({ kind: "bridge" });
    expect(s.links).toEqual([
      ["h1:h1-eth0", "s1:s1-eth1"],
      ["h2:h2-eth0", "s1:s1-eth2"],
      ["h3:h3-eth0", "s1:s1-eth3"],
    ]);
    expect(addresses(s)).toEqual({
      "h1:h1-eth0": "10.0.0.1/8",
      "h2:h2-eth0": "10.0.0.2/8",
      "h3:h3-eth0": "10.0.0.3/8",
    });
  });

  it("linear,3: each switch gets its host, then a link to the previous switch", () => {
    const s = generateTopology("linear,3");
    expect(s.links).toEqual([
      ["h1:h1-eth0", "s1:s1-eth1"],
      ["h2:h2-eth0", "s2:s2-eth1"],
      ["s2:s2-eth2", "s1:s1-eth2"],
      ["h3:h3-eth0", "s3:s3-eth1"],
      ["s3:s3-eth2", "s2:s2-eth3"],
    ]);
    expect(addresses(s)).toEqual({
      "h1:h1-eth0": "10.0.0.1/8",
      "h2:h2-eth0": "10.0.0.2/8",
      "h3:h3-eth0": "10.0.0.3/8",
    });
  });

  it("linear,2,2: hosts h<j>s<i>, addressed in natural order (h1s1, h1s2, h2s1, h2s2)", () => {
    const s = generateTopology("linear,2,2");
    expect(s.links).toEqual([
      ["h1s1:h1s1-eth0", "s1:s1-eth1"],
      ["h2s1:h2s1-eth0", "s1:s1-eth2"],
      ["h1s2:h1s2-eth0", "s2:s2-eth1"],
      ["h2s2:h2s2-eth0", "s2:s2-eth2"],
      ["s2:s2-eth3", "s1:s1-eth3"],
    ]);
    expect(addresses(s)).toEqual({
      "h1s1:h1s1-eth0": "10.0.0.1/8",
      "h1s2:h1s2-eth0": "10.0.0.2/8",
      "h2s1:h2s1-eth0": "10.0.0.3/8",
      "h2s2:h2s2-eth0": "10.0.0.4/8",
    });
  });

  it("tree,2,2: depth first; a switch's uplink is its last port", () => {
    for (const text of ["tree,2,2", "tree,depth=2,fanout=2"]) {
      const s = generateTopology(text);
      expect(s.links).toEqual([
        ["s2:s2-eth1", "h1:h1-eth0"],
        ["s2:s2-eth2", "h2:h2-eth0"],
        ["s1:s1-eth1", "s2:s2-eth3"],
        ["s3:s3-eth1", "h3:h3-eth0"],
        ["s3:s3-eth2", "h4:h4-eth0"],
        ["s1:s1-eth2", "s3:s3-eth3"],
      ]);
      expect(Object.keys(s.nodes)).toEqual(["h1", "h2", "h3", "h4", "s1", "s2", "s3"]);
      expect(addresses(s)["h4:h4-eth0"]).toBe("10.0.0.4/8");
    }
  });

  it("torus,3,3: s<i>x<j> with its host on port 1, wrap-around links, STP on", () => {
    const s = generateTopology("torus,3,3");
    expect(Object.keys(s.nodes).slice(0, 10)).toEqual([
      "h1x1",
      "h1x2",
      "h1x3",
      "h2x1",
      "h2x2",
      "h2x3",
      "h3x1",
      "h3x2",
      "h3x3",
      "s1x1",
    ]);
    expect(s.nodes.s2x3).toEqual({ kind: "bridge", stp: true });
    expect(s.links.slice(0, 2)).toEqual([
      ["h1x1:h1x1-eth0", "s1x1:s1x1-eth1"],
      ["h1x2:h1x2-eth0", "s1x2:s1x2-eth1"],
    ]);
    // The switch links, in Mininet's order: right neighbour, then down neighbour, for each switch.
    expect(s.links.slice(9)).toEqual([
      ["s1x1:s1x1-eth2", "s1x2:s1x2-eth2"],
      ["s1x1:s1x1-eth3", "s2x1:s2x1-eth2"],
      ["s1x2:s1x2-eth3", "s1x3:s1x3-eth2"],
      ["s1x2:s1x2-eth4", "s2x2:s2x2-eth2"],
      ["s1x3:s1x3-eth3", "s1x1:s1x1-eth4"],
      ["s1x3:s1x3-eth4", "s2x3:s2x3-eth2"],
      ["s2x1:s2x1-eth3", "s2x2:s2x2-eth3"],
      ["s2x1:s2x1-eth4", "s3x1:s3x1-eth2"],
      ["s2x2:s2x2-eth4", "s2x3:s2x3-eth3"],
      ["s2x2:s2x2-eth5", "s3x2:s3x2-eth2"],
      ["s2x3:s2x3-eth4", "s2x1:s2x1-eth5"],
      ["s2x3:s2x3-eth5", "s3x3:s3x3-eth2"],
      ["s3x1:s3x1-eth3", "s3x2:s3x2-eth3"],
      ["s3x1:s3x1-eth4", "s1x1:s1x1-eth5"],
      ["s3x2:s3x2-eth4", "s3x3:s3x3-eth3"],
      ["s3x2:s3x2-eth5", "s1x2:s1x2-eth5"],
      ["s3x3:s3x3-eth4", "s3x1:s3x1-eth5"],
      ["s3x3:s3x3-eth5", "s1x3:s1x3-eth5"],
    ]);
    expect(addresses(s)["h3x3:h3x3-eth0"]).toBe("10.0.0.9/8");
  });

  it("hosts are IPv4-only (ipv6: false) unless IPv6 is asked for", () => {
    expect(generateTopology("single,1").nodes.h1).toEqual({
      interfaces: { "h1-eth0": "10.0.0.1/8" },
      ipv6: false,
    });
    expect(generateTopology("single,1", { ipv6: true }).nodes.h1).toEqual({
      interfaces: { "h1-eth0": "10.0.0.1/8" },
    });
  });

  it("OVS switches and names", () => {
    const s = generateTopology("linear,2", { switch: "ovs", name: "mine" });
    expect(s.name).toBe("mine");
    expect(s.nodes.s1).toEqual({ kind: "ovs-bridge" });
    expect(defaultLabName(parseTopoSpec("tree,depth=2,fanout=3"), "ovs")).toBe("tree-2-3-ovs");
  });

  it("addresses beyond 255 hosts carry into the next octets (h257 → 10.0.1.1)", () => {
    expect(hostAddress(257)).toBe("10.0.1.1/8");
    expect(hostAddress(10000)).toBe("10.0.39.16/8");
    expect(() => hostAddress(2 ** 24 - 1)).toThrow(RangeError);
  });
});

describe("generated topologies are ordinary topologies", () => {
  it.each(["single,3", "linear,3", "linear,2,2", "tree,2,2", "torus,3,3"])(
    "%s validates, with a prefix, and its YAML reads back as the same object",
    (text) => {
      const spec = generateTopology(text);
      const t = topologyFromObject(spec, { prefix: "x1a2-" });
      expect(t.nodes.filter((n) => n.kind === "netns").map((n) => n.netns)).toContain(
        `x1a2-${Object.keys(spec.nodes)[0]}`,
      );
      const yaml = generatedYaml(spec, text);
      expect(yaml.startsWith(`# generated by: nslab generate --topo ${text}\n`)).toBe(true);
      expect(parse(yaml)).toEqual(spec);
    },
  );

  it("the Linux bridge port limit is enforced on generated labs", () => {
    expect(() => topologyFromObject(generateTopology("single,1024"))).toThrow(/1024 ports.*at most 1023/);
    expect(() => topologyFromObject(generateTopology("single,1023"))).not.toThrow();
  });
});
