/**
 * The web page's drawing of small labs: interfaces as ports side by side on the side their link
 * leaves from, and positions from the server that leave room for every label — checked by placing
 * each node's box and each port's label where the page puts them and finding no two that overlap.
 */
import { describe, expect, it } from "vitest";
import { layoutOf } from "../../../src/graph/layout.js";
import { type GraphModel, graphModel } from "../../../src/graph/model.js";
import { pageBoxes } from "../../../src/graph/page.js";
import { layoutPositions } from "../../../src/graph/render.js";
import { loadTopology, topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";

interface Box {
  what: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function around(what: string, x: number, y: number, w: number, h: number): Box {
  return { what, x0: x - w / 2, y0: y - h / 2, x1: x + w / 2, y1: y + h / 2 };
}

function overlap(a: Box, b: Box): boolean {
  return a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
}

/** Every node box and port label as the page places them (a label just outside its port). */
async function drawn(g: GraphModel): Promise<Box[]> {
  const boxes = pageBoxes(g, layoutOf(g));
  const pos = await layoutPositions(g);
  const out: Box[] = [];
  for (const n of g.nodes) {
    const b = boxes.get(n.id);
    const p = pos[n.id];
    if (!b || !p) throw new Error(`no box or position for ${n.id}`);
    out.push(around(n.id, p.x, p.y, b.width, b.height));
    for (const [iface, port] of b.ports) {
      const [ox, oy] = ({ n: [0, -1], s: [0, 1], e: [1, 0], w: [-1, 0] } as const)[port.side];
      const along = port.side === "n" || port.side === "s" ? port.height / 2 + 3 : port.width / 2 + 4;
      out.push(
        around(
          `${n.id}:${iface}`,
          p.x + port.dx + ox * along,
          p.y + port.dy + oy * along,
          port.width,
          port.height,
        ),
      );
    }
  }
  return out;
}

const LABS: [string, () => Promise<GraphModel>][] = [
  ...["examples/seed/bridge.yaml", "examples/routed.yaml", "examples/mixed.yaml", "examples/vlans.yaml"].map(
    (f): [string, () => Promise<GraphModel>] => [f, async () => graphModel(await loadTopology(f))],
  ),
  ...["tree,2,3", "linear,4", "single,8", "linear,3,2"].map((s): [string, () => Promise<GraphModel>] => [
    `--topo ${s}`,
    async () => graphModel(topologyFromObject(generateTopology(s))),
  ]),
];

describe("the web page's boxes and labels", () => {
  it("puts a bridge's ports side by side below it, each as wide as its label", async () => {
    const g = graphModel(await loadTopology("examples/vlans.yaml"));
    const sw = pageBoxes(g, layoutOf(g)).get("sw");
    const ports = [...(sw?.ports.values() ?? [])];
    expect(ports.map((p) => p.side)).toEqual(["s", "s", "s", "s"]);
    for (let i = 1; i < ports.length; i++)
      expect(ports[i]!.dx - ports[i - 1]!.dx).toBeGreaterThanOrEqual(
        (ports[i]!.width + ports[i - 1]!.width) / 2,
      );
    // The bridge is as wide as its ports; its links leave from its bottom edge.
    expect(sw?.width).toBeGreaterThanOrEqual(ports.reduce((w, p) => w + p.width, 0));
    for (const p of ports) expect(p.dy).toBe((sw?.height ?? 0) / 2);
  });

  for (const [name, load] of LABS)
    it(`${name}: no label on a node or on another label`, async () => {
      const boxes = await drawn(await load());
      for (let i = 0; i < boxes.length; i++)
        for (let k = i + 1; k < boxes.length; k++)
          expect(overlap(boxes[i]!, boxes[k]!), `${boxes[i]!.what} overlaps ${boxes[k]!.what}`).toBe(false);
    });
});
