/**
 * `status` of a big lab through its fast path — the record's view (state/view.ts: a record of a
 * megabyte or more) and the agent's compact namespace dumps (`nsdumpc`) — still tells the truth: a
 * namespace deleted, an interface set down, an interface deleted, an address removed and a route
 * removed by hand are each reported with the fix, in the summary table too; `up` again repairs them.
 * `link … down|up` and `exec` on it go through the view as well.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { scratch } from "../../support/net.js";

const HOSTS = 700;

interface Report {
  healthy: boolean;
  health: { what: string; where: string; fix: string }[];
  nodes: { name: string; kernelName: string; present: boolean; routes: { dst: string; via?: string }[] }[];
}

/** HOSTS hosts on one bridge; h1 and h2 with a route through 10.76.0.254. */
function labFile(name: string): string {
  const lines = [`name: ${name}`, "nodes:", "  sw: {kind: bridge}"];
  for (let i = 1; i <= HOSTS; i++) {
    const routes = i <= 2 ? ", routes: [{to: 10.77.0.0/16, via: 10.76.0.254}]" : "";
    lines.push(`  h${i}: {interfaces: {eth0: 10.76.${i >> 8}.${i & 255}/16}${routes}}`);
  }
  lines.push("links:");
  for (let i = 1; i <= HOSTS; i++) lines.push(`  - [h${i}:eth0, sw:p${i}]`);
  return `${lines.join("\n")}\n`;
}

describe.skipIf(!canTouchKernel && !mustRun)(
  "status of a big lab, broken by hand, through the fast path",
  () => {
    const hex = randomBytes(2).toString("hex").slice(0, 3);
    const prefix = `st${hex}-`;
    const lab = `st-big-${hex}${randomBytes(2).toString("hex")}`;
    const files = scratch();
    const file = files.file("lab.yaml", labFile(lab));
    const before = scopedSnapshot(prefix, lab);
    afterAll(() => {
      nslab(["down", lab]);
      files.cleanup();
    });
    const status = (): Report => {
      const r = nslab(["status", lab, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Report;
    };
    const run = (args: string[]) => {
      const r = spawnSync(args[0]!, args.slice(1), { encoding: "utf8" });
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    };
    const up = () => {
      const r = nslab(["up", file, "--name", lab, "--prefix", prefix]);
      expect(r.code, r.stderr).toBe(0);
    };

    it("reports each break with its fix; up again repairs them; down cleans up", () => {
      up();
      // The fast path: a view of the record, compact dumps.
      const views = join(process.env.NSLAB_STATE_DIR || "/run/nslab", "views");
      expect(existsSync(join(views, `${lab}.json`))).toBe(true);
      const verbose = nslab(["-v", "status", lab]);
      expect(verbose.code, verbose.stderr).toBe(0);
      expect(verbose.stderr).toMatch(/nsdumpc×/);
      // Each request with its duration and when it started (ms since nslab began).
      expect(verbose.stderr).toMatch(/nsdumpc×\d+[^\n]*\(\d+\.\d ms, exit 0; at \d+\.\d ms\)\n/);
      expect(verbose.stdout).toContain("healthy");

      const well = status();
      expect(well.health).toEqual([]);
      expect(well.nodes.find((n) => n.name === "h1")!.routes).toContainEqual(
        expect.objectContaining({ dst: "10.77.0.0/16", via: "10.76.0.254" }),
      );

      // link and exec look the lab up in its view too: a link fault drops h2's route, `link … up`
      // restores it (planning from the view, without positions), and exec sees it there.
      for (const state of ["down", "up"]) {
        const r = nslab(["link", lab, "h2:eth0", state]);
        expect(r.code, r.stderr).toBe(0);
      }
      const routes = nslab(["exec", lab, "h2", "ip", "route"]);
      expect(routes.code, routes.stderr).toBe(0);
      expect(routes.stdout).toContain("10.77.0.0/16 via 10.76.0.254");
      expect(status().health).toEqual([]);

      const ns = (node: string) => `${prefix}${node}`;
      run(["ip", "-n", ns("h1"), "route", "del", "10.77.0.0/16"]);
      run(["ip", "netns", "del", ns("h3")]);
      run(["ip", "-n", ns("h4"), "link", "set", "eth0", "down"]);
      run(["ip", "-n", ns("h5"), "link", "del", "eth0"]);
      run(["ip", "-n", ns("h6"), "addr", "del", "10.76.0.6/16", "dev", "eth0"]);

      const broken = status();
      expect(broken.healthy).toBe(false);
      const found = broken.health.map((p) => [p.where, p.what]);
      const expected: [string, string | RegExp][] = [
        ["node h1", "route to 10.77.0.0/16 via 10.76.0.254 is missing"],
        ["node h3", `namespace ${ns("h3")} is missing`],
        ["node h4, interface eth0", "interface eth0 is administratively down"],
        ["node h5, interface eth0", "interface eth0 is missing"],
        ["node h6, interface eth0", "address 10.76.0.6/16 is missing"],
        [`node sw, interface ${ns("p3")}`, `interface ${ns("p3")} is missing`],
        [
          `node sw, interface ${ns("p4")}`,
          /^interface .* has no carrier.*: its peer h4:eth0 is down or missing$/,
        ],
        [`node sw, interface ${ns("p5")}`, `interface ${ns("p5")} is missing`],
      ];
      for (const [where, what] of expected)
        expect(found, `${where}: ${what}`).toContainEqual([
          where,
          typeof what === "string" ? what : expect.stringMatching(what),
        ]);
      expect(found).toHaveLength(expected.length);
      for (const p of broken.health) expect(p.fix).toMatch(/^(nslab up |bring the peer up: |nslab link )/);

      // The summary table (a lab this big is summarised) names them too.
      const table = nslab(["status", lab]);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toContain("degraded");
      expect(table.stdout).toContain("route to 10.77.0.0/16 via 10.76.0.254 is missing");
      expect(table.stdout).toContain(`namespace ${ns("h3")} is missing`);
      expect(table.stdout).toMatch(/unhealthy nodes \(6\)/);

      up();
      expect(status().health).toEqual([]);

      const down = nslab(["down", lab]);
      expect(down.code, down.stderr).toBe(0);
      expect(existsSync(join(views, `${lab}.json`))).toBe(false);
      expect(scopedSnapshot(prefix, lab)).toEqual(before);
    }, 300_000);
  },
);
