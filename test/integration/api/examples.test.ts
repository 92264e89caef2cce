/**
 * The API examples run from the checkout (TypeScript through tsx, `nslab` mapped to the source by
 * tsconfig paths), as the README says; scripts/pack-check.sh runs them from an installed package.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canTouchKernel, mustRun } from "../../support/kernel.js";

const root = join(import.meta.dirname, "..", "..", "..");

function run(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!canTouchKernel && !mustRun)("examples/api", () => {
  it("bridge.ts: the bridge experiment built in code", () => {
    const r = run(["examples/api/bridge.ts"]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(
      /ok: lab api-bridge-w[0-9a-z]{3} answered, survived a link fault, and is down again/,
    );
  });

  it("bridge-vs-ovs.test.ts: the parametrised node:test test", () => {
    const r = run(["--test", "examples/api/bridge-vs-ovs.test.ts"]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("# pass 2");
  });
});
