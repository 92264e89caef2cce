/**
 * VLANs on an Open vSwitch bridge against the real kernel: examples/vlans.yaml under a unique prefix
 * proves with `nslab test` that each VLAN works inside and nothing crosses (same subnet!); the same lab
 * without tags reaches across, so the tags are what isolate; a VLAN on a Linux-bridge port is refused
 * at plan time, naming the missing kernel feature, before anything is created.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { netLab, run } from "../../support/net.js";

describe.skipIf(!canTouchKernel && !mustRun)("VLANs (examples/vlans.yaml)", () => {
  const { prefix, lab, files } = netLab("vlans", ["-flat"]);

  it("isolates the two VLANs that share one OVS bridge and one subnet", () => {
    const r = nslab(["test", "examples/vlans.yaml", "--prefix", prefix, "--name", lab, "--keep", "--json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const outcome = (name: string) => report.results.find((x: { name: string }) => x.name === name);
    expect(outcome("a1 -> a2: reachable")).toMatchObject({ ok: true, reachable: true });
    expect(outcome("a1 -> b1: unreachable")).toMatchObject({ ok: true, reachable: false });
    expect(outcome("a2 -> b2 tcp/8080: unreachable")).toMatchObject({ ok: true, reachable: false });
    // The tags are on the ports, as ovs-vsctl sees them.
    expect(run("ovs-vsctl", ["get", "port", `${prefix}sw-a1`, "tag"]).trim()).toBe("10");
    expect(run("ovs-vsctl", ["get", "port", `${prefix}sw-b2`, "tag"]).trim()).toBe("20");
  });

  it("moves a port to the other VLAN in place when the file changes", () => {
    const moved = files.file(
      "moved.yaml",
      readFileSync("examples/vlans.yaml", "utf8")
        .replace("sw-b1: { vlan: 20 }", "sw-b1: { vlan: 10 }")
        .replace("  - a1 -> b1: unreachable # same subnet, other VLAN", "  - a1 -> b1: reachable")
        .replace("  - b2 -> b1: reachable", "  - b2 -> b1: unreachable"),
    );
    const up = nslab(["up", moved, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/changed in place/);
    expect(run("ovs-vsctl", ["get", "port", `${prefix}sw-b1`, "tag"]).trim()).toBe("10");
    const r = nslab(["test", moved, "--prefix", prefix, "--name", lab]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/PASS {2}a1 -> b1: reachable/);
    expect(r.stdout).toMatch(/PASS {2}b2 -> b1: unreachable/);
    expect(nslab(["down", lab]).code).toBe(0);
  });

  it("without the tags, the same hosts reach across (so the tags are what isolate)", () => {
    const flat = files.file(
      "flat.yaml",
      readFileSync("examples/vlans.yaml", "utf8").replace(/\{ vlan: \d+ \}/g, "{}"),
    );
    const r = nslab(["test", flat, "--prefix", prefix, "--name", `${lab}-flat`, "--no-matrix"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}a1 -> b1: unreachable +expected unreachable, but reachable/);
    expect(r.stdout).toMatch(/FAIL {2}a2 -> b2 tcp\/8080: unreachable +expected unreachable, but reachable/);
  });

  it("refuses a VLAN on a Linux-bridge port at plan time, before creating anything", () => {
    const linux = files.file(
      "linux-vlan.yaml",
      readFileSync("examples/vlans.yaml", "utf8").replace("kind: ovs-bridge", "kind: bridge"),
    );
    const snap = scopedSnapshot(prefix, lab);
    const r = nslab(["up", linux, "--prefix", prefix, "--name", lab]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /linux-vlan\.yaml:20:\d+ \(nodes\.sw\.interfaces\.sw-a1\.vlan\): port 'sw-a1' of Linux bridge 'sw' has vlan 10, but this kernel has no bridge VLAN filtering \(CONFIG_BRIDGE_VLAN_FILTERING is not set\) — make 'sw' an ovs-bridge/,
    );
    expect(r.stderr).toMatch(/4 problems found; nothing was changed/);
    expect(scopedSnapshot(prefix, lab)).toEqual(snap);
  });
});
