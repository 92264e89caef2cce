/**
 * A sample of the fuzzers' inputs through the CLI as a user runs it: `nslab validate FILE` on
 * generated nslab and containerlab files must exit 0 (valid) or 2 (problems, each as
 * file:line:col), never anything else, and never print a stack trace. Needs no root; it runs with
 * the integration tests because it uses the built CLI (dist/).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  dataMutation,
  FUZZ_SEED,
  mutateData,
  mutateText,
  plausibleTopology,
  readText,
  textMutation,
} from "../support/fuzz.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "bin", "nslab.js");
const SAMPLE = Number(process.env.NSLAB_FUZZ_CLI_RUNS) || 48;
const dir = mkdtempSync(join(tmpdir(), "nslab-fuzz-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "validate", file], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("fuzz: nslab validate on generated files", () => {
  it(`exits 0 or 2 with located problems and no stack trace (${SAMPLE} files, seed ${FUZZ_SEED})`, async () => {
    const examples = readdirSync(join(ROOT, "examples"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => readText(join(ROOT, "examples", f)));
    const clabDir = join(ROOT, "test", "fixtures", "clab");
    const clab = readdirSync(clabDir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readText(join(clabDir, e.name)));
    const file = fc.oneof(
      fc
        .tuple(plausibleTopology, fc.array(dataMutation, { maxLength: 2 }))
        .map(([doc, ms]) => ({ ext: "yaml", text: mutateData(doc, ms) })),
      fc
        .tuple(fc.constantFrom(...examples), fc.array(textMutation, { minLength: 1, maxLength: 3 }))
        .map(([text, ms]) => ({ ext: "yaml", text: mutateText(text, ms) })),
      fc
        .tuple(fc.constantFrom(...clab), fc.array(dataMutation, { minLength: 1, maxLength: 3 }))
        .map(([text, ms]) => ({ ext: "clab.yml", text: mutateData(parse(text), ms) })),
    );
    const cases = fc.sample(file, { seed: FUZZ_SEED, numRuns: SAMPLE });
    const paths = cases.map((c, i) => {
      const path = join(dir, `case-${i}.${c.ext}`);
      writeFileSync(path, c.text);
      return path;
    });
    const results: { path: string; code: number | null; stdout: string; stderr: string }[] = [];
    for (let i = 0; i < paths.length; i += 4)
      results.push(
        ...(await Promise.all(
          paths.slice(i, i + 4).map(async (path) => ({ path, ...(await validate(path)) })),
        )),
      );
    const bad = results.filter(
      (r) =>
        (r.code !== 0 && r.code !== 2) ||
        /^\s+at |internal error/m.test(r.stderr) ||
        (r.code === 2 && !r.stderr.includes(`${r.path}:`)),
    );
    expect(
      bad.map((r) => `${r.path}: exit ${r.code}\n${r.stderr.slice(0, 1500)}`),
      `replay: NSLAB_FUZZ_SEED=${FUZZ_SEED}`,
    ).toEqual([]);
    const valid = results.filter((r) => r.code === 0).length;
    console.log(
      `[fuzz] nslab validate: ${results.length} files, ${valid} valid, ${results.length - valid} refused`,
    );
    expect(valid).toBeGreaterThan(0);
  });
});
