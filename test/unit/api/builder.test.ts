/**
 * The builder writes what the YAML files parse to: the three seed experiments built in code equal
 * the seed files' raw objects and resolved topologies, and builder topologies fail exactly as the
 * same object does.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { NslabError, TopologyError } from "../../../src/errors.js";
import { defineTopology } from "../../../src/model/builder.js";
import { loadTopology, parseTopology, topologyFromObject } from "../../../src/model/load.js";
import type { Topology } from "../../../src/model/types.js";

const seed = (name: string) =>
  join(import.meta.dirname, "..", "..", "..", "examples", "seed", `${name}.yaml`);
const rawOf = (name: string) => parse(readFileSync(seed(name), "utf8"));

/** The seeds, each built in code with the helpers (not by copying the spec). */
const built = {
  direct: () =>
    defineTopology("seed-direct")
      .node("ns1")
      .address("ns1:veth0", "10.1.1.2/24")
      .node("ns2")
      .address("ns2:veth1", "10.1.1.3/24")
      .link("ns1:veth0", "ns2:veth1"),
  bridge: () =>
    defineTopology("seed-bridge")
      .node("ns1")
      .address("ns1:veth0", "10.1.1.2/24")
      .node("ns2")
      .address("ns2:veth1", "10.1.1.3/24")
      .bridge("br0")
      .link("ns1:veth0", "br0:br-veth0")
      .link("ns2:veth1", "br0:br-veth1"),
  ovs: () =>
    defineTopology("seed-ovs")
      .node("ns1", { interfaces: { veth0: "10.1.1.2/24" } })
      .node("ns2", { interfaces: { veth1: "10.1.1.3/24" } })
      .ovsBridge("ovs-br")
      .link("ns1:veth0", "ovs-br:ovs-veth0")
      .link("ns2:veth1", "ovs-br:ovs-veth1"),
};

/** A resolved topology without where it came from (file paths, positions). */
function withoutSources(t: Topology): unknown {
  return JSON.parse(JSON.stringify(t, (k, v) => (k === "src" || k === "at" || k === "file" ? undefined : v)));
}

describe("TopologyBuilder", () => {
  for (const [name, build] of Object.entries(built)) {
    it(`builds examples/seed/${name}.yaml: the same raw object and the same resolved topology`, async () => {
      const b = build();
      expect(b.toSpec()).toEqual(rawOf(name));
      const fromFile = await loadTopology(seed(name));
      expect(withoutSources(b.toTopology())).toEqual(withoutSources(fromFile));
      // With a name and a prefix too (what withLab does).
      const opts = { name: "x-1", prefix: "w00-" };
      expect(withoutSources(b.toTopology(opts))).toEqual(
        withoutSources(await loadTopology(seed(name), opts)),
      );
      // And through YAML text.
      expect(withoutSources(parseTopology(b.toYaml()))).toEqual(withoutSources(fromFile));
    });
  }

  it("keeps the shortest interface form, like a hand-written file", () => {
    const spec = defineTopology("forms")
      .node("a")
      .address("a:e0", "10.0.0.1/24")
      .address("a:e1", "10.0.1.1/24", "fd00::1/64")
      .address("a:e2", "10.0.2.1/24")
      .mtu("a:e2", 1400)
      .interface("a:e3")
      .mac("a:e3", "02:00:00:00:00:03")
      .interface("a:e4")
      .bridge("br")
      .interface("br:p1", { mtu: 9000 })
      .interface("br:p2")
      .toSpec();
    expect(spec.nodes).toEqual({
      a: {
        interfaces: {
          e0: "10.0.0.1/24",
          e1: ["10.0.1.1/24", "fd00::1/64"],
          e2: { addresses: ["10.0.2.1/24"], mtu: 1400 },
          e3: { mac: "02:00:00:00:00:03" },
          e4: null,
        },
      },
      br: { kind: "bridge", interfaces: { p1: { mtu: 9000 }, p2: null } },
    });
  });

  it("writes routes, sysctls, link settings and OVS options as the format does", () => {
    const b = defineTopology("routed")
      .node("r1", { interfaces: { e0: "10.0.0.1/24" } })
      .sysctl("r1", "net.ipv4.ip_forward", 1)
      .node("h1")
      .address("h1:e0", "10.0.0.2/24")
      .route("h1", { to: "default", via: "10.0.0.1" })
      .route("h1", { to: "10.9.0.0/16", dev: "e0", metric: 10 })
      .ovsBridge("sw", { datapath: "netdev", stp: false })
      .link("r1:e0", "h1:e0", { mtu: 9000 });
    expect(b.toSpec()).toEqual(
      parse(`
name: routed
nodes:
  r1:
    interfaces: { e0: 10.0.0.1/24 }
    sysctls: { net.ipv4.ip_forward: 1 }
  h1:
    interfaces: { e0: 10.0.0.2/24 }
    routes:
      - { to: default, via: 10.0.0.1 }
      - { to: 10.9.0.0/16, dev: e0, metric: 10 }
  sw: { kind: ovs-bridge, datapath: netdev, stp: false }
links:
  - { endpoints: [r1:e0, h1:e0], mtu: 9000 }
`),
    );
    const t = b.toTopology();
    const h1 = t.nodes.find((n) => n.name === "h1");
    expect(h1?.kind === "netns" && h1.routes.map((r) => r.to)).toEqual(["0.0.0.0/0", "10.9.0.0/16"]);
  });

  it("round-trips through YAML: MACs stay strings, settings keep their meaning", () => {
    const b = defineTopology("yaml-trip")
      .node("h1")
      .address("h1:eth0", "10.0.0.1/24", "fd00::1/64")
      .mac("h1:eth0", "02:00:00:00:00:01")
      .mtu("h1:eth0", 1400)
      .sysctl("h1", "net.ipv6.conf.all.forwarding", true)
      .route("h1", { to: "default6", via: "fd00::2" })
      .node("h2", { interfaces: { eth0: ["10.0.0.2/24", "fd00::2/64"] } })
      .link("h1:eth0", "h2:eth0", { mtu: 1400 });
    expect(parse(b.toYaml(), { version: "1.2" })).toEqual(b.toSpec());
    expect(withoutSources(parseTopology(b.toYaml()))).toEqual(withoutSources(b.toTopology()));
  });

  it("fails validation exactly as the same object does: every problem, with field paths and the line that wrote it", () => {
    const shape = defineTopology("bad-shape")
      .bridge("br0")
      .interface("br0:p1", { addresses: ["10.0.0.1/24"] } as never);
    const meaning = defineTopology("bad-meaning")
      .node("ns1")
      .address("ns1:veth0", "10.1.1.300/24")
      .bridge("br0", { mtu: 20 })
      .link("ns1:veth0", "ns3:veth1");
    const problems = (b: typeof shape) => {
      const fromBuilder = catchTopologyError(() => b.toTopology());
      const fromObject = catchTopologyError(() => topologyFromObject(b.toSpec())).problems;
      const same = (p: (typeof fromObject)[number]) => ({ message: p.message, path: p.location?.path });
      // (the same problems; their order follows where they were written)
      expect(fromBuilder.problems.map(same)).toEqual(expect.arrayContaining(fromObject.map(same)));
      expect(fromBuilder.problems).toHaveLength(fromObject.length);
      // The builder's problems point at the call that wrote the field: this file.
      for (const p of fromBuilder.problems) {
        expect(p.location?.file).toBe(fileURLToPath(import.meta.url));
        expect(p.location?.line).toBeGreaterThan(0);
      }
      return fromObject.map((p) => `${p.location?.file} ${p.location?.path.join(".")}: ${p.message}`);
    };
    expect(problems(shape)).toEqual([
      "<object> nodes.br0.interfaces.p1.addresses: unknown field 'addresses'",
      // one pass: the model's rules run on the rest of the file too
      "<object> nodes.br0.interfaces.p1: interface 'p1' of node 'br0' is not an end of any link",
    ]);
    expect(problems(meaning)).toEqual([
      expect.stringMatching(/^<object> nodes\.ns1\.interfaces\.veth0: invalid address: .*octet '300'/),
      expect.stringMatching(/^<object> links\.0\.endpoints\.1: endpoint 'ns3:veth1' refers to node 'ns3'/),
      expect.stringMatching(/^<object> nodes\.br0: MTU 20 of bridge br0 is out of range/),
    ]);
  });

  it("reports misuse of the builder itself at once (E_USAGE)", () => {
    const b = defineTopology("x").node("a");
    expect(() => b.node("a")).toThrow(/node 'a' is already defined/);
    expect(() => b.address("nope:e0", "10.0.0.1/24")).toThrow(/has no node 'nope'/);
    expect(() => b.mtu("a" as never, 1500)).toThrow(/not an endpoint/);
    const e = (() => {
      try {
        b.route("b", { to: "default", via: "10.0.0.1" });
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(NslabError);
    expect((e as NslabError).code).toBe("E_USAGE");
    expect((e as NslabError).hint).toContain("its nodes: a");
  });

  it("hands out copies: changing a spec it returned changes nothing", () => {
    const b = defineTopology("copy").node("a", { interfaces: { e0: "10.0.0.1/24" } });
    const spec = b.toSpec();
    (spec.nodes as Record<string, unknown>).b = {};
    expect(Object.keys(b.toSpec().nodes)).toEqual(["a"]);
  });
});

function catchTopologyError(fn: () => unknown): TopologyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TopologyError) return e;
    throw e;
  }
  throw new Error("expected a TopologyError");
}
