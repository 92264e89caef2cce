/**
 * A containerlab FRR lab in frr01's style (test/support/frr-lab.ts) through the CLI: imported as
 * routers running the host's FRR, planned with each router's daemons (from its bound daemons file)
 * and its frr.conf checked by the host's vtysh -C; `up` brings it up unmodified (FRR started from
 * the bound daemons file and frr.conf, PCs from their exec lines, their other binds as node files),
 * OSPF converges and the PCs reach each other.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { writeFrrTriangle } from "../../support/frr-lab.js";
import { canTouchKernel, mustRun, nslab } from "../../support/kernel.js";
import { netLab } from "../../support/net.js";

describe.skipIf(!canTouchKernel && !mustRun)("containerlab FRR lab", () => {
  const { prefix, lab, files } = netLab("frrc");
  const file = writeFrrTriangle(files);

  it("imports FRR nodes as routers and PCs as namespaces", () => {
    const r = nslab(["import", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /router1:\n {4}kind: router\n {4}frr:\n {6}daemons: router1\/daemons\n {6}config: router1\/frr.conf/,
    );
    expect(r.stdout).toMatch(
      /PC1:\n {4}files:\n {6}\/etc\/motd: PC1\/motd\n {4}interfaces:\n {6}eth1:\n {8}addresses: \[ 10\.92\.1\.2\/24 \]/,
    );
    expect(r.stderr).toMatch(/'image' is ignored for nodes PC1, PC2, PC3/);
  });

  it("plans each router's daemons from its daemons file, its frr.conf accepted by this host's FRR", () => {
    const r = nslab(["plan", file, "--name", lab, "--prefix", prefix]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `# router router2 (its own configuration ${files.path("router2/frr.conf")}, loaded with vtysh -b once the daemons run):`,
    );
    // zebra's and ospfd's options from the file, --daemon dropped; staticd always runs.
    expect(r.stdout).toContain(
      "#   /usr/lib/frr/zebra -A 127.0.0.1 -s 90000000 --log stdout --log-level informational\n",
    );
    expect(r.stdout).toContain(
      "#   /usr/lib/frr/staticd -A 127.0.0.1 --log stdout --log-level informational\n",
    );
    expect(r.stdout).toContain(
      "#   /usr/lib/frr/ospfd -A 127.0.0.1 --log stdout --log-level informational\n",
    );
    expect(r.stderr).toMatch(/router1\/daemons:8: 'vtysh_enable=yes' is ignored/);
    expect(r.stderr).not.toMatch(/error/);
  });

  it("plan fails at the line of a frr.conf this FRR refuses", () => {
    files.file(
      "router3/frr.conf",
      "hostname router3\nrouter ospf\n ospf router-id 10.93.0.3\n no-such-command\n",
    );
    const r = nslab(["plan", file, "--name", lab, "--prefix", prefix]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: ${files.path("router3/frr.conf")}:4:1: router 'router3': this host's FRR`,
    );
  });

  it("comes up unmodified: FRR from the bound files, OSPF converges, the PCs reach each other", () => {
    writeFrrTriangle(files); // the good frr.conf of router3 again
    const up = nslab(["up", file, "--name", lab, "--prefix", prefix, "--wait", "60"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/routing converged in [\d.]+ s/);
    const nbr = nslab(["exec", lab, "router1", "--", "vtysh", "-c", "show ip ospf neighbor"]).stdout;
    expect(nbr).toMatch(/10\.93\.0\.2 .*Full/);
    expect(nbr).toMatch(/10\.93\.0\.3 .*Full/);
    for (const [from, to] of <[string, string][]>[
      ["PC1", "10.92.2.2"],
      ["PC1", "10.92.3.2"],
      ["PC2", "10.92.3.2"],
      ["PC3", "10.93.0.1"],
    ])
      expect(nslab(["exec", lab, from, "--", "ping", "-c1", "-W2", to]).code, `${from} -> ${to}`).toBe(0);
    // A bind became a file of the node: PC2 sees its own /etc/motd, the host keeps its own.
    const hostMotd = existsSync("/etc/motd") ? readFileSync("/etc/motd", "utf8") : undefined;
    expect(nslab(["exec", lab, "PC2", "--", "cat", "/etc/motd"]).stdout).toBe("bound into PC2\n");
    expect(existsSync("/etc/motd") ? readFileSync("/etc/motd", "utf8") : undefined).toBe(hostMotd);
    expect(nslab(["down", lab]).code).toBe(0);
  });
});
