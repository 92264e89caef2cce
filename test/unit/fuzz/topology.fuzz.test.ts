/**
 * Fuzzing nslab's topology loader (parseTopology, loadTopology): random YAML, random documents in
 * nslab's own vocabulary, and mutations of every example file and of a generated topology, on the
 * data and on the text. Every case must end, within a time bound, in a topology that plans or in a
 * TopologyError whose every problem has a file:line:col (see test/support/fuzz.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { generatedYaml, generateTopology, loadTopology, parseTopology } from "../../../src/index.js";
import {
  dataMutation,
  FUZZ_TIMEOUT,
  fuzz,
  loadsOrLocates,
  mutateData,
  mutateText,
  plausibleTopology,
  readText,
  Tally,
  textMutation,
  vocabularyDocument,
} from "../../support/fuzz.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const EXAMPLES = readdirSync(join(ROOT, "examples"), { recursive: true, encoding: "utf8" })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(ROOT, "examples", f))
  .sort();
const FILE = "fuzz.yaml";
const parseText = (text: string) => () => parseTopology(text, { file: FILE });

/** nslab's field names (the JSON Schema's properties) and names a topology uses. */
const KEYS = [
  ...["name", "addressing", "routing", "nodes", "links", "expect", "ipv4", "ipv6", "kind", "interfaces"],
  ...["routes", "sysctls", "addresses", "mtu", "mac", "to", "via", "dev", "metric", "stp", "vlan"],
  ...["datapath", "endpoints", "rate", "delay", "jitter", "loss", "from", "tcp", "family"],
  ...["ns1", "ns2", "br0", "sw", "r1", "h1", "veth0", "eth0", "eth1", "net.ipv4.ip_forward"],
];
const SCALARS = [
  ...["netns", "router", "bridge", "ovs-bridge", "none", "static", "auto", "netdev", "system"],
  ...["reachable", "unreachable", "ns1", "ns2", "br0", "sw", "h1", "r1", "veth0", "eth0", "eth1"],
  ...["ns1:veth0", "ns2:veth1", "br0:p0", "sw:sw-h1", "h1:eth0", "r1:eth1", "h1 -> r1"],
  ...["10.1.1.2/24", "10.1.1.3/24", "10.0.0.0/16", "fd00::1/64", "fd00::/48", "10.0.0.1", "fd00::1"],
  ...["02:00:00:00:00:01", "1mbit", "10ms", "1%", "100mbit", "default", "1", "0"],
  ...[1, 0, 4, 6, 10, 20, 1400, 1500, 9000, 8080, true, false, null],
];

/** Runs per property in CI (NSLAB_FUZZ_RUNS overrides; see test/support/fuzz.ts). */
const RUNS = {
  plausible: 3000,
  vocabulary: 3000,
  json: 1500,
  text: 1500,
  perExample: 800,
  generated: 1000,
  files: 400,
};

const tempDir = mkdtempSync(join(tmpdir(), "nslab-fuzz-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe("fuzz: nslab topology files", () => {
  it(
    "random documents in nslab's vocabulary",
    async () => {
      const tally = new Tally();
      await fuzz(
        fc.asyncProperty(vocabularyDocument(KEYS, SCALARS), async (text) => {
          tally.add(await loadsOrLocates(FILE, parseText(text)));
        }),
        RUNS.vocabulary,
      );
      console.log(`[fuzz] vocabulary: ${tally}`);
    },
    FUZZ_TIMEOUT,
  );

  it(
    "plausible topologies, as written and mutated",
    async () => {
      const tally = new Tally();
      await fuzz(
        fc.asyncProperty(plausibleTopology, fc.array(dataMutation, { maxLength: 2 }), async (doc, ms) => {
          tally.add(await loadsOrLocates(FILE, parseText(mutateData(doc, ms))));
        }),
        RUNS.plausible,
      );
      console.log(`[fuzz] plausible: ${tally}`);
      expect(tally.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );

  it(
    "random YAML values and random text",
    async () => {
      const tally = new Tally();
      const doc = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v, { lineWidth: 0 })),
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.string({ unit: fc.constantFrom(..."ab:- \n[]{}&*!|>'\"#,?0.1/"), maxLength: 200 }),
      );
      await fuzz(
        fc.asyncProperty(doc, async (text) => {
          tally.add(await loadsOrLocates(FILE, parseText(text)));
        }),
        RUNS.json + RUNS.text,
      );
      console.log(`[fuzz] random: ${tally}`);
    },
    FUZZ_TIMEOUT,
  );

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
              tally.add(await loadsOrLocates(path, () => loadTopology(path), ["E_FILE"]));
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
