/**
 * Capture against the real kernel: tcpdump inside a node's namespace writes a pcap of exactly the
 * packets asked for; a bridge port is captured in the root namespace where it lives; a timeout stops
 * a capture that sees nothing. Nothing keeps running afterwards.
 */
import { spawn, spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab } from "../../support/kernel.js";
import { netLab, pidsIn } from "../../support/net.js";

const LAB = `name: cap
nodes:
  a: { interfaces: { eth0: 10.32.0.1/24 } }
  b: { interfaces: { eth0: 10.32.0.2/24 } }
  br: { kind: bridge }
links:
  - [a:eth0, br:cap-a]
  - [b:eth0, br:cap-b]
`;

/** Ping from `ns` in the background for a couple of seconds. */
function pingLater(ns: string, target: string) {
  const p = spawn("ip", ["netns", "exec", ns, "ping", "-c", "12", "-i", "0.2", target], { stdio: "ignore" });
  return new Promise<void>((resolve) => p.on("close", () => resolve()));
}

describe.skipIf(!canTouchKernel && !mustRun)("capture", () => {
  const { prefix, lab, files } = netLab("cap");

  it("writes a pcap with --count packets from inside the namespace", async () => {
    const up = nslab(["up", files.file("cap.yaml", LAB), "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    const pcap = files.path("b.pcap");
    const traffic = pingLater(`${prefix}a`, "10.32.0.2");
    const r = nslab(["capture", lab, "b:eth0", "-w", pcap, "--count", "4", "--timeout", "20", "--", "icmp"]);
    await traffic;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/4 packets captured/);
    expect(statSync(pcap).size).toBeGreaterThan(24);
    const read = spawnSync("tcpdump", ["-n", "-r", pcap], { encoding: "utf8" });
    const lines = read.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/10\.32\.0\.1 > 10\.32\.0\.2: ICMP echo request/);
    expect(pidsIn(`${prefix}b`)).toEqual([]);
  });

  it("captures a bridge port in the root namespace, and prints packets", async () => {
    const traffic = pingLater(`${prefix}b`, "10.32.0.1");
    const r = nslab(["capture", lab, "br:cap-a", "--count", "2", "--timeout", "20", "--", "icmp"]);
    await traffic;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10\.32\.0\.2 > 10\.32\.0\.1: ICMP echo request/);
  });

  it("stops at the timeout when nothing comes", () => {
    const started = Date.now();
    const r = nslab(["capture", lab, "a:eth0", "--timeout", "1", "--", "udp port 9"]);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/0 packets captured/);
    expect(pidsIn(`${prefix}a`)).toEqual([]);
  });

  it("says what is wrong with a bad endpoint", () => {
    const r = nslab(["capture", lab, "a:eth9", "--count", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node 'a' of lab '.*' has no interface 'eth9'/);
  });
});
