/**
 * The configurations nslab writes are accepted by the host's FRR (`vtysh -C`, its dry run: no daemon,
 * nothing written), and a line it refuses comes back with its router and line — the guard against
 * FRR's syntax drifting under generated configurations (IPMininet #100, #112).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfigs } from "../../../src/drivers/frr/check.js";
import { probeFrr } from "../../../src/drivers/frr/host.js";
import { systemRunner } from "../../../src/drivers/runner/index.js";
import { frrForLab } from "../../../src/engine/frr.js";
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

  it("plan and up see a user's file: a missing one, and a line this FRR refuses, at its line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nslab-frr-test-"));
    try {
      writeFileSync(
        join(dir, "a.conf"),
        "hostname a\nrouter ospf\n network 10.1.0.0/30 area 0\n ospf bogus\nexit\n",
      );
      const yaml = `
name: own
nodes:
  a: { kind: router, frr: { config: a.conf, daemons: [ospfd] }, interfaces: { eth0: 10.1.0.1/30 } }
  b: { kind: router, frr: { config: b.conf, daemons: [ospfd] }, interfaces: { eth0: 10.1.0.2/30 } }
links: [[a:eth0, b:eth0]]
`;
      const file = join(dir, "own.yaml");
      writeFileSync(file, yaml);
      const missing = await frrForLab(await loadTopology(file));
      expect(missing!.problems.map((p) => p.message)).toEqual([
        `cannot read ${join(dir, "b.conf")}: no such file`,
      ]);
      expect(missing!.problems[0]!.location).toMatchObject({ file, line: 5 });
      writeFileSync(join(dir, "b.conf"), "hostname b\n");
      const refused = await frrForLab(await loadTopology(file));
      expect(refused!.problems, JSON.stringify(refused!.problems)).toHaveLength(1);
      expect(refused!.problems[0]!.location).toEqual({
        file: join(dir, "a.conf"),
        line: 4,
        column: 1,
        path: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
