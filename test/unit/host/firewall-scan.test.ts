/**
 * Reading the host's firewall from recorded tool output (made in a scratch namespace with
 * nftables 1.0.6 and iptables-nft 1.8.9): a Docker-like iptables-nft table (FORWARD policy DROP,
 * DOCKER-USER), an ip6 FORWARD that drops invalid packets by rule, a native inet chain that drops
 * through a chain it jumps to, a chain that drops nothing, a bridge-family chain with policy drop,
 * nslab's own rules and table; and the iptables-save words as iptables-restore splits them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanNftJson } from "../../../src/drivers/host/nft-json.js";
import { scanXtSave, xtWords } from "../../../src/drivers/host/xt-save.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("nft -j list ruleset", () => {
  const scan = scanNftJson(fixture("docker-like.nft.json"));

  it("finds every forward chain that can drop, with the tool that owns its table", () => {
    expect(scan.chains).toEqual(
      expect.arrayContaining([
        {
          backend: "iptables-nft",
          family: "ip",
          table: "filter",
          base: "FORWARD",
          chain: "DOCKER-USER",
          policy: "drop",
          why: "policy",
        },
        {
          backend: "iptables-nft",
          family: "ip6",
          table: "filter",
          base: "FORWARD",
          chain: "FORWARD",
          policy: "accept",
          why: "rule",
        },
        {
          backend: "nft",
          family: "inet",
          table: "hostfw",
          base: "forwarding",
          chain: "forwarding",
          policy: "accept",
          why: "rule",
        },
        {
          backend: "nft",
          family: "bridge",
          table: "brfw",
          base: "forward",
          chain: "forward",
          policy: "drop",
          why: "policy",
        },
      ]),
    );
    // A forward chain that drops nothing, input chains and nslab's own tables get nothing.
    expect(scan.chains).toHaveLength(4);
    expect(scan.uneditable).toEqual([]);
    expect(scan.xtTables).toEqual(
      expect.arrayContaining([
        { family: "ip", table: "filter" },
        { family: "ip6", table: "filter" },
      ]),
    );
  });

  it("finds nslab's rules in native tables with their handles and shapes, and its tables", () => {
    const rules = scan.rules.map(({ handle, ...r }) => ({ ...r, handle: typeof handle }));
    expect(rules).toEqual(
      expect.arrayContaining([
        {
          lab: "lab-a",
          backend: "nft",
          family: "inet",
          table: "hostfw",
          chain: "forwarding",
          handle: "number",
          match: { kind: "bridge", dev: "br1" },
        },
        {
          lab: "lab-a",
          backend: "nft",
          family: "bridge",
          table: "brfw",
          chain: "forward",
          handle: "number",
          match: { kind: "group", group: 77 },
        },
      ]),
    );
    // iptables-nft's comment is an xt match nft's JSON does not show: read through iptables-nft-save.
    expect(scan.rules.filter((r) => r.table === "filter")).toEqual([]);
    expect(scan.tables).toEqual([{ family: "inet", name: "nslab-lab-a" }]);
  });

  it("leaves alone what it must not edit", () => {
    const owned = scanNftJson(
      JSON.stringify({
        nftables: [
          { table: { family: "inet", name: "firewalld", handle: 1, flags: ["owner"] } },
          {
            chain: {
              family: "inet",
              table: "firewalld",
              name: "filter_FORWARD",
              handle: 2,
              type: "filter",
              hook: "forward",
              prio: 0,
              policy: "drop",
            },
          },
          { table: { family: "bridge", name: "filter", handle: 3 } },
          {
            chain: {
              family: "bridge",
              table: "filter",
              name: "FORWARD",
              handle: 4,
              type: "filter",
              hook: "forward",
              prio: -200,
              policy: "drop",
            },
          },
        ],
      }),
    );
    expect(owned.chains).toEqual([]);
    expect(owned.uneditable.map((c) => [c.backend, c.table, c.chain])).toEqual([
      ["nft", "firewalld", "filter_FORWARD"],
      ["ebtables-nft", "filter", "FORWARD"],
    ]);
  });
});

describe("iptables-save -t filter", () => {
  it("reads the policy, DOCKER-USER and nslab's rules with the exact spec -D needs", () => {
    const scan = scanXtSave(fixture("docker-like.ip.save"), "iptables-nft", "ip");
    expect(scan.present).toBe(true);
    expect(scan.chain).toEqual({
      backend: "iptables-nft",
      family: "ip",
      table: "filter",
      base: "FORWARD",
      chain: "DOCKER-USER",
      policy: "drop",
      why: "policy",
    });
    expect(scan.rules).toEqual([
      {
        lab: "lab-a",
        backend: "iptables-nft",
        family: "ip",
        table: "filter",
        chain: "DOCKER-USER",
        spec: ["-i", "br1", "-o", "br1", "-m", "comment", "--comment", "nslab:lab-a", "-j", "ACCEPT"],
        match: { kind: "bridge", dev: "br1" },
      },
    ]);
  });

  it("finds a FORWARD that drops by a rule, and one that drops nothing", () => {
    expect(scanXtSave(fixture("docker-like.ip6.save"), "iptables-legacy", "ip6").chain).toMatchObject({
      backend: "iptables-legacy",
      chain: "FORWARD",
      why: "rule",
    });
    const open = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n";
    expect(scanXtSave(open, "iptables-nft", "ip").chain).toBeUndefined();
    expect(scanXtSave("", "iptables-nft", "ip").present).toBe(false);
  });

  it("splits words as iptables-restore does", () => {
    expect(xtWords('-A X -m comment --comment "a b\\"c" -j ACCEPT')).toEqual([
      "-A",
      "X",
      "-m",
      "comment",
      "--comment",
      'a b"c',
      "-j",
      "ACCEPT",
    ]);
  });
});
