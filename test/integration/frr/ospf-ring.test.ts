/**
 * FRR in a real lab: examples/ospf-ring.yaml (4 routers, OSPFv2 and OSPFv3, nslab's configuration)
 * comes up and `up` returns once routing has converged; vtysh in a router talks to that router's
 * FRR only (the host's vtysh reaches no daemon); taking a ring link down reroutes; `down` ends the
 * daemons. Then a two-AS BGP lab (examples/bgp.yaml) converges and routes across both AS.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab } from "../../support/kernel.js";
import { netLab, run } from "../../support/net.js";

const frrDaemons = () =>
  run("ps", ["-eo", "pid=,args="])
    .split("\n")
    .filter((l) => /\/usr\/lib\/frr\//.test(l));

describe.skipIf(!canTouchKernel && !mustRun)("FRR routers", () => {
  const { prefix, lab, files } = netLab("ospf", ["b"]);

  it("OSPF ring: converges, vtysh reaches the router's own FRR, a ring link down reroutes, down ends the daemons", () => {
    const before = frrDaemons().length;
    const up = nslab(["up", "examples/ospf-ring.yaml", "--name", lab, "--prefix", prefix, "--wait", "60"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/routing converged in [\d.]+ s/);
    const nbr = nslab(["exec", lab, "r1", "--", "vtysh", "-c", "show ip ospf neighbor"]);
    expect(nbr.stdout).toMatch(/10\.255\.0\.2 .*Full/);
    expect(nbr.stdout).toMatch(/10\.255\.0\.4 .*Full/);
    expect(nslab(["exec", lab, "r3", "--", "vtysh", "-c", "show running-config"]).stdout).toMatch(
      /hostname r3/,
    );
    // h1 -> h3 (two routers away), IPv4 and IPv6, and a loopback announced by OSPF.
    expect(nslab(["exec", lab, "h1", "--", "ping", "-c1", "-W2", "10.60.0.22"]).code).toBe(0);
    expect(nslab(["exec", lab, "h1", "--", "ping", "-6", "-c1", "-W2", "fd00:60:0:5::2"]).code).toBe(0);
    expect(nslab(["exec", lab, "h1", "--", "ping", "-c1", "-W2", "10.255.0.3"]).code).toBe(0);
    // r1 reaches h3's subnet through r2 (eth1) or r4 (eth0); take the link it uses down.
    const via = () => nslab(["exec", lab, "r1", "--", "ip", "route", "get", "10.60.0.22"]).stdout;
    const used = /dev (eth[01])/.exec(via())![1]!;
    expect(nslab(["link", lab, `r1:${used}`, "down"]).code).toBe(0);
    const t0 = Date.now();
    while (via().includes(`dev ${used}`) && Date.now() - t0 < 10_000) run("sleep", ["0.05"]);
    expect(via()).toContain(`dev ${used === "eth0" ? "eth1" : "eth0"}`);
    expect(nslab(["exec", lab, "h1", "--", "ping", "-c1", "-W2", "10.60.0.22"]).code).toBe(0);
    const back = nslab(["link", lab, `r1:${used}`, "up"]);
    expect(back.code, back.stderr).toBe(0);
    // The file edited: h4 behind r3, on an interface r3's OSPF must now have. `up` changes the lab
    // in place: r3's configuration changed, so its FRR starts again (the other routers' keeps
    // running), and `up` returns once routing converged again: h1 reaches h4.
    const pids = () =>
      new Map<string, number>(
        JSON.parse(nslab(["status", lab, "--json"]).stdout).services.map((x: { id: string; pid: number }) => [
          x.id,
          x.pid,
        ]),
      );
    const was = pids();
    const edited = files.file(
      "ospf-ring-h4.yaml",
      readFileSync("examples/ospf-ring.yaml", "utf8")
        .replace("  h3: {}\n", "  h3: {}\n  h4: {}\n")
        .replace("  - [h3:eth0, r3:eth2]\n", "  - [h3:eth0, r3:eth2]\n  - [h4:eth0, r3:eth3]\n"),
    );
    const change = nslab(["-v", "up", edited, "--name", lab, "--prefix", prefix, "--wait", "60"]);
    expect(change.code, change.stderr).toBe(0);
    expect(change.stderr).toMatch(/restarting r3\/zebra/);
    expect(change.stderr).toMatch(/restarting r3\/ospfd/);
    expect(change.stderr).toMatch(/routing converged in [\d.]+ s/);
    const now = pids();
    expect(now.get("r3/ospfd")).not.toBe(was.get("r3/ospfd"));
    expect(now.get("r1/ospfd")).toBe(was.get("r1/ospfd"));
    const h4 = JSON.parse(nslab(["status", lab, "--json"]).stdout)
      .nodes.find((n: { name: string }) => n.name === "h4")
      .interfaces[0].addresses.find((a: string) => !a.includes(":"))
      .split("/")[0];
    expect(nslab(["exec", lab, "h1", "--", "ping", "-c1", "-W2", h4]).code).toBe(0);
    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(frrDaemons()).toHaveLength(before);
  });

  it("BGP, two AS: every session Established, routes across both", () => {
    const b = `${lab}b`;
    const up = nslab(["up", "examples/bgp.yaml", "--name", b, "--prefix", prefix, "--wait", "60"]);
    expect(up.code, up.stderr).toBe(0);
    expect(nslab(["exec", b, "r2", "--", "vtysh", "-c", "show bgp summary"]).stdout).toMatch(
      /10\.70\.0\.10 .* 65002 /,
    );
    expect(nslab(["exec", b, "h1", "--", "ping", "-c1", "-W2", "10.255.2.1"]).code).toBe(0);
    expect(nslab(["down", b]).code).toBe(0);
  });
});
