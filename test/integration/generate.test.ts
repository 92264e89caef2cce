/**
 * Generated Mininet-style labs for real: one small lab of each family comes up under a unique
 * prefix with Mininet's names and addresses, answers an all-pairs ping, shows as healthy, and goes
 * down leaving none of its names behind. No timing is asserted here (see `npm run bench`).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canTouchKernel, inNs, kernelSnapshot, mustRun, nslab } from "../support/kernel.js";

/** A 5-byte prefix (`g3fa-`): `g3fa-s3x3-eth5` still fits in IFNAMSIZ. */
const prefix = () => `g${randomBytes(2).toString("hex").slice(0, 3)}-`;

interface Case {
  topo: string;
  sw?: "ovs";
  hosts: number;
  /** A host, its interface and address, and a switch port, as Mininet names them. */
  host: [string, string, string];
  port: [string, string];
}

const CASES: Case[] = [
  { topo: "single,3", hosts: 3, host: ["h3", "h3-eth0", "10.0.0.3/8"], port: ["s1-eth3", "s1"] },
  { topo: "linear,3", hosts: 3, host: ["h2", "h2-eth0", "10.0.0.2/8"], port: ["s2-eth3", "s2"] },
  { topo: "linear,2,2", hosts: 4, host: ["h2s1", "h2s1-eth0", "10.0.0.3/8"], port: ["s1-eth3", "s1"] },
  { topo: "tree,depth=2,fanout=2", hosts: 4, host: ["h4", "h4-eth0", "10.0.0.4/8"], port: ["s2-eth3", "s2"] },
  { topo: "torus,3,3", hosts: 9, host: ["h2x3", "h2x3-eth0", "10.0.0.6/8"], port: ["s1x1-eth5", "s1x1"] },
  { topo: "single,3", sw: "ovs", hosts: 3, host: ["h1", "h1-eth0", "10.0.0.1/8"], port: ["s1-eth1", "s1"] },
];

describe.skipIf(!canTouchKernel && !mustRun)("generated labs (real kernel)", () => {
  let lab: string | undefined;
  afterEach(() => {
    if (lab) nslab(["down", lab]);
    lab = undefined;
  });

  for (const c of CASES) {
    it(`--topo ${c.topo}${c.sw ? ` --switch ${c.sw}` : ""}: up, every pair pings, healthy, down leaves nothing`, () => {
      const p = prefix();
      lab = `gen-${p.slice(0, -1)}`;
      const up = nslab([
        "up",
        "--topo",
        c.topo,
        ...(c.sw ? ["--switch", c.sw] : []),
        "--name",
        lab,
        "--prefix",
        p,
      ]);
      expect(up.stderr).toContain(`lab '${lab}' is up`);
      expect(up.code).toBe(0);

      // Mininet's names and addresses, as ip sees them.
      const [host, ifname, cidr] = c.host;
      const addr = inNs(`${p}${host}`, ["ip", "-br", "addr", "show", "dev", ifname]);
      expect(addr.stdout).toMatch(
        new RegExp(`^${ifname}@\\S+\\s+UP\\s+${cidr.replaceAll(".", "\\.")}\\s*$`, "m"),
      );
      // IPv4-only hosts: no IPv6 link-local address.
      expect(addr.stdout).not.toContain("fe80:");
      const [port, sw] = c.port;
      expect(kernelSnapshot().rootLinks).toContain(`${p}${port}`);
      if (!c.sw)
        expect(
          execFileSync("ip", ["-br", "link", "show", "master", `${p}${sw}`], { encoding: "utf8" }),
        ).toContain(`${p}${port}`);

      const ping = nslab(["ping", lab, "--json"]);
      expect(ping.code, ping.stderr).toBe(0);
      const report = JSON.parse(ping.stdout) as { policy: string; results: unknown[]; lost: number };
      expect(report.policy).toBe("all");
      expect(report.results).toHaveLength(c.hosts * (c.hosts - 1));
      expect(report.lost).toBe(0);

      const status = JSON.parse(nslab(["status", lab, "--json"]).stdout) as { healthy: boolean };
      expect(status.healthy).toBe(true);

      const down = nslab(["down", lab]);
      expect(down.code).toBe(0);
      lab = undefined;
      const after = kernelSnapshot();
      expect(after.netns.filter((n) => n.startsWith(p))).toEqual([]);
      expect(after.rootLinks.filter((n) => n.startsWith(p))).toEqual([]);
      expect(after.ovsBridges.filter((n) => n.startsWith(p))).toEqual([]);
      expect(after.state).not.toContain(`gen-${p.slice(0, -1)}.json`);
    });
  }

  it("`nslab generate` writes a topology file that validates and plans like any other", () => {
    const dir = mkdtempSync(join(tmpdir(), "nslab-gen-"));
    try {
      const gen = nslab(["generate", "--topo", "linear,2,2", "--name", "from-file"]);
      expect(gen.code).toBe(0);
      const file = join(dir, "lab.yaml");
      writeFileSync(file, gen.stdout);
      expect(nslab(["validate", file]).stderr).toContain("lab 'from-file' is valid (6 nodes, 5 links)");
      const plan = nslab(["plan", file, "--prefix", "gx1-"]);
      expect(plan.stdout).toContain("ip link add name gx1-s2-eth3 group");
      expect(plan.stdout).toContain("ip -n gx1-h2s1 addr add 10.0.0.3/8 dev h2s1-eth0");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
