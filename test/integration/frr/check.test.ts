/**
 * The configurations nslab writes are accepted by the host's FRR (`vtysh -C`, its dry run: no daemon,
 * nothing written), and a line it refuses comes back with its router and line — the guard against
 * FRR's syntax drifting under generated configurations (IPMininet #100, #112).
 */
import { describe, expect, it } from "vitest";
import { checkConfigs } from "../../../src/drivers/frr/check.js";
import { probeFrr } from "../../../src/drivers/frr/host.js";
import { systemRunner } from "../../../src/drivers/runner/index.js";
import { loadTopology } from "../../../src/model/load.js";
import { planFrr } from "../../../src/plan/frr/routers.js";

describe("vtysh -C on the host's FRR", async () => {
  const host = await probeFrr();
  it("FRR is installed (the test set-up installs it)", () => {
    expect(host?.daemons).toEqual(expect.arrayContaining(["zebra", "staticd", "ospfd", "ospf6d", "bgpd"]));
    expect(host?.version).toMatch(/^\d+\.\d+/);
  });

  for (const lab of ["ospf-ring", "bgp"])
    it(`accepts every configuration written for examples/${lab}.yaml`, async () => {
      const t = await loadTopology(`examples/${lab}.yaml`);
      const p = planFrr(t, host, new Map());
      expect(p.problems).toEqual([]);
      const configs = p.routers.map((r) => ({
        router: r.node,
        text: r.files.find((f) => f.name === "frr.conf")!.content,
      }));
      expect(configs.length).toBeGreaterThan(2);
      expect(await checkConfigs(systemRunner, host!.vtysh, host!.version, configs)).toEqual([]);
    });

  it("names the router and line of a command this FRR does not have", async () => {
    const problems = await checkConfigs(systemRunner, host!.vtysh, host!.version, [
      { router: "a", text: "hostname a\nrouter ospf\n ospf router-id 10.0.0.1\nexit\n" },
      { router: "b", text: "hostname b\nrouter ospf\n no such command\nexit\n", file: "/lab/b.conf" },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(
      /^router 'b': this host's FRR \S+ does not accept line 3 of its frr.conf: /,
    );
    expect(problems[0]!.location).toEqual({ file: "/lab/b.conf", line: 3, column: 1, path: [] });
  });
});
