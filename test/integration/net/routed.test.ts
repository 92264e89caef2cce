/**
 * Routers, static routing and automatic addressing against the real kernel: the example lab with
 * three subnets and two routers, brought up under a unique prefix, proven by `nslab test` (reachable
 * AND unreachable pairs, ICMP and TCP, JSON and JUnit), with its routes and sysctls as the kernel
 * has them; a wrong expectation fails the test; nothing is left behind.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canTouchKernel, inNs, mustRun, nslab } from "../../support/kernel.js";
import { netLab } from "../../support/net.js";

describe.skipIf(!canTouchKernel && !mustRun)("routed lab (examples/routed.yaml)", () => {
  const { prefix, lab, files } = netLab("routed");

  it("is up with forwarding routers, computed routes and automatic addresses", () => {
    const up = nslab(["up", "examples/routed.yaml", "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(inNs(`${prefix}r1`, ["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.trim()).toBe("1");
    expect(inNs(`${prefix}r2`, ["sysctl", "-n", "net.ipv6.conf.all.forwarding"]).stdout.trim()).toBe("1");
    expect(inNs(`${prefix}h1`, ["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.trim()).toBe("0");
    expect(inNs(`${prefix}h1`, ["ip", "-br", "addr", "show", "dev", "eth0"]).stdout).toMatch(
      /10\.10\.0\.2\/24 fd00:10::2\/64/,
    );
    expect(inNs(`${prefix}h1`, ["ip", "route", "show", "default"]).stdout).toMatch(
      /default via 10\.10\.0\.1 dev eth0/,
    );
    expect(inNs(`${prefix}h1`, ["ip", "-6", "route", "show", "default"]).stdout).toMatch(
      /default via fd00:10::1 dev eth0/,
    );
    expect(inNs(`${prefix}r1`, ["ip", "route", "show", "10.10.1.0/24"]).stdout).toMatch(
      /via 10\.10\.2\.2 dev eth1/,
    );
    // status shows which addresses were chosen automatically.
    const status = JSON.parse(nslab(["status", lab, "--json"]).stdout);
    const h1 = status.nodes.find((n: { name: string }) => n.name === "h1");
    expect(h1.interfaces[0].autoAddresses).toEqual(["10.10.0.2/24", "fd00:10::2/64"]);
    expect(nslab(["status", lab]).stdout).toMatch(/10\.10\.0\.2\/24 \(auto\)/);
  });

  it("passes nslab test: reachable and unreachable pairs, ICMP and TCP, with JSON and JUnit", () => {
    const junit = files.path("routed.xml");
    const r = nslab(["test", lab, "--json", "--junit", junit]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.failed).toBe(0);
    const byName = new Map(report.results.map((x: { name: string }) => [x.name, x]));
    expect(byName.get("h1 -> h3: reachable")).toMatchObject({ ok: true, reachable: true });
    expect(byName.get("h1 -> h3 tcp/8080: reachable")).toMatchObject({ ok: true, reachable: true });
    expect(byName.get("h1 -> i1: unreachable")).toMatchObject({ ok: true, reachable: false });
    expect(byName.get("h2 -> i2 tcp/8080: unreachable")).toMatchObject({ ok: true, reachable: false });
    expect(report.results.filter((x: { group: string }) => x.group === "ping").length).toBe(24);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testsuites name="nslab test [^"]+" tests="32" failures="0"/);
    // The TCP listeners are gone again.
    for (const n of ["h1", "h3", "i2"]) expect(inNs(`${prefix}${n}`, ["ss", "-Htln"]).stdout.trim()).toBe("");
  });

  it("fails (exit 1, JUnit failure) when an expectation does not hold", () => {
    const wrong = files.file(
      "wrong.yaml",
      readFileSync("examples/routed.yaml", "utf8").replace(
        "  - h1 -> i1: unreachable # no route leads to the island",
        "  - h1 -> i1: reachable\n  - h2 -> r1 tcp/9: unreachable",
      ),
    );
    const junit = files.path("wrong.xml");
    const r = nslab(["test", wrong, "--prefix", prefix, "--name", lab, "--junit", junit]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}h1 -> i1: reachable +expected reachable, but unreachable/);
    expect(r.stdout).toMatch(/FAIL {2}h2 -> r1 tcp\/9: unreachable +expected unreachable, but reachable/);
    expect(r.stdout).toMatch(/2 failed/);
    expect(readFileSync(junit, "utf8")).toMatch(/failures="2"/);
  });
});
