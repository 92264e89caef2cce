/** The three seed experiments plan to exactly the walkthrough's commands (plus nslab's markers). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planLab } from "../../../src/engine/plan.js";
import { loadTopology } from "../../../src/model/load.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const host = { ovsKernelDatapath: false };

describe("golden plans of the seed labs", () => {
  for (const seed of ["direct", "bridge", "ovs"]) {
    it(`examples/seed/${seed}.yaml`, async () => {
      const t = await loadTopology(`examples/seed/${seed}.yaml`);
      const script = planLab(t, host).toShell();
      const golden = join(import.meta.dirname, "golden", `${seed}.sh`);
      if (UPDATE) writeFileSync(golden, script);
      expect(script).toBe(readFileSync(golden, "utf8"));
    });
  }

  it("uses the kernel datapath when the openvswitch module is loaded", async () => {
    const t = await loadTopology("examples/seed/ovs.yaml");
    const script = planLab(t, { ovsKernelDatapath: true }).toShell();
    expect(script).toContain("datapath_type=system");
    expect(script).not.toContain("ethtool");
  });

  it("turns TX checksum offload off only on the far ends of userspace-datapath OVS ports", async () => {
    for (const seed of ["direct", "bridge"]) {
      const t = await loadTopology(`examples/seed/${seed}.yaml`);
      expect(planLab(t, host).operations.some((o) => o.op === "offload.off")).toBe(false);
    }
    const t = await loadTopology("examples/seed/ovs.yaml");
    const off = planLab(t, host).operations.filter((o) => o.op === "offload.off");
    expect(off).toEqual([
      expect.objectContaining({ ns: "ns1", dev: "veth0" }),
      expect.objectContaining({ ns: "ns2", dev: "veth1" }),
    ]);
  });

  it("prints JSON with numbered operations", async () => {
    const t = await loadTopology("examples/seed/direct.yaml");
    const json = JSON.parse(planLab(t, host).toJson());
    expect(json.lab).toBe("seed-direct");
    expect(json.operations[0]).toMatchObject({
      n: 1,
      op: "netns.add",
      ns: "ns1",
      marker: "nslab:seed-direct",
    });
  });
});
