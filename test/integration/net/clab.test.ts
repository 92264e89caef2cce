/**
 * containerlab import against the real kernel: a .clab.yml with linux nodes, a bridge that does not
 * exist yet, link addresses and exec lines comes up under a unique prefix (the bridge is created, and
 * removed on down), passes the ping matrix and its routes work; `nslab import` prints an nslab file
 * that describes the same lab.
 */
import { describe, expect, it } from "vitest";
import { canTouchKernel, inNs, mustRun, nslab } from "../../support/kernel.js";
import { netLab, run } from "../../support/net.js";

const CLAB = `name: clabnet
mgmt:
  network: clab-mgmt
topology:
  kinds:
    linux:
      image: alpine:3
  nodes:
    h1:
      kind: linux
      exec:
        - ip route add default via 10.33.1.1
    r1:
      kind: linux
      exec:
        - sysctl -w net.ipv4.ip_forward=1
        - ip addr add 10.33.2.1/24 dev eth2
        - echo ready
    h2:
      kind: linux
      exec:
        - ip addr add 10.33.2.2/24 dev eth1
        - ip route add 10.33.1.0/24 via 10.33.2.1
    lan:
      kind: bridge
  links:
    - endpoints: ["h1:eth1", "r1:eth1"]
      ipv4: ["10.33.1.2/24", "10.33.1.1/24"]
    - endpoints: ["r1:eth2", "lan:lan-r1"]
    - type: veth
      endpoints:
        - { node: h2, interface: eth1, mac: "02:00:00:00:33:02" }
        - { node: lan, interface: lan-h2 }
`;

describe.skipIf(!canTouchKernel && !mustRun)("containerlab import", () => {
  const { prefix, lab, files } = netLab("clab");

  it("brings a .clab.yml up, creating its bridge, and routes across the linux router", () => {
    const file = files.file("lab.clab.yml", CLAB);
    const up = nslab(["up", file, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/lab\.clab\.yml:3:3 \(mgmt\.network\): 'mgmt\.network' is ignored/);
    expect(up.stderr).toMatch(/'image' is ignored for nodes h1, r1, h2/);
    expect(up.stderr).toMatch(/lab\.clab\.yml:18:11 .*exec line skipped: 'echo ready'/);
    // The bridge did not exist: nslab created it (and marks it as the lab's).
    expect(run("ip", ["-d", "link", "show", "dev", `${prefix}lan`])).toMatch(/alias nslab:/);
    expect(run("ip", ["-br", "link", "show", "master", `${prefix}lan`])).toMatch(
      new RegExp(`${prefix}lan-h2`),
    );
    expect(inNs(`${prefix}h2`, ["ip", "-br", "link", "show", "dev", "eth1"]).stdout).toMatch(
      /02:00:00:00:33:02/,
    );
    expect(nslab(["test", lab]).code).toBe(0);
    // exec-derived routes and the forwarding sysctl: h1 reaches h2 through r1.
    expect(inNs(`${prefix}h1`, ["ping", "-c", "1", "-w", "3", "10.33.2.2"]).code).toBe(0);
  });

  it("removes the bridge it created on down", () => {
    expect(nslab(["down", lab]).code).toBe(0);
    expect(run("ip", ["-br", "link", "show", "dev", `${prefix}lan`])).toBe("");
  });

  it("imports to an nslab file that describes the same lab", () => {
    const r = nslab(["import", files.path("lab.clab.yml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# Imported from lab\.clab\.yml/);
    expect(r.stdout).toContain("ip_forward");
    const converted = files.file("lab.yaml", r.stdout);
    const v = nslab(["validate", converted]);
    expect(v.code, v.stderr).toBe(0);
    const a = nslab(["plan", files.path("lab.clab.yml"), "--prefix", prefix]).stdout.replace(/^#.*\n/gm, "");
    const b = nslab(["plan", converted, "--prefix", prefix]).stdout.replace(/^#.*\n/gm, "");
    expect(b).toBe(a);
  });
});
