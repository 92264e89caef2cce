/** What the drawn graph shows of observations: nodes present or absent, links up or down. */
import { describe, expect, it } from "vitest";
import { graphModel } from "../../../src/graph/model.js";
import type { InterfaceReport, NodeReport } from "../../../src/lab/status.js";
import { topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";
import { LinkStates } from "../../../src/web/client/link-states.js";

const g = graphModel(topologyFromObject(generateTopology("linear,2")));
const link = (a: string, b: string) =>
  g.edges.find((e) => [e.a.node, e.b.node].sort().join() === [a, b].sort().join())!;

function node(name: string, present: boolean, down: string[] = []): NodeReport {
  const n = g.nodes.find((x) => x.id === name)!;
  return {
    name,
    kind: n.kind === "router" ? "netns" : n.kind,
    kernelName: n.kernelName,
    present,
    owned: true,
    interfaces: n.interfaces.map(
      (i): InterfaceReport => ({
        name: i.ifname,
        present,
        up: present && !down.includes(i.ifname),
        operstate: "UP",
        adminUp: true,
        addresses: [],
      }),
    ),
    routes: [],
  };
}

describe("LinkStates", () => {
  it("says which links an observation touched and whether each is up", () => {
    const s = new LinkStates(g);
    const all = s.take(g.nodes.map((n) => node(n.id, true)));
    expect(all.nodes).toHaveLength(g.nodes.length);
    expect(all.links).toHaveLength(g.edges.length);
    expect(all.links.every((l) => l.up)).toBe(true);

    // Only h1 changed: one of its ends is down, so its link is, and no other link is touched.
    const h1 = g.nodes.find((n) => n.id === "h1")!;
    const changed = s.take([node("h1", true, [h1.interfaces[0]!.ifname])]);
    expect(changed.nodes).toEqual([{ id: "h1", present: true }]);
    expect(changed.links).toEqual([{ id: link("h1", "s1").id, up: false }]);
  });

  it("counts a link down when either end is absent, and up when an end is not observed yet", () => {
    const s = new LinkStates(g);
    expect(s.take([node("s1", true)]).links.every((l) => l.up)).toBe(true);
    const gone = s.take([node("h1", false)]);
    expect(gone.nodes).toEqual([{ id: "h1", present: false }]);
    expect(gone.links).toEqual([{ id: link("h1", "s1").id, up: false }]);
  });
});
