/** Layer-2 segments: veth pairs, bridges joined by links, and VLANs on OVS bridges. */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { l2Segments } from "../../../src/model/segments.js";

const segs = (yaml: string) =>
  l2Segments(parseTopology(yaml)).map(
    (s) => `${s.kind} ${s.label}: ${s.ends.map((e) => `${e.node}:${e.iface}`).join(" ")}`,
  );

describe("layer-2 segments", () => {
  it("joins bridges linked to each other into one segment", () => {
    expect(
      segs(`name: s
nodes:
  a: {}
  b: {}
  c: {}
  d: {}
  br1: { kind: bridge }
  br2: { kind: ovs-bridge }
links:
  - [a:eth0, br1:p1]
  - [br1:up, br2:down]
  - [b:eth0, br2:p2]
  - [c:eth0, d:eth0]
`),
    ).toEqual(["lan br1+br2: a:eth0 b:eth0", "p2p c:eth0–d:eth0: c:eth0 d:eth0"]);
  });

  it("keeps VLANs apart, and carries them over an untagged bridge-to-bridge link", () => {
    expect(
      segs(`name: v
nodes:
  a: {}
  b: {}
  c: {}
  d: {}
  s1: { kind: ovs-bridge, interfaces: { pa: { vlan: 10 }, pb: { vlan: 20 } } }
  s2: { kind: ovs-bridge, interfaces: { pc: { vlan: 10 }, pd: { vlan: 20 } } }
links:
  - [a:eth0, s1:pa]
  - [b:eth0, s1:pb]
  - [s1:trunk1, s2:trunk2]
  - [c:eth0, s2:pc]
  - [d:eth0, s2:pd]
`),
    ).toEqual(["lan s1 vlan 10+s2 vlan 10: a:eth0 c:eth0", "lan s1 vlan 20+s2 vlan 20: b:eth0 d:eth0"]);
  });

  it("maps a tagged bridge-to-bridge end to the untagged side", () => {
    expect(
      segs(`name: t
nodes:
  a: {}
  b: {}
  s1: { kind: ovs-bridge, interfaces: { pa: { vlan: 30 }, up: { vlan: 30 } } }
  br: { kind: bridge }
links:
  - [a:eth0, s1:pa]
  - [s1:up, br:down]
  - [b:eth0, br:pb]
`),
    ).toEqual(["lan s1 vlan 30+br: a:eth0 b:eth0"]);
  });
});
