/** A graph packed for the web page: links as their ends' names, unpacked to the very same graph. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type GraphModel, graphModel } from "../../../src/graph/model.js";
import { packGraph, unpackGraph } from "../../../src/graph/wire.js";
import { parseTopology, topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const example = (file: string) =>
  graphModel(parseTopology(readFileSync(join(ROOT, "examples", file), "utf8"), { file }));

describe("packGraph and unpackGraph", () => {
  const shaped = `name: shaped
nodes:
  a: { interfaces: { eth0: { addresses: [10.9.0.1/24], mtu: 1400 } } }
  b: { interfaces: { eth0: 10.9.0.2/24 } }
links:
  - { endpoints: [a:eth0, b:eth0], mtu: 9000, delay: 20ms, rate: 10mbit }
`;
  const cases: [string, GraphModel][] = [
    ["linear,3,2", graphModel(topologyFromObject(generateTopology("linear,3,2")))],
    ["vlans.yaml (access VLANs)", example("vlans.yaml")],
    ["mixed.yaml (an interface MTU, IPv6)", example("mixed.yaml")],
    ["a link with its own MTU and shaping", graphModel(parseTopology(shaped))],
  ];
  for (const [name, g] of cases)
    it(`gives back the same graph: ${name}`, () => {
      const packed = packGraph(g);
      expect(packed).toBeDefined();
      expect(JSON.parse(JSON.stringify(unpackGraph(JSON.parse(JSON.stringify(packed)))))).toEqual(
        JSON.parse(JSON.stringify(g)),
      );
    });

  it("keeps each link's MTU and shaping beside its ends, and packs linear,100,100 to under 60%", () => {
    const [, g] = cases[3]!;
    expect(packGraph(g)!.edges).toEqual([
      ["a", "eth0", "b", "eth0", { mtu: 9000, shaping: g.edges[0]!.shaping }],
    ]);
    const big = graphModel(topologyFromObject(generateTopology("linear,100,100")));
    expect(JSON.stringify(packGraph(big)).length).toBeLessThan(JSON.stringify(big).length * 0.6);
  });

  it("refuses a graph whose links are not as graphModel builds them", () => {
    const [, g] = cases[0]!;
    const renamed = { ...g, edges: g.edges.map((e, i) => (i === 0 ? { ...e, id: "other" } : e)) };
    expect(packGraph(renamed)).toBeUndefined();
    const readdressed = {
      ...g,
      edges: g.edges.map((e, i) => (i === 0 ? { ...e, a: { ...e.a, addresses: ["192.0.2.1/24"] } } : e)),
    };
    expect(packGraph(readdressed)).toBeUndefined();
  });
});
