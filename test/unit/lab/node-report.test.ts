/** One node's report from the agent's compact dump (namespaces) and the root's dump (bridges). */
import { describe, expect, it } from "vitest";
import { type CompactDump, type CompactLink, fromCompactDump } from "../../../src/drivers/nsagent/compact.js";
import { indexDump, namespaceReport, nodeReport, topologyIndexes } from "../../../src/lab/node-report.js";
import { parseTopology } from "../../../src/model/load.js";
import type { Node } from "../../../src/model/types.js";

const t = parseTopology(
  [
    "name: nr",
    "nodes:",
    "  a: {interfaces: {e0: 10.9.0.1/24}}",
    "  b: {}",
    "  s: {kind: bridge}",
    "links:",
    "  - [a:e0, s:p1]",
    "  - [b:e0, s:p2]",
  ].join("\n"),
);
const a = t.nodes.find((n) => n.name === "a") as Node & { kind: "netns" };
const b = t.nodes.find((n) => n.name === "b") as Node & { kind: "netns" };
const s = t.nodes.find((n) => n.name === "s") as Exclude<Node, { kind: "netns" }>;
const ifA = a.interfaces[0]!.ifname;

function link(ifindex: number, name: string, over: Partial<Record<number, unknown>> = {}): CompactLink {
  const l: CompactLink = [
    ifindex,
    name,
    "veth",
    0x11043,
    6,
    1500,
    "aa:bb:cc:dd:ee:01",
    null,
    0,
    null,
    9,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
  ];
  for (const [k, v] of Object.entries(over)) (l as unknown[])[Number(k)] = v;
  return l;
}

const ctx = { lab: "nr", ...topologyIndexes(t) };

describe("namespaceReport", () => {
  const dump: CompactDump = [
    [link(1, "lo", { 2: null, 7: "nslab:nr" }), link(2, ifA)],
    [
      [1, 4, "127.0.0.1/8", 254],
      [2, 4, "10.9.0.1/24", 0],
      [2, 6, "fe80::1/64", 253],
    ],
    [
      [4, "10.9.0.0/24", null, 2, null, 2, 253, 254],
      [4, "10.8.0.0/16", "10.9.0.254", 2, null, 4, 0, 254],
      [4, "10.7.0.0/16", null, 7, null, 4, 253, 254],
      [6, "fe80::/64", null, 2, 256, 3, 0, 254],
    ],
  ];

  it("reports its interfaces, addresses (no host scope), routes (not the kernel's) and its marker", () => {
    expect(namespaceReport(a, dump, ctx)).toEqual({
      name: "a",
      kind: "netns",
      kernelName: a.netns,
      present: true,
      owned: true,
      interfaces: [
        {
          name: ifA,
          present: true,
          up: true,
          operstate: "UP",
          adminUp: true,
          mtu: 1500,
          mac: "aa:bb:cc:dd:ee:01",
          addresses: ["10.9.0.1/24", "fe80::1/64"],
          peer: "s:p1",
          stats: {
            rxBytes: 1,
            txBytes: 2,
            rxPackets: 3,
            txPackets: 4,
            rxErrors: 5,
            txErrors: 6,
            rxDropped: 7,
            txDropped: 8,
          },
        },
      ],
      routes: [
        { dst: "10.8.0.0/16", via: "10.9.0.254", dev: ifA },
        // An interface it does not know any more: its index.
        { dst: "10.7.0.0/16", dev: "7" },
      ],
    });
  });

  it("matches what the object form of the same dump gave (as status made it before)", () => {
    const d = fromCompactDump(dump);
    const l = d.links[1]!;
    const report = namespaceReport(a, dump, ctx).interfaces[0]!;
    expect(report).toMatchObject({ up: l.up, adminUp: l.up, operstate: l.operstate, stats: l.stats });
  });

  it("is up by its carrier flag, not by the operational state the kernel updates later", () => {
    const with_ = (flags: number, operstate: number) =>
      namespaceReport(a, [[link(1, "lo"), link(2, ifA, { 3: flags, 4: operstate })], [], []], ctx)
        .interfaces[0]!;
    // The peer just came up: carrier on, operstate still DOWN (2) until the link watch runs.
    expect(with_(0x11043, 2)).toMatchObject({ up: true, adminUp: true, operstate: "DOWN" });
    // The peer just went down: carrier off, operstate still UP (6).
    expect(with_(0x1043, 6)).toMatchObject({ up: false, adminUp: true, operstate: "UP" });
    // Administratively down, whatever the rest says.
    expect(with_(0x11042, 6)).toMatchObject({ up: false, adminUp: false });
  });

  it("an interface set down, one missing, and a namespace gone", () => {
    const down: CompactDump = [[link(2, ifA, { 3: 0x1002, 4: 2 })], [], []];
    expect(namespaceReport(a, down, ctx).interfaces[0]).toMatchObject({
      present: true,
      up: false,
      adminUp: false,
      operstate: "DOWN",
    });
    expect(namespaceReport(a, [[], [], []], ctx)).toMatchObject({
      present: true,
      owned: false,
      interfaces: [{ name: ifA, present: false, operstate: "ABSENT", addresses: [], peer: "s:p1" }],
    });
    expect(namespaceReport(b, undefined, ctx)).toMatchObject({
      present: false,
      owned: false,
      interfaces: [{ present: false, operstate: "ABSENT" }],
      routes: [],
    });
  });
});

describe("nodeReport (a bridge, from the root namespace)", () => {
  const [p1, p2] = s.interfaces.map((i) => i.ifname);
  const root = indexDump(
    fromCompactDump([
      [
        link(10, s.ifname, { 2: "bridge", 7: "nslab:nr" }),
        link(11, p1!, { 9: 10 }),
        link(12, p2!, { 9: 99 }),
      ],
      [],
      [],
    ]),
  );
  it("a port of its bridge, a port of another, and its marker", () => {
    const r = nodeReport(s, {
      ...ctx,
      root,
      ovsPorts: new Map(),
      ovsBridges: new Set(),
      openflow: new Map(),
    });
    expect(r).toMatchObject({ name: "s", kind: "bridge", present: true, owned: true, routes: [] });
    expect(r.interfaces.map((i) => [i.name, i.present, i.peer])).toEqual([
      [p1, true, "a:e0"],
      [p2, false, "b:e0"],
    ]);
  });
});
