/**
 * A lab's accepts in the host's dropping forward chains, planned against a host firewall as read:
 * one per Linux bridge and chain (none for OVS bridges, none on a host that drops nothing), a
 * link-group accept in bridge-family chains, the commands `plan` prints, the inverse operations
 * of rollback, and the removal of everything of a lab found by comment (never from a record).
 */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import { commandArgv, opCommands } from "../../../src/plan/commands.js";
import { labFirewallRemoval, missingAccepts } from "../../../src/plan/firewall.js";
import { hostReadsNeeded, labLinuxBridges } from "../../../src/plan/host.js";
import type { DroppingChain, HostFirewall } from "../../../src/plan/host-firewall.js";
import { EMPTY_FIREWALL } from "../../../src/plan/host-firewall.js";
import { inverseOps } from "../../../src/plan/inverse.js";
import { linkGroupFor, type OpOf } from "../../../src/plan/ops.js";

const chain = (
  c: Partial<DroppingChain> & Pick<DroppingChain, "backend" | "family" | "table" | "chain">,
): DroppingChain => ({
  base: c.chain,
  policy: "drop",
  why: "policy",
  ...c,
});

const host = { ovsKernelDatapath: true };

const docker: HostFirewall = {
  ...EMPTY_FIREWALL,
  chains: [
    chain({ backend: "iptables-nft", family: "ip", table: "filter", base: "FORWARD", chain: "DOCKER-USER" }),
    chain({ backend: "iptables-nft", family: "ip6", table: "filter", chain: "FORWARD" }),
    chain({
      backend: "nft",
      family: "inet",
      table: "hostfw",
      chain: "forward",
      why: "rule",
      policy: "accept",
    }),
    chain({ backend: "nft", family: "bridge", table: "brfw", chain: "forward" }),
  ],
};

const lab = (kind: "bridge" | "ovs-bridge") =>
  parseTopology(`name: web
nodes:
  h1: { interfaces: { eth0: 10.0.0.1/24 } }
  h2: { interfaces: { eth0: 10.0.0.2/24 } }
  sw: { kind: ${kind} }
links:
  - endpoints: [h1:eth0, sw:p1]
  - endpoints: [h2:eth0, sw:p2]
`);

const accepts = (ops: ReturnType<typeof planUp>) =>
  ops.filter((o): o is OpOf<"fw.accept"> => o.op === "fw.accept");

describe("accepts in the host's dropping forward chains", () => {
  it("one per bridge and dropping chain, a group accept in bridge-family chains, last in the plan", () => {
    const ops = planUp(lab("bridge"), { ...host, firewall: docker });
    const fw = accepts(ops);
    expect(fw.map((o) => [o.backend, o.family, o.table, o.chain, o.match])).toEqual([
      ["iptables-nft", "ip", "filter", "DOCKER-USER", { kind: "bridge", dev: "sw" }],
      ["iptables-nft", "ip6", "filter", "FORWARD", { kind: "bridge", dev: "sw" }],
      ["nft", "inet", "hostfw", "forward", { kind: "bridge", dev: "sw" }],
      ["nft", "bridge", "brfw", "forward", { kind: "group", group: linkGroupFor("web") }],
    ]);
    expect(fw.every((o) => o.comment === "nslab:web")).toBe(true);
    expect(ops.at(-1)?.op).toBe("fw.accept");
    // What `plan` prints, and the driver runs (batched per tool).
    expect(fw.flatMap(opCommands).map((c) => commandArgv(c).join(" "))).toEqual([
      "iptables-nft -I DOCKER-USER -i sw -o sw -m comment --comment nslab:web -j ACCEPT",
      "ip6tables-nft -I FORWARD -i sw -o sw -m comment --comment nslab:web -j ACCEPT",
      'nft insert rule inet hostfw forward iifname "sw" oifname "sw" counter accept comment "nslab:web"',
      `nft insert rule bridge brfw forward meta iifgroup ${linkGroupFor("web")} meta oifgroup ${linkGroupFor("web")} counter accept comment "nslab:web"`,
    ]);
  });

  it("the management bridge gets the same accepts; a lab with only it has the firewall read", () => {
    const t = parseTopology(`name: mg
management: { ipv4: 198.18.201.0/24 }
nodes:
  a: {}
  b: {}
links:
  - [a:eth0, b:eth0]
`);
    expect(hostReadsNeeded(t).firewall).toBe(true);
    expect(labLinuxBridges(t)).toEqual(["mgmt"]);
    expect(accepts(planUp(t, { ...host, firewall: docker })).map((o) => [o.chain, o.match])).toEqual([
      ["DOCKER-USER", { kind: "bridge", dev: "mgmt" }],
      ["FORWARD", { kind: "bridge", dev: "mgmt" }],
      ["forward", { kind: "bridge", dev: "mgmt" }],
      ["forward", { kind: "group", group: linkGroupFor("mg") }],
    ]);
  });

  it("none where nothing drops, for OVS bridges, or when the firewall was not read", () => {
    expect(accepts(planUp(lab("bridge"), { ...host, firewall: EMPTY_FIREWALL }))).toEqual([]);
    expect(accepts(planUp(lab("bridge"), host))).toEqual([]);
    expect(accepts(planUp(lab("ovs-bridge"), { ...host, firewall: docker }))).toEqual([]);
  });

  it("rolls back by deleting each accept it added; the running lab's missing ones are found", () => {
    const fw = accepts(planUp(lab("bridge"), { ...host, firewall: docker }));
    expect(inverseOps(fw).map((o) => o.op)).toEqual(["fw.delete", "fw.delete", "fw.delete", "fw.delete"]);
    const present: HostFirewall = {
      ...docker,
      rules: [
        {
          lab: "web",
          backend: "iptables-nft",
          family: "ip",
          table: "filter",
          chain: "DOCKER-USER",
          match: { kind: "bridge", dev: "sw" },
          spec: [],
        },
        {
          lab: "other",
          backend: "nft",
          family: "inet",
          table: "hostfw",
          chain: "forward",
          match: { kind: "bridge", dev: "sw" },
          handle: 4,
        },
      ],
    };
    expect(missingAccepts(fw, present, "web").map((o) => `${o.family} ${o.table}`)).toEqual([
      "ip6 filter",
      "inet hostfw",
      "bridge brfw",
    ]);
  });

  it("removes exactly a lab's rules and tables, found by comment and name", () => {
    const fw: HostFirewall = {
      ...docker,
      rules: [
        {
          lab: "web",
          backend: "nft",
          family: "inet",
          table: "hostfw",
          chain: "forward",
          match: { kind: "bridge", dev: "sw" },
          handle: 7,
        },
        {
          lab: "web",
          backend: "iptables-nft",
          family: "ip",
          table: "filter",
          chain: "DOCKER-USER",
          spec: ["-i", "sw", "-o", "sw", "-m", "comment", "--comment", "nslab:web", "-j", "ACCEPT"],
          match: { kind: "bridge", dev: "sw" },
        },
        { lab: "webx", backend: "nft", family: "inet", table: "hostfw", chain: "forward", handle: 8 },
      ],
      tables: [
        { family: "ip", name: "nslab-web" },
        { family: "ip", name: "nslab-webx" },
      ],
    };
    const removal = labFirewallRemoval("web", fw);
    expect(removal.flatMap(opCommands).map((c) => commandArgv(c).join(" "))).toEqual([
      "nft delete rule inet hostfw forward handle 7",
      "iptables-nft -D DOCKER-USER -i sw -o sw -m comment --comment nslab:web -j ACCEPT",
      "nft delete table ip nslab-web",
    ]);
  });
});
