/** The problems `status` reads from a lab's own kernel objects, and a lab found without a record. */
import { describe, expect, it } from "vitest";
import { kernelProblems } from "../../../src/lab/kernel-health.js";
import type { InterfaceReport, NodeReport } from "../../../src/lab/status.js";
import { unrecordedReport } from "../../../src/lab/unrecorded.js";
import { parseTopology } from "../../../src/model/load.js";

const topo = parseTopology("name: kh\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:e0, b:e0]\n");
const repair = "nslab up kh";

function iface(over: Partial<InterfaceReport> = {}): InterfaceReport {
  return { name: "e0", present: true, up: true, adminUp: true, operstate: "UP", addresses: [], ...over };
}
function node(name: string, over: Partial<NodeReport> = {}, i: InterfaceReport = iface()): NodeReport {
  return {
    name,
    kind: "netns",
    kernelName: `kh-${name}`,
    present: true,
    owned: true,
    routes: [],
    interfaces: [i],
    ...over,
  };
}

describe("a lab's kernel problems", () => {
  it("an address written for an interface and gone from it", () => {
    const t = parseTopology(
      "name: kh\nnodes:\n  a: {interfaces: {e0: 10.9.0.1/24}}\n  b: {}\nlinks:\n  - [a:e0, b:e0]\n",
    );
    const well = node("a", {}, iface({ addresses: ["10.9.0.1/24", "fe80::1/64"] }));
    expect(kernelProblems("kh", t, [well, node("b")], repair, true)).toEqual([]);
    expect(kernelProblems("kh", t, [node("a"), node("b")], repair, true)).toEqual([
      {
        what: "address 10.9.0.1/24 is missing",
        where: "node a, interface e0",
        fix: "nslab up kh (re-creates what is missing, in place)",
        check: "kernel",
      },
    ]);
  });

  it("a route written for a namespace and gone from its table (judged with its interfaces well)", () => {
    const t = parseTopology(
      "name: kh\nnodes:\n  a: {interfaces: {e0: 10.9.0.1/24}, routes: [{to: 10.8.0.0/16, via: 10.9.0.2}, {to: default, via: 10.9.0.254}]}\n  b: {}\nlinks:\n  - [a:e0, b:e0]\n",
    );
    const addr = { addresses: ["10.9.0.1/24"] };
    const routes = [
      { dst: "10.8.0.0/16", via: "10.9.0.2", dev: "e0" },
      { dst: "0.0.0.0/0", via: "10.9.0.254", dev: "e0" },
    ];
    expect(kernelProblems("kh", t, [node("a", { routes }, iface(addr)), node("b")], repair, true)).toEqual(
      [],
    );
    // Through another gateway is not the route written.
    const other = [routes[0]!, { dst: "0.0.0.0/0", via: "10.9.0.253", dev: "e0" }];
    expect(
      kernelProblems("kh", t, [node("a", { routes: other }, iface(addr)), node("b")], repair, true),
    ).toEqual([
      {
        what: "route to 0.0.0.0/0 via 10.9.0.254 is missing",
        where: "node a",
        fix: "nslab up kh (re-creates what is missing, in place)",
        check: "kernel",
      },
    ]);
    // Its interface down took the routes along: that is the problem reported, with its fix.
    const down = iface({ ...addr, up: false, adminUp: false, operstate: "DOWN" });
    expect(
      kernelProblems("kh", t, [node("a", { routes: [] }, down), node("b")], repair, true).map((p) => p.what),
    ).toEqual(["interface e0 is administratively down"]);
  });

  it("none when every node and interface is there and up", () => {
    expect(kernelProblems("kh", topo, [node("a"), node("b")], repair, true)).toEqual([]);
  });

  it("a missing namespace: one problem (its interfaces went with it), repaired by up", () => {
    const found = kernelProblems("kh", topo, [node("a", { present: false }), node("b")], repair, true);
    expect(found).toEqual([
      {
        what: "namespace kh-a is missing",
        where: "node a",
        fix: "nslab up kh (re-creates what is missing, in place)",
        check: "kernel",
      },
    ]);
  });

  it("a deleted veth end; its peer without carrier points at it", () => {
    const found = kernelProblems(
      "kh",
      topo,
      [
        node("a", {}, iface({ present: false, up: false, adminUp: false, operstate: "ABSENT" })),
        node("b", {}, iface({ up: false, operstate: "LOWERLAYERDOWN", peer: "a:e0" })),
      ],
      repair,
      true,
    );
    expect(found.map((p) => p.what)).toEqual([
      "interface e0 is missing",
      "interface e0 has no carrier (LOWERLAYERDOWN): its peer a:e0 is down or missing",
    ]);
    expect(found[1]!.fix).toBe("bring the peer up: nslab link kh a:e0 up (or: nslab up kh)");
  });

  it("an end taken down by hand is administratively down, brought up with nslab link", () => {
    const found = kernelProblems(
      "kh",
      topo,
      [node("a", {}, iface({ up: false, adminUp: false, operstate: "DOWN" })), node("b")],
      repair,
      true,
    );
    expect(found[0]).toMatchObject({
      what: "interface e0 is administratively down",
      fix: "nslab link kh a:e0 up (or: nslab up kh)",
    });
  });
});

describe("a lab found by its markers alone", () => {
  it("is record-missing, unhealthy, counts its objects, and is removed with down", () => {
    const r = unrecordedReport("lost", [
      { kind: "netns", name: "x-a" },
      { kind: "netns", name: "x-b" },
      { kind: "link", name: "x-br" },
    ]);
    expect(r.status).toBe("record-missing");
    expect(r.healthy).toBe(false);
    expect(r.health[0]!.what).toContain("(2 namespaces, 1 link)");
    expect(r.health[0]!.fix).toMatch(/^nslab down lost /);
  });

  it("with only /etc/netns entries left (a reboot), says so and that down removes them", () => {
    const one = unrecordedReport("gone", [{ kind: "etc-netns", name: "x-a" }]);
    expect(one.health[0]!.what).toMatch(/^only its 1 \/etc\/netns entry is left, .* went without a `down`/);
    const two = unrecordedReport("gone", [
      { kind: "etc-netns", name: "x-a" },
      { kind: "etc-netns", name: "x-b" },
    ]);
    expect(two.health[0]!.what).toMatch(/^only its 2 \/etc\/netns entries are left,/);
    expect(two.health[0]!.fix).toMatch(/^nslab down gone \(removes them;/);
    // Beside the lab's other objects, the entries are counted with them.
    const more = unrecordedReport("lost", [
      { kind: "netns", name: "x-a" },
      { kind: "etc-netns", name: "x-a" },
    ]);
    expect(more.health[0]!.what).toContain("(1 namespace, 1 /etc/netns entry)");
  });
});
