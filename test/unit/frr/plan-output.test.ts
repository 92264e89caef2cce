/** `nslab plan` for labs with FRR routers: each router's daemons and configuration after the operations. */
import { describe, expect, it } from "vitest";
import { planLab } from "../../../src/engine/plan.js";
import { loadTopology, parseTopology } from "../../../src/model/load.js";
import { frrPlanNotes } from "../../../src/plan/frr/render.js";
import { type FrrHost, planFrr } from "../../../src/plan/frr/routers.js";
import type { HostLimits } from "../../../src/plan/host.js";

const host: FrrHost = {
  dir: "/usr/lib/frr",
  vtysh: "/usr/bin/vtysh",
  version: "8.4.4",
  daemons: ["zebra", "staticd", "bgpd", "ospfd", "ospf6d"],
};
const limits: HostLimits = { netnsNow: 0, mountsNow: 0 } as HostLimits;

describe("plan output with FRR", () => {
  it("prints every router's daemons and the frr.conf nslab writes, after the operations", async () => {
    const t = await loadTopology("examples/bgp.yaml");
    const frr = planFrr(t, host, new Map());
    const shell = planLab(t, { ovsKernelDatapath: false }, limits, frr).toShell();
    const tail = shell.slice(shell.lastIndexOf("ip -n"));
    expect(tail).toContain("# router r1 (routing: bgp, configuration written by nslab):");
    expect(tail).toContain(
      "#   /usr/lib/frr/bgpd -A 127.0.0.1 --log stdout --log-level informational -f /etc/frr/bgpd.conf",
    );
    expect(tail).toContain("#     router bgp 65001\n#      bgp router-id 10.255.1.1\n");
    expect(tail).toContain("#      neighbor 10.70.0.10 remote-as 65002\n");
    // Comments only: the script still runs as it did.
    expect(tail.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("ip "))).toEqual(
      [],
    );
    const json = JSON.parse(planLab(t, { ovsKernelDatapath: false }, limits, frr).toJson());
    expect(json.frr.map((r: { node: string }) => r.node)).toEqual(["r1", "r2", "r3"]);
  });

  it("names a user's frr.conf instead of printing it, and says when a router has no routing", () => {
    const t = parseTopology(
      `
name: own
nodes:
  a: { kind: router, frr: { config: /lab/a/frr.conf, daemons: [ospfd] }, interfaces: { eth0: 10.1.0.1/30 } }
  b: { kind: router, frr: { daemons: [ospfd] }, interfaces: { eth0: 10.1.0.2/30 } }
links: [[a:eth0, b:eth0]]
`,
      { file: "/lab/own.yaml" },
    );
    const frr = planFrr(t, host, new Map([["/lab/a/frr.conf", "hostname a\n"]]));
    expect(frr.problems).toEqual([]);
    const notes = frrPlanNotes(frr);
    expect(notes).toContain(
      "router a (its own configuration /lab/a/frr.conf, loaded with vtysh -b once the daemons run):",
    );
    expect(notes).toContain("router b (no routing configured (only its hostname; configure it with vtysh)):");
    expect(notes.join("\n")).not.toContain("hostname a");
    expect(frrPlanNotes(undefined)).toEqual([]);
  });
});
