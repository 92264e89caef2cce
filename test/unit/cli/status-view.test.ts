import { describe, expect, it } from "vitest";
import { renderLab } from "../../../src/cli/commands/status.js";
import { SUMMARY_LIMIT, SUMMARY_OVER } from "../../../src/cli/commands/status-summary.js";
import type { InterfaceReport, LabReport, NodeReport } from "../../../src/lab/status.js";

function iface(name: string, up = true, present = true): InterfaceReport {
  return {
    name,
    present,
    up: present && up,
    operstate: present ? (up ? "UP" : "LOWERLAYERDOWN") : "ABSENT",
    adminUp: present,
    addresses: present ? ["10.0.0.1/8"] : [],
    mtu: 1500,
    stats: {
      rxBytes: 0,
      txBytes: 0,
      rxPackets: 1,
      txPackets: 2,
      rxErrors: 0,
      txErrors: 0,
      rxDropped: 0,
      txDropped: 0,
    },
  };
}

function host(k: number, i: InterfaceReport = iface(`h${k}-eth0`), present = true): NodeReport {
  return {
    name: `h${k}`,
    kind: "netns",
    kernelName: `ph${k}`,
    present,
    owned: present,
    interfaces: present ? [i] : [],
    routes: [],
  };
}

/** A lab of `hosts` hosts on one bridge; `broken` hosts have their link down, one is absent. */
function lab(hosts: number, broken: number[] = []): LabReport {
  const nodes: NodeReport[] = [];
  for (let k = 1; k <= hosts; k++)
    nodes.push(
      k === broken[0] ? host(k, undefined, false) : host(k, iface(`h${k}-eth0`, !broken.includes(k))),
    );
  nodes.push({
    name: "s1",
    kind: "bridge",
    kernelName: "ps1",
    present: true,
    owned: true,
    interfaces: Array.from({ length: hosts }, (_, k) => iface(`s1-eth${k + 1}`)),
    routes: [],
  });
  const health = broken.map((k) => ({
    what: k === broken[0] ? `namespace ph${k} is missing` : "interface is down",
    where: `node h${k}`,
    fix: "nslab up",
    check: "kernel",
  }));
  return { lab: "big", status: "up", createdAt: "", healthy: health.length === 0, health, nodes };
}

describe("status of one lab, as a person reads it", () => {
  it("lists a lab of up to SUMMARY_OVER nodes node by node, as before", () => {
    const r = lab(SUMMARY_OVER - 1, [3, 5]);
    const text = renderLab(r);
    expect(text).toBe(renderLab(r, true));
    expect(text.split("\n").filter((l) => l.startsWith("│ h")).length).toBe(SUMMARY_OVER - 1);
  });

  it("summarises 10,000 hosts in a screen, unhealthy parts first; --all lists every node", () => {
    const broken = Array.from({ length: 30 }, (_, k) => 100 * (k + 1));
    const r = lab(10_000, broken);
    const text = renderLab(r);
    const lines = text.split("\n");
    expect(lines.length).toBeLessThan(150);
    expect(lines[0]).toBe("lab big: up, degraded");
    // Problems first, capped, with how many more there are.
    expect(lines[1]).toBe("  ✗ node h100: namespace ph100 is missing");
    expect(text).toContain(`  … and ${30 - SUMMARY_LIMIT} more problems`);
    expect(text).toContain("nodes: 10001 (10000 netns, 1 bridge), 1 absent");
    expect(text).toContain("interfaces: 19999 (19970 up, 29 LOWERLAYERDOWN)");
    expect(text).toContain("unhealthy nodes (30):");
    // The unhealthy nodes in the usual table, the first ones only.
    expect(text).toMatch(/│ h100 +│ netns │ +│ ABSENT +│/);
    expect(text).toMatch(/│ h200 +│ netns │ h200-eth0 +│ LOWERLAYERDOWN │/);
    expect(text).not.toContain("│ h1 ");
    expect(text).toContain(`… and ${30 - SUMMARY_LIMIT} more unhealthy nodes`);
    expect(lines.at(-2)).toBe("every node, interface and route: nslab status big --all (or --json)");

    const all = renderLab(r, true);
    expect(all.split("\n").filter((l) => l.startsWith("│ h")).length).toBe(10_000);
    expect(all).toContain("│ h1 ");
  });

  it("of an unhealthy node, shows the interfaces with a problem: a bridge port down, an address gone", () => {
    const r = lab(60);
    r.nodes.at(-1)!.interfaces[4] = iface("s1-eth5", false);
    r.nodes[6]!.interfaces[0]!.addresses = [];
    r.health = [
      {
        what: "address 10.0.0.7/8 is missing",
        where: "node h7, interface h7-eth0",
        fix: "nslab up",
        check: "kernel",
      },
    ];
    r.healthy = false;
    const text = renderLab(r);
    expect(text).toContain("unhealthy nodes (2):");
    expect(text).toMatch(/│ h7 +│ netns +│ h7-eth0 +│ UP +│ +│ 1500 │/);
    expect(text).toMatch(/│ s1 +│ bridge │ s1-eth5 +│ LOWERLAYERDOWN │/);
    expect(text).not.toContain("s1-eth4");
  });

  it("says a healthy big lab is healthy in three lines and a hint", () => {
    const text = renderLab(lab(200));
    expect(text).toBe(
      [
        "lab big: up, healthy",
        "nodes: 201 (200 netns, 1 bridge)",
        "interfaces: 400 (400 up)",
        "every node, interface and route: nslab status big --all (or --json)",
        "",
      ].join("\n"),
    );
  });
});
