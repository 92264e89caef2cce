/** Every example lab is valid and plans on a host like the one nslab is developed on (no netem). */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planLab } from "../../src/engine/plan.js";
import { loadTopology } from "../../src/model/load.js";

const files = ["examples", "examples/seed"].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(dir, f)),
);

describe("example labs", () => {
  it.each(files)("%s is valid and plans", async (file) => {
    const t = await loadTopology(file);
    const plan = planLab(t, { ovsKernelDatapath: false, netem: false, bridgeVlanFiltering: false });
    expect(plan.operations.length).toBeGreaterThan(0);
  });

  it("the router and VLAN examples prove reachable AND unreachable pairs", async () => {
    for (const file of ["examples/routed.yaml", "examples/vlans.yaml"]) {
      const outcomes = new Set((await loadTopology(file)).expect?.map((e) => e.expect));
      expect(outcomes).toEqual(new Set(["reachable", "unreachable"]));
    }
  });
});
