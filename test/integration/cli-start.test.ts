/**
 * What the installed command loads as it runs (dist/bin, the bundle `npm pack` ships): every module
 * Node loads is logged by a load hook, for the commands people and scripts type most. `--version`,
 * `status` and `down` of a lab that is not up never load the YAML parser or zod (the bulk of a
 * start), `validate` of a valid file never loads zod (only a file with problems does, for its
 * messages), and each loads a handful of files, not the ~200 modules TypeScript emits. Counts, not
 * times: it holds on a loaded machine. Needs no root; it uses the built CLI (dist/).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "bin", "nslab.js");
const dir = mkdtempSync(join(tmpdir(), "nslab-cli-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, "hooks.mjs"),
  `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.NSLAB_TEST_LOAD_LOG, url + "\\n");
  return next(url, context);
}
`,
);
writeFileSync(
  join(dir, "register.mjs"),
  `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`,
);

/** The files of this package a command loads (and its exit code), in an empty state directory. */
function loads(args: string[]): { code: number | null; files: string[]; stderr: string } {
  const log = join(dir, `load-${args.join("-").replace(/\W+/g, "_")}.log`);
  const r = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", NSLAB_TEST_LOAD_LOG: log, NSLAB_STATE_DIR: join(dir, "state") },
    encoding: "utf8",
    timeout: 60_000,
  });
  const files = readFileSync(log, "utf8")
    .split("\n")
    .filter((u) => u.startsWith("file:") && !u.startsWith(`file://${dir}`))
    .map((u) => fileURLToPath(u));
  return { code: r.status, files, stderr: r.stderr };
}

/** Which of the heavy libraries the files hold (their code is bundled: found by what it says). */
function heavy(files: string[]): string[] {
  const text = files.map((f) => readFileSync(f, "utf8")).join("\n");
  return [
    ...(text.includes("$ZodObject") ? ["zod"] : []),
    ...(text.includes("Excessive alias count") ? ["yaml"] : []),
  ];
}

describe("what the nslab command loads at start", () => {
  // Files and bytes: what Node reads and compiles before the command can answer. The counts leave
  // room for a module or two more (esbuild splits shared code into chunks: one new shared module can
  // add a file); the bytes are what costs start time (all of yaml and zod would be ~1 MB more).
  it.each([
    [["--version"], 10, 80_000],
    // status with no record still looks for labs by their markers (a lost /run/nslab): the agent's
    // code, and the mount reader that finds a lab's file system (51 files, 218 kB on 2026-12-03).
    [["status"], 60, 300_000],
    [["down", "nslab-never-up"], 50, 280_000],
  ])("nslab %j loads neither yaml nor zod, from few files", (args, most, bytes) => {
    const r = loads(args);
    expect(r.code, r.stderr).toBe(0);
    expect(heavy(r.files)).toEqual([]);
    expect(r.files.every((f) => f.startsWith(join(ROOT, "dist", "bin")) || f.includes("node_modules"))).toBe(
      true,
    );
    expect(r.files.length).toBeLessThanOrEqual(most);
    expect(r.files.reduce((sum, f) => sum + statSync(f).size, 0)).toBeLessThanOrEqual(bytes);
  });

  it("nslab validate of a valid file loads the YAML parser but not zod, from few files", () => {
    const r = loads(["validate", join(ROOT, "examples", "seed", "bridge.yaml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(heavy(r.files)).toEqual(["yaml"]);
    // 30 files, 299 kB on 2026-12-03 (the YAML parser is 150 kB of it; zod would add 116 kB).
    expect(r.files.length).toBeLessThanOrEqual(40);
    expect(r.files.reduce((sum, f) => sum + statSync(f).size, 0)).toBeLessThanOrEqual(340_000);
  });

  // (zod comes in by require(), which the load hook does not see: the messages show it ran.)
  it("nslab validate of a file with problems loads zod then, and says where each is", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: x\nnodes:\n  h1: {kind: netnz}\n  h2: {interfacez: {}}\n");
    const r = loads(["validate", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3:14 (nodes.h1.kind): unknown node kind 'netnz'`);
    expect(r.stderr).toContain("did you mean 'netns'?");
    expect(r.stderr).toContain(`${bad}:4:8 (nodes.h2.interfacez): unknown field 'interfacez'`);
    expect(r.stderr).not.toMatch(/Warning|TypeError|at file:/);
  });
});
