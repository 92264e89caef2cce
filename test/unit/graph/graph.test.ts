/**
 * Lab diagrams: the graph model (kinds, routers, labels, VLANs, MTUs, shaping) and golden
 * Mermaid/DOT of the seed labs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toDot } from "../../../src/graph/dot.js";
import { toMermaid } from "../../../src/graph/mermaid.js";
import { graphModel, plural } from "../../../src/graph/model.js";
import { layoutPositions, renderSvg } from "../../../src/graph/render.js";
import { generatedTopology } from "../../../src/model/generated.js";
import { loadTopology, topologyFromObject } from "../../../src/model/load.js";
import type { Topology } from "../../../src/model/types.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

function golden(name: string, text: string): void {
  const file = join(import.meta.dirname, "golden", name);
  if (UPDATE) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("golden diagrams of the seed labs", () => {
  for (const seed of ["direct", "bridge", "ovs"]) {
    it(`examples/seed/${seed}.yaml as Mermaid and DOT`, async () => {
      const g = graphModel(await loadTopology(`examples/seed/${seed}.yaml`));
      golden(`${seed}.mmd`, toMermaid(g));
      golden(`${seed}.dot`, toDot(g));
    });
  }

  it("docs/diagrams.md shows the current diagrams (npm run diagrams redraws them)", async () => {
    const page = readFileSync("docs/diagrams.md", "utf8");
    for (const seed of ["direct", "bridge", "ovs"]) {
      const g = graphModel(await loadTopology(`examples/seed/${seed}.yaml`));
      expect(page).toContain(
        `<!-- diagram:${seed} -->\n\`\`\`mermaid\n${toMermaid(g)}\`\`\`\n<!-- /diagram -->`,
      );
      expect(readFileSync(`docs/seed-${seed}.svg`, "utf8")).toBe(await renderSvg(g));
    }
    for (const example of ["routed", "vlans", "mixed"]) {
      const g = graphModel(await loadTopology(`examples/${example}.yaml`));
      expect(readFileSync(`docs/example-${example}.svg`, "utf8")).toBe(await renderSvg(g));
    }
    for (const spec of ["tree,2,3", "linear,4"]) {
      const svg = await renderSvg(graphModel(generatedTopology(spec)));
      expect(readFileSync(`docs/topo-${spec.replaceAll(",", "-")}.svg`, "utf8")).toBe(svg);
    }
  });
});

/** Two LANs joined by a namespace that forwards. */
const routed = {
  name: "routed",
  nodes: {
    h1: { interfaces: { eth0: "10.0.1.2/24" }, routes: [{ to: "default", via: "10.0.1.1" }] },
    r1: {
      interfaces: { eth0: "10.0.1.1/24", eth1: ["10.0.2.1/24", "fd00:2::1/64"] },
      sysctls: { "net.ipv4.ip_forward": 1 },
    },
    r6: { interfaces: { eth0: "fd00:3::1/64" }, sysctls: { "net/ipv6/conf/all/forwarding": "1" } },
    off: { interfaces: { eth0: "10.0.4.1/24" }, sysctls: { "net.ipv4.ip_forward": 0 } },
    sw: { kind: "bridge" },
    ovs: { kind: "ovs-bridge" },
  },
  links: [
    ["h1:eth0", "r1:eth0"],
    ["r1:eth1", "sw:p1"],
    ["r6:eth0", "ovs:p3"],
    ["off:eth0", "sw:p2"],
    ["sw:up", "ovs:down"],
  ],
};

describe("graph model", () => {
  it("draws a namespace whose sysctls enable forwarding as a router", () => {
    const g = graphModel(topologyFromObject(routed));
    const kinds = Object.fromEntries(g.nodes.map((n) => [n.id, n.kind]));
    expect(kinds).toEqual({
      h1: "netns",
      r1: "router",
      r6: "router",
      off: "netns",
      sw: "bridge",
      ovs: "ovs-bridge",
    });
  });

  it("draws a node of kind 'router' as a router (kinds added later)", () => {
    const t = topologyFromObject(routed);
    const future = {
      ...t,
      nodes: t.nodes.map((n) => (n.name === "h1" ? { ...n, kind: "router" } : n)),
    } as unknown as Topology;
    expect(graphModel(future).nodes.find((n) => n.id === "h1")?.kind).toBe("router");
  });

  it("labels each end of a link with its kernel interface name and addresses", () => {
    const g = graphModel(topologyFromObject(routed, { prefix: "x0a0b-" }));
    const e = g.edges.find((x) => x.a.node === "r1" && x.b.node === "sw");
    expect(e?.a).toEqual({
      node: "r1",
      iface: "eth1",
      ifname: "eth1",
      addresses: ["10.0.2.1/24", "fd00:2::1/64"],
    });
    expect(e?.b).toEqual({ node: "sw", iface: "p1", ifname: "x0a0b-p1", addresses: [] });
    expect(g.nodes.find((n) => n.id === "r1")?.kernelName).toBe("x0a0b-r1");
    const mermaid = toMermaid(g);
    expect(mermaid).toContain('"eth1 10.0.2.1/24 fd00:2::1/64 — x0a0b-p1"');
    expect(mermaid).toContain('{{"r1<br/><small>router</small>"}}');
    // In DOT each interface is a port of its node: name, addresses, on the side its link leaves.
    const dot = toDot(g);
    expect(dot).toContain("<B>eth1</B><BR/>10.0.2.1/24<BR/>fd00:2::1/64");
    expect(dot).toContain('<B>r1</B><BR/>(x0a0b-r1)<BR/><FONT POINT-SIZE="9">router</FONT>');
    // r1 — sw — ovs is this lab's chain: r1's eth1 on its right, sw's p1 on its left.
    expect(dot).toContain('"r1":p1:e -- "sw":p0:w');
  });

  it("escapes quotes in DOT and Mermaid labels", () => {
    const g = graphModel(topologyFromObject(routed));
    g.lab = 'a "lab"';
    g.nodes[0]!.id = 'h"1';
    expect(toDot(g)).toContain('graph "a \\"lab\\"" {');
    expect(toMermaid(g)).toContain("h#quot;1");
  });

  it("switches DOT to sfdp for large labs", () => {
    const nodes: Record<string, unknown> = { core: { kind: "bridge" } };
    const links: string[][] = [];
    for (let i = 0; i < 200; i++) {
      nodes[`h${i}`] = { interfaces: { eth0: `10.0.${i >> 8}.${(i & 255) + 1}/16` } };
      links.push([`h${i}:eth0`, `core:p${i}`]);
    }
    const dot = toDot(graphModel(topologyFromObject({ name: "big", nodes, links })));
    expect(dot).toContain("layout=sfdp");
    expect(dot).not.toContain("rankdir");
  });
});

/** Everything a port or link can carry: VLANs, shaping, MTUs of links, ports and bridges. */
const loaded = {
  name: "loaded",
  nodes: {
    a: { interfaces: { eth0: "10.30.0.1/30", eth1: { addresses: ["10.31.0.1/24"], mtu: 1400 } } },
    b: { interfaces: { eth0: "10.30.0.2/30" } },
    c: { interfaces: { eth0: "10.31.0.2/24" } },
    sw: { kind: "ovs-bridge", interfaces: { p1: { vlan: 10 }, p2: { vlan: 20 } } },
    br: { kind: "bridge", mtu: 9000 },
  },
  links: [
    { endpoints: ["a:eth0", "b:eth0"], rate: "20mbit", delay: "20ms", jitter: "5ms", loss: "1%", mtu: 9000 },
    ["a:eth1", "sw:p1"],
    { endpoints: ["c:eth0", "sw:p2"], rate: "5mbit" },
    ["sw:up", "br:down"],
  ],
};

describe("VLANs, shaping and MTUs are drawn", () => {
  const g = graphModel(topologyFromObject(loaded));

  it("keeps them in the model: on the end they apply to, or on the link", () => {
    const ab = g.edges.find((e) => e.a.node === "a" && e.b.node === "b");
    expect(ab?.mtu).toBe(9000);
    expect(ab?.shaping).toEqual({ rateBps: 20e6, delayUs: 20_000, jitterUs: 5000, lossPct: 1 });
    expect(g.edges.find((e) => e.a.iface === "eth1")).toMatchObject({ a: { mtu: 1400 }, b: { vlan: 10 } });
    expect(g.nodes.find((n) => n.id === "br")?.mtu).toBe(9000);
  });

  it("in DOT and SVG: VLAN and MTU in the port, shaping and link MTU in the link's middle", async () => {
    const dot = toDot(g);
    expect(dot).toMatch(/<B>p1<\/B><BR\/><FONT COLOR="#[0-9a-f]{6}"><B>vlan 10<\/B><\/FONT>/);
    expect(dot).toContain("<B>eth1</B><BR/>10.31.0.1/24<BR/>mtu 1400");
    expect(dot).toContain("label=<rate 20mbit, delay 20ms ± 5ms, loss 1%<BR/>mtu 9000>");
    expect(dot).toContain("label=<rate 5mbit>");
    expect(dot).toContain("Linux bridge · mtu 9000");
    // Each VLAN's links in a colour of its own.
    const linkColors = [...dot.matchAll(/ -- [^[]*\[[^\]]*color="(#[0-9a-f]{6})", penwidth=2/g)].map(
      (m) => m[1],
    );
    expect(new Set(linkColors).size).toBe(2);
    const svg = (await renderSvg(g)).replaceAll("&#45;", "-").replaceAll("&#177;", "±");
    for (const text of [
      "vlan 10",
      "vlan 20",
      "mtu 1400",
      "mtu 9000",
      "rate 5mbit",
      "rate 20mbit, delay 20ms ± 5ms, loss 1%",
    ])
      expect(svg).toContain(text);
  });

  it("in Mermaid: on the link's label, VLAN links coloured", () => {
    const m = toMermaid(g);
    expect(m).toContain(
      '"eth0 10.30.0.1/30 — eth0 10.30.0.2/30<br/>rate 20mbit, delay 20ms ± 5ms, loss 1%<br/>mtu 9000"',
    );
    expect(m).toContain("eth1 10.31.0.1/24 mtu 1400 — p1 vlan 10");
    expect(m).toMatch(/linkStyle 1 stroke:#[0-9a-f]{6},stroke-width:2px/);
    expect(m).toContain("Linux bridge · mtu 9000");
  });

  it("counts in words: 1 link, 2 links", () => {
    expect(plural(1, "link")).toBe("1 link");
    expect(plural(0, "node")).toBe("0 nodes");
    expect(plural(2, "link")).toBe("2 links");
  });
});

describe("Graphviz in WebAssembly", () => {
  it("renders a seed lab as SVG with every node and interface label", async () => {
    const svg = await renderSvg(graphModel(await loadTopology("examples/seed/bridge.yaml")));
    const text = svg.replaceAll("&#45;", "-");
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain("<svg");
    for (const label of ["ns1", "ns2", "br0", "Linux bridge", "br-veth0", "10.1.1.3/24"])
      expect(text).toContain(label);
  });

  it("lays out nodes deterministically, closest nodes about `spacing` apart", async () => {
    const g = graphModel(topologyFromObject(routed));
    const a = await layoutPositions(g, 50);
    const b = await layoutPositions(g, 50);
    expect(a).toEqual(b);
    expect(Object.keys(a).sort()).toEqual(g.nodes.map((n) => n.id).sort());
    const pts = Object.values(a);
    const d = Math.min(
      ...pts.flatMap((p, i) => pts.slice(i + 1).map((q) => Math.hypot(p.x - q.x, p.y - q.y))),
    );
    expect(d).toBeGreaterThan(20);
  });
});
