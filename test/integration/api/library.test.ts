/**
 * The library without friction, against the real kernel: `await using lab = await Lab.up(builder)`
 * (with `.router()` and `.expect()`) takes the lab down at the end of the scope; `Lab.up` takes a
 * file's path; every waiting operation honours its AbortSignal and ends what it started.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NslabError } from "../../../src/errors.js";
import { Lab } from "../../../src/lab/handle.js";
import { defineTopology } from "../../../src/model/builder.js";
import { readLab } from "../../../src/state/store.js";
import { canTouchKernel, mustRun } from "../../support/kernel.js";
import { netNames, pidsIn, scratch } from "../../support/net.js";

const routed = (name: string) =>
  defineTopology(name)
    .node("h1", { interfaces: { eth0: "10.79.1.2/24" }, routes: [{ to: "default", via: "10.79.1.1" }] })
    .node("h2", { interfaces: { eth0: "10.79.2.2/24" }, routes: [{ to: "default", via: "10.79.2.1" }] })
    .router("r1", { interfaces: { eth0: "10.79.1.1/24", eth1: "10.79.2.1/24" } })
    .link("h1:eth0", "r1:eth0")
    .link("h2:eth0", "r1:eth1")
    .expect("h1", "h2", "reachable")
    .expect("h1", "10.79.9.9", "unreachable");

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe.skipIf(!canTouchKernel && !mustRun)("the library", () => {
  it("await using: a builder's lab (a router, expectations) is up in the scope and down after it", async () => {
    const { lab: name, prefix } = netNames("lib");
    {
      await using lab = await Lab.up(routed(name), { prefix });
      expect(lab.name).toBe(name);
      expect(readLab(name)).toBeDefined();
      const report = await lab.test();
      expect(report.failed).toBe(0);
      expect(report.results.map((r) => r.name)).toEqual(
        expect.arrayContaining([expect.stringMatching(/h1.*h2/), expect.stringMatching(/10\.79\.9\.9/)]),
      );
    }
    expect(readLab(name)).toBeUndefined();
  });

  it("Lab.up takes a topology file's path, named and prefixed by its options", async () => {
    const { lab: name, prefix } = netNames("lib");
    const files = scratch();
    try {
      const file = files.file("lab.yaml", routed("from-file").toYaml());
      await using lab = await Lab.up(file, { name, prefix });
      expect(lab.name).toBe(name);
      expect(lab.netns("h1")).toBe(`${prefix}h1`);
    } finally {
      files.cleanup();
    }
    expect(readLab(name)).toBeUndefined();
  });

  it("an aborted operation rejects at once with E_INTERRUPTED and ends the processes it started", async () => {
    const { lab: name, prefix } = netNames("lib");
    await using lab = await Lab.up(routed(name), { prefix });
    const pre = await rejection(lab.ping({ signal: AbortSignal.abort() }));
    expect(pre).toBeInstanceOf(NslabError);
    expect((pre as NslabError).code).toBe("E_INTERRUPTED");

    const stop = new AbortController();
    const started = performance.now();
    const iperf = lab.iperf("h1", "h2", { timeSeconds: 60, signal: stop.signal });
    const busy = async () => pidsIn(lab.netns("h2")).length > 0;
    for (let i = 0; i < 100 && !(await busy()); i++) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    const e = await rejection(iperf);
    expect((e as NslabError).code).toBe("E_INTERRUPTED");
    expect(performance.now() - started).toBeLessThan(20_000);
    let left = 1;
    for (let i = 0; i < 50 && left > 0; i++) {
      left = pidsIn(lab.netns("h1")).length + pidsIn(lab.netns("h2")).length;
      if (left > 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);

    const link = await rejection(lab.link("h1:eth0", "down", { signal: AbortSignal.abort() }));
    expect((link as NslabError).code).toBe("E_INTERRUPTED");
    const after = await lab.status();
    expect(after.health, JSON.stringify(after.health)).toEqual([]);
    expect(after.healthy).toBe(true);
  });
});

describe("the package", () => {
  it("loads with require() too (Node >= 20.19 requires ES modules), and with import", () => {
    const root = join(import.meta.dirname, "..", "..", "..");
    const code = `const n = require("nslab"); const t = require("nslab/testing");
console.log(typeof n.Lab.up, typeof n.defineTopology, typeof t.withLab);`;
    const r = spawnSync(process.execPath, ["--no-warnings", "-e", code], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("function function function\n");
  });
});
