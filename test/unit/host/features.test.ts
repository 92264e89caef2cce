/** Kernel features from the kernel's build configuration. */
import { describe, expect, it } from "vitest";
import { featureFromConfig } from "../../../src/drivers/host/probe.js";
import { parseTopology } from "../../../src/model/load.js";
import { featuresNeeded } from "../../../src/plan/host.js";

describe("kernel features", () => {
  it("reads /proc/config.gz answers", () => {
    expect(featureFromConfig("netem", "CONFIG_NET_SCH_NETEM=y\n")).toBe(true);
    expect(featureFromConfig("netem", "# CONFIG_NET_SCH_NETEM is not set\n")).toBe(false);
    expect(featureFromConfig("netem", "CONFIG_OTHER=y\n")).toBe(false);
    expect(featureFromConfig("netem", undefined)).toBeUndefined();
    expect(featureFromConfig("bridgeVlanFiltering", "CONFIG_BRIDGE_VLAN_FILTERING=y\n")).toBe(true);
  });

  it("probes only what a lab needs", () => {
    const pair = "name: f\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a:e0, b:e0]\n";
    expect(featuresNeeded(parseTopology(pair))).toEqual([]);
    expect(featuresNeeded(parseTopology(`${pair}    rate: 1mbit\n`))).toEqual([]);
    expect(featuresNeeded(parseTopology(`${pair}    loss: 1%\n`))).toEqual(["netem"]);
  });
});
