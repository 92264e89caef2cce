/**
 * Fuzzing nslab's topology loader (parseTopology, loadTopology) with mutations of every example
 * file and of generated topologies, on the data and on the text, and through files. Every case must
 * end, within a time bound, in a topology that plans or in a TopologyError whose every problem has
 * a file:line:col (see test/support/fuzz.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generatedYaml, generateTopology, loadTopology, parseTopology } from "../../../src/index.js";
import {
  dataMutation,
  FUZZ_TIMEOUT,
  fuzz,
  loadsOrLocates,
  mutateData,
  mutateText,
  QUIET,
  readText,
  Tally,
  textMutation,
} from "../../support/fuzz.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const EXAMPLES = readdirSync(join(ROOT, "examples"), { recursive: true, encoding: "utf8" })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(ROOT, "examples", f))
  .sort();
const FILE = "fuzz.yaml";
const parseText = (text: string) => () => parseTopology(text, { file: FILE, ...QUIET });

/** Runs per property in CI (NSLAB_FUZZ_RUNS overrides; see test/support/fuzz.ts). */
const RUNS = { perExample: 800, generated: 1000, files: 400 };

const tempDir = mkdtempSync(join(tmpdir(), "nslab-fuzz-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe("fuzz: mutated nslab topology files", () => {
  it.each(EXAMPLES.map((f) => [relative(ROOT, f), f]))(
    "mutations of %s",
    async (_name, path) => {
      const text = readText(path);
      const data = parse(text) as unknown;
      parseTopology(text, { file: FILE }); // the unmutated file is valid
      const tally = new Tally();
      const mutation = fc.oneof(
        fc.array(dataMutation, { minLength: 1, maxLength: 4 }).map((ms) => ({ data: ms, text: [] })),
        fc.array(textMutation, { minLength: 1, maxLength: 4 }).map((ms) => ({ data: [], text: ms })),
        fc.record({
          data: fc.array(dataMutation, { minLength: 1, maxLength: 3 }),
          text: fc.array(textMutation, { minLength: 1, maxLength: 2 }),
        }),
      );
      await fuzz(
        fc.asyncProperty(mutation, async (m) => {
          const mutated = mutateText(m.data.length > 0 ? mutateData(data, m.data) : text, m.text);
          tally.add(await loadsOrLocates(FILE, parseText(mutated)));
        }),
        RUNS.perExample,
      );
      console.log(`[fuzz] ${relative(ROOT, path)}: ${tally}`);
      // The mutations reach the planner: some mutated files are still valid topologies.
      expect(tally.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );

  it(
    "mutations of generated topologies (Mininet-style, bridge and OVS)",
    async () => {
      const bases = ["single,4", "linear,3", "tree,2,2", "torus,3,3"].flatMap((topo) =>
        (["bridge", "ovs"] as const).map(
          (sw) => parse(generatedYaml(generateTopology(topo, { switch: sw }), topo)) as unknown,
        ),
      );
      const tally = new Tally();
      await fuzz(
        fc.asyncProperty(
          fc.nat({ max: bases.length - 1 }),
          fc.array(dataMutation, { minLength: 1, maxLength: 5 }),
          async (which, ms) => {
            tally.add(await loadsOrLocates(FILE, parseText(mutateData(bases[which], ms))));
          },
        ),
        RUNS.generated,
      );
      console.log(`[fuzz] generated: ${tally}`);
      expect(tally.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );

  it(
    "through files (loadTopology: size cap, containerlab sniffing, positions in the file)",
    async () => {
      const texts = EXAMPLES.map(readText);
      const tally = new Tally();
      let n = 0;
      await fuzz(
        fc.asyncProperty(
          fc.nat({ max: texts.length - 1 }),
          fc.array(textMutation, { minLength: 1, maxLength: 4 }),
          async (which, ms) => {
            const path = join(tempDir, `case-${n++}.yaml`);
            writeFileSync(path, mutateText(texts[which]!, ms));
            try {
              tally.add(await loadsOrLocates(path, () => loadTopology(path, QUIET), ["E_FILE"]));
            } finally {
              rmSync(path, { force: true });
            }
          },
        ),
        RUNS.files,
      );
      console.log(`[fuzz] files: ${tally}`);
    },
    FUZZ_TIMEOUT,
  );
});
