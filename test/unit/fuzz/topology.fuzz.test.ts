import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseTopology } from "../../../src/index.js";
import {
  dataMutation,
  FUZZ_TIMEOUT,
  fuzz,
  loadsOrLocates,
  mutateData,
  plausibleTopology,
  QUIET,
  Tally,
  vocabularyDocument,
} from "../../support/fuzz.js";

const FILE = "fuzz.yaml";
const parseText = (text: string) => () => parseTopology(text, { file: FILE, ...QUIET });

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
const RUNS = { plausible: 3000, vocabulary: 3000, json: 1500, text: 1500 };

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
});
