/**
 * Diagram geometry, measured on Graphviz's own layout of every example and of generated labs: no
 * node overlaps another, every line of text sits inside its box clear of the border, and the
 * labels in the middle of links (shaping, MTU) touch no node and no other label.
 */
import { instance, type Viz } from "@viz-js/viz";
import { beforeAll, describe, expect, it } from "vitest";
import { engineFor, toDot } from "../../../src/graph/dot.js";
import { type GraphModel, graphModel } from "../../../src/graph/model.js";
import { loadTopology, topologyFromObject } from "../../../src/model/load.js";
import { generateTopology } from "../../../src/sources/mininet/index.js";

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface DrawOp {
  op: string;
  points?: [number, number][];
  pt?: [number, number];
  width?: number;
  align?: "l" | "c" | "r";
  text?: string;
  size?: number;
}
interface LayoutJson {
  objects?: { name: string; pos?: string; width?: string; height?: string; _ldraw_?: DrawOp[] }[];
  edges?: { _ldraw_?: DrawOp[] }[];
}

/** A lab with everything a link or port can carry: VLANs, shaping, link and port MTUs, a router. */
const loaded = {
  name: "loaded",
  nodes: {
    a: { interfaces: { eth0: "10.30.0.1/30", eth1: { addresses: ["10.31.0.1/24"], mtu: 1400 } } },
    b: { interfaces: { eth0: "10.30.0.2/30" } },
    r: { kind: "router", interfaces: { eth0: "10.32.0.1/24", eth1: "10.33.0.1/24" } },
    c: { interfaces: { eth0: "10.32.0.2/24" } },
    d: { interfaces: { eth0: "10.33.0.2/24" } },
    sw: { kind: "ovs-bridge", interfaces: { p1: { vlan: 10 }, p2: { vlan: 20 }, p3: { vlan: 10 } } },
    br: { kind: "bridge", mtu: 9000 },
  },
  links: [
    { endpoints: ["a:eth0", "b:eth0"], rate: "20mbit", delay: "20ms", jitter: "5ms", loss: "1%", mtu: 9000 },
    ["a:eth1", "sw:p1"],
    { endpoints: ["r:eth0", "sw:p2"], rate: "5mbit" },
    ["c:eth0", "sw:p3"],
    { endpoints: ["r:eth1", "br:p4"], mtu: 9000 },
    ["d:eth0", "br:p5"],
  ],
};

const LABS: [string, () => Promise<GraphModel>][] = [
  ...[
    "examples/seed/direct.yaml",
    "examples/seed/bridge.yaml",
    "examples/seed/ovs.yaml",
    "examples/routed.yaml",
    "examples/mixed.yaml",
    "examples/vlans.yaml",
  ].map((f): [string, () => Promise<GraphModel>] => [f, async () => graphModel(await loadTopology(f))]),
  ...["tree,2,3", "linear,4", "linear,25", "torus,3,3", "single,6", "linear,3,2"].map(
    (s): [string, () => Promise<GraphModel>] => [
      `--topo ${s}`,
      async () => graphModel(topologyFromObject(generateTopology(s))),
    ],
  ),
  ["a lab with VLANs, shaping and MTUs", async () => graphModel(topologyFromObject(loaded))],
];

function overlap(a: Box, b: Box, slack = 0.5): boolean {
  return a.x0 < b.x1 - slack && b.x0 < a.x1 - slack && a.y0 < b.y1 - slack && b.y0 < a.y1 - slack;
}

function rect(points: [number, number][]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** The box a text operation covers (y is the baseline; Graphviz's y grows upwards). */
function textBox(t: DrawOp, size: number): Box {
  const [x, y] = t.pt ?? [0, 0];
  const w = t.width ?? 0;
  const x0 = t.align === "c" ? x - w / 2 : t.align === "r" ? x - w : x;
  return { x0, y0: y - 0.25 * size, x1: x0 + w, y1: y + 0.8 * size };
}

/** Every text of a draw list with the font size in force. */
function texts(ops: DrawOp[]): { op: DrawOp; box: Box }[] {
  let size = 10;
  const out: { op: DrawOp; box: Box }[] = [];
  for (const o of ops) {
    if (o.op === "F") size = o.size ?? size;
    if (o.op === "T") out.push({ op: o, box: textBox(o, size) });
  }
  return out;
}

let viz: Viz;
beforeAll(async () => {
  viz = await instance();
});

describe("diagram geometry (Graphviz's layout of toDot)", () => {
  for (const [name, load] of LABS)
    it(`${name}: nodes apart, text inside its box, link labels clear`, async () => {
      const g = await load();
      const json = viz.renderJSON(toDot(g), { engine: engineFor(g) }) as LayoutJson;
      const nodes = (json.objects ?? []).filter((o) => o.pos);
      expect(nodes.map((n) => n.name).sort()).toEqual(g.nodes.map((n) => n.id).sort());
      const boxes = nodes.map((n) => {
        const [x, y] = (n.pos ?? "0,0").split(",").map(Number) as [number, number];
        const w = (Number(n.width) * 72) / 2;
        const h = (Number(n.height) * 72) / 2;
        return { name: n.name, box: { x0: x - w, y0: y - h, x1: x + w, y1: y + h } };
      });
      for (let i = 0; i < boxes.length; i++)
        for (let k = i + 1; k < boxes.length; k++)
          expect(overlap(boxes[i]!.box, boxes[k]!.box), `${boxes[i]!.name} overlaps ${boxes[k]!.name}`).toBe(
            false,
          );

      for (const n of nodes) {
        const ops = n._ldraw_ ?? [];
        const cells = ops
          .filter((o) => (o.op === "P" || o.op === "p") && o.points)
          .map((o) => rect(o.points ?? []));
        for (const { op, box } of texts(ops)) {
          // The smallest cell around the text's middle holds all of it, 3 points clear of each side.
          const mx = (box.x0 + box.x1) / 2;
          const my = (box.y0 + box.y1) / 2;
          const around = cells
            .filter((c) => c.x0 <= mx && mx <= c.x1 && c.y0 <= my && my <= c.y1)
            .sort((a, b) => (a.x1 - a.x0) * (a.y1 - a.y0) - (b.x1 - b.x0) * (b.y1 - b.y0))[0];
          expect(around, `'${op.text}' of ${n.name} lies in no box`).toBeDefined();
          if (!around) continue;
          expect(
            box.x0 - around.x0,
            `'${op.text}' of ${n.name} touches its box's left side`,
          ).toBeGreaterThanOrEqual(3);
          expect(
            around.x1 - box.x1,
            `'${op.text}' of ${n.name} touches its box's right side`,
          ).toBeGreaterThanOrEqual(3);
        }
      }

      const labels = (json.edges ?? []).flatMap((e) => texts(e._ldraw_ ?? []));
      for (const l of labels) {
        for (const b of boxes) expect(overlap(l.box, b.box), `'${l.op.text}' lies on ${b.name}`).toBe(false);
        for (const m of labels)
          if (m !== l) expect(overlap(l.box, m.box), `'${l.op.text}' lies on '${m.op.text}'`).toBe(false);
      }
      if (name.startsWith("a lab with")) expect(labels.map((l) => l.op.text)).toContain("mtu 9000");
    });
});
