/**
 * Automatic addressing against the real kernel: a segment made of a Linux bridge and an OVS bridge
 * joined by a link shares one subnet with the manual address already on it; a point-to-point link
 * gets a /30 and /64 from the pools; the kernel has exactly the planned addresses and every pair on
 * a segment answers.
 */
import { describe, expect, it } from "vitest";
import { canTouchKernel, inNs, mustRun, nslab } from "../../support/kernel.js";
import { netLab } from "../../support/net.js";

const LAB = `name: addr
addressing:
  ipv4: 10.34.0.0/16
  ipv6: fd00:34::/48
nodes:
  a: { interfaces: { eth0: 10.34.7.1/24 } }
  b: {}
  c: {}
  d: {}
  e: { interfaces: { eth0: [] } }
  br: { kind: bridge }
  ovs: { kind: ovs-bridge }
links:
  - [a:eth0, br:ad-a]
  - [b:eth0, br:ad-b]
  - [br:ad-up, ovs:ad-down]
  - [c:eth0, ovs:ad-c]
  - [d:eth0, e:eth0]
expect:
  - a -> c: reachable
  - c -> b: reachable
`;

const addresses = (ns: string) =>
  inNs(ns, ["ip", "-br", "addr", "show", "dev", "eth0"])
    .stdout.trim()
    .split(/\s+/)
    .slice(2)
    .filter((a) => !a.startsWith("fe80"));

describe.skipIf(!canTouchKernel && !mustRun)("automatic addressing", () => {
  const { prefix, lab, files } = netLab("addr");

  it("addresses a two-bridge segment from its manual subnet and a p2p link from the pools", () => {
    const file = files.file("addr.yaml", LAB);
    const plan = nslab(["plan", file, "--prefix", prefix]);
    expect(plan.stdout).toMatch(/# {3}10\.34\.7\.0\/24 +br\+ovs \(the segment's own subnet\)/);
    expect(plan.stdout).toMatch(/# {3}10\.34\.0\.0\/30 +d:eth0–e:eth0/);
    const r = nslab(["test", file, "--prefix", prefix, "--name", lab, "--keep"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(addresses(`${prefix}a`)).toEqual(["10.34.7.1/24", "fd00:34::1/64"]);
    expect(addresses(`${prefix}b`)).toEqual(["10.34.7.2/24", "fd00:34::2/64"]);
    expect(addresses(`${prefix}c`)).toEqual(["10.34.7.3/24", "fd00:34::3/64"]);
    expect(addresses(`${prefix}d`)).toEqual(["10.34.0.1/30", "fd00:34:0:1::1/64"]);
    expect(addresses(`${prefix}e`)).toEqual([]); // written as an empty list: left alone
    expect(r.stdout).toMatch(/PASS {2}ping c -> a:eth0 fd00:34::1/);
  });
});
