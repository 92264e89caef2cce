/** The FRR configurations nslab writes: golden files for the examples, and the choices behind them. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTopology, parseTopology } from "../../../src/model/load.js";
import type { Topology } from "../../../src/model/types.js";
import { type FrrHost, planFrr } from "../../../src/plan/frr/routers.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const host: FrrHost = {
  dir: "/usr/lib/frr",
  vtysh: "/usr/bin/vtysh",
  version: "8.4.4",
  daemons: ["zebra", "staticd", "bgpd", "ospfd", "ospf6d", "ldpd"],
};

/** Every router's daemons and frr.conf, as one text. */
function render(t: Topology): string {
  const p = planFrr(t, host, new Map());
  expect(p.problems).toEqual([]);
  return p.routers
    .map((r) =>
      [`### ${r.node}`, ...r.daemons.map((d) => `# ${d.argv.join(" ")}`), file(t, r.node, "frr.conf")].join(
        "\n",
      ),
    )
    .join("\n");
}

function file(t: Topology, node: string, name: string): string {
  const r = planFrr(t, host, new Map()).routers.find((x) => x.node === node);
  const f = r?.files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} for ${node}`);
  return f.content;
}

describe("generated FRR configurations", () => {
  for (const lab of ["ospf-ring", "bgp"])
    it(`examples/${lab}.yaml (golden)`, async () => {
      const text = render(await loadTopology(`examples/${lab}.yaml`));
      const golden = join(import.meta.dirname, "golden", `${lab}.conf`);
      if (UPDATE) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, "utf8"));
    });

  it("splits the configuration per daemon, each file with the header and its own lines", async () => {
    const t = await loadTopology("examples/ospf-ring.yaml");
    const r = planFrr(t, host, new Map()).routers[0]!;
    expect(r.files.map((f) => f.name)).toEqual([
      "frr.conf",
      "daemons",
      "zebra.conf",
      "staticd.conf",
      "ospfd.conf",
      "ospf6d.conf",
      "vtysh.conf",
    ]);
    const ospfd = file(t, "r1", "ospfd.conf");
    expect(ospfd).toContain("router ospf\n ospf router-id 10.255.0.1");
    expect(ospfd).not.toMatch(/ospf6/);
    expect(file(t, "r1", "ospf6d.conf")).not.toMatch(/ ip ospf|router ospf\n/);
    expect(file(t, "r1", "zebra.conf")).toBe(
      "! router r1 of lab ospf-ring: written by nslab (routing: ospf)\nfrr defaults traditional\nhostname r1\n!\n",
    );
    expect(file(t, "r1", "daemons")).toBe("zebra=yes\nstaticd=yes\nospfd=yes\nospf6d=yes\n");
    // Each daemon loads its own file; zebra is ready when its API socket appears, the others after it.
    expect(r.daemons.map((d) => [d.name, d.readyFile, d.after ?? "-", d.argv.at(-1)])).toEqual([
      ["zebra", "/run/frr/zserv.api", "-", "/etc/frr/zebra.conf"],
      ["staticd", "/run/frr/staticd.vty", "zebra", "/etc/frr/staticd.conf"],
      ["ospfd", "/run/frr/ospfd.vty", "zebra", "/etc/frr/ospfd.conf"],
      ["ospf6d", "/run/frr/ospf6d.vty", "zebra", "/etc/frr/ospf6d.conf"],
    ]);
    expect(r.load).toBeUndefined();
  });

  it("keeps broadcast on a LAN of routers, passive towards hosts; IPv4 only when the lab is", () => {
    const t = parseTopology(`name: lan
addressing: { ipv4: 10.0.0.0/16 }
routing: ospf
nodes:
  sw: { kind: bridge }
  r1: { kind: router }
  r2: { kind: router }
  r3: { kind: router }
  h1: {}
links:
  - [r1:eth0, sw:p1]
  - [r2:eth0, sw:p2]
  - [r3:eth0, sw:p3]
  - [h1:eth0, r1:eth1]
`);
    const conf = file(t, "r1", "frr.conf");
    expect(conf).toContain(
      "interface eth0\n ip ospf area 0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf retransmit-interval 1\nexit",
    );
    expect(conf).toContain("interface eth1\n ip ospf area 0\n ip ospf passive\nexit");
    expect(conf).not.toMatch(/ospf6|point-to-point/);
    expect(planFrr(t, host, new Map()).routers[0]!.daemons.map((d) => d.name)).toEqual([
      "zebra",
      "staticd",
      "ospfd",
    ]);
  });

  it("BGP: sessions per family on each router link, iBGP next-hop-self between routers of one AS", () => {
    const t = parseTopology(`name: b
routing: bgp
nodes:
  r1: { kind: router, as: 65001, interfaces: { e0: [10.0.0.1/30, "fd00::1/64"] } }
  r2: { kind: router, as: 65001, interfaces: { e0: [10.0.0.2/30, "fd00::2/64"], e1: 10.0.1.1/30 } }
  r3: { kind: router, interfaces: { e0: 10.0.1.2/30 } }
links: [[r1:e0, r2:e0], [r2:e1, r3:e0]]
`);
    const conf = file(t, "r2", "frr.conf");
    expect(conf).toContain(" neighbor 10.0.0.1 remote-as 65001\n");
    expect(conf).toContain(" neighbor fd00::1 remote-as 65001\n");
    expect(conf).toContain(" neighbor 10.0.1.2 remote-as 64512\n");
    expect(conf).toContain(
      " address-family ipv6 unicast\n  redistribute connected\n  neighbor fd00::1 activate\n  neighbor fd00::1 next-hop-self\n exit-address-family",
    );
    expect(file(t, "r3", "frr.conf")).not.toContain("address-family ipv6");
  });

  it("a router with frr: but no routing: runs zebra and staticd with only its hostname", () => {
    const t = parseTopology("name: e\nnodes:\n  r1: { kind: router, frr: {} }\n");
    const r = planFrr(t, host, new Map()).routers[0]!;
    expect(r.config).toEqual({ kind: "generated", routing: "none" });
    expect(r.daemons.map((d) => d.name)).toEqual(["zebra", "staticd"]);
    expect(file(t, "r1", "frr.conf")).toContain("hostname r1\n!\n");
  });
});
