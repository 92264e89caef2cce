/**
 * Fuzzing the containerlab importer (convertClabText, and loadTopology on .clab.yml files): random
 * documents in containerlab's vocabulary and mutations of containerlab-style files. Conversion must
 * end in a result or a TopologyError located in the file; a converted file must then load (or be
 * refused with located problems) and plan — in bounded time (see test/support/fuzz.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { convertClabText, loadTopology, TopologyError } from "../../../src/index.js";
import {
  checkCaseTime,
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
  vocabularyDocument,
} from "../../support/fuzz.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "clab");
const FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".clab.yml"))
  .sort();
/** Runs per property in CI (NSLAB_FUZZ_RUNS overrides). */
const RUNS = { vocabulary: 2000, perFile: 1200 };

const KEYS = [
  ...["name", "prefix", "mgmt", "topology", "defaults", "kinds", "groups", "nodes", "links", "kind"],
  ...["image", "exec", "group", "type", "endpoints", "mtu", "ipv4", "ipv6", "node", "interface", "mac"],
  ...["vars", "labels", "binds", "env", "mgmt-ipv4", "network-mode", "r1", "c1", "sw", "linux"],
];
const SCALARS = [
  ...["linux", "bridge", "ovs-bridge", "srl", "ceos", "veth", "host", "mgmt-net", "macvlan", "alpine"],
  ...["r1:eth1", "c1:eth1", "sw:sw-r1", "host:eth9", "r1", "c1", "sw", "eth1", "eth2", "clients"],
  ...["10.0.0.1/24", "10.0.0.2/24", "2001:db8::1/64", "02:00:00:00:00:01", "1500", 1400, 9000],
  ...["ip addr add 10.0.0.1/24 dev eth1", "sysctl -w net.ipv4.ip_forward=1", "ip link set eth1 up"],
  ...["ip route add default via 10.0.0.1", "touch /tmp/x", "", null, true],
];

const tempDir = mkdtempSync(join(tmpdir(), "nslab-fuzz-clab-"));
// What the fixtures bind from beside them (routers.clab.yml: ./config), so that they load as
// written and what a mutation does is all that decides a case; nothing else on the host counts.
mkdirSync(join(tempDir, "config"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));
let n = 0;

/**
 * One containerlab text: convertClabText must return or throw a located TopologyError; what it
 * converts must load from a file (the same conversion, then nslab's own rules) and plan.
 */
async function check(text: string, tally: Tally): Promise<void> {
  const file = "fuzz.clab.yml";
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    convertClabText(text, file);
  } catch (e) {
    if (!(e instanceof TopologyError)) {
      const err = e as Error;
      throw new Error(`convertClabText: unexpected ${err?.name}: ${err?.message}\n${err?.stack ?? ""}`);
    }
    // Located like every other problem (reuses the property's checks on a rethrow).
    tally.add(
      await loadsOrLocates(file, () => {
        throw e;
      }),
    );
    checkCaseTime(started, cpu);
    return;
  }
  const path = join(tempDir, `case-${n++}.clab.yml`);
  writeFileSync(path, text);
  try {
    tally.add(await loadsOrLocates(path, () => loadTopology(path, QUIET), ["E_FILE"]));
  } finally {
    rmSync(path, { force: true });
  }
}

describe("fuzz: containerlab import", () => {
  it(
    "random documents in containerlab's vocabulary",
    async () => {
      const tally = new Tally();
      const doc = vocabularyDocument(KEYS, SCALARS);
      await fuzz(
        fc.asyncProperty(doc, async (text) => check(text, tally)),
        RUNS.vocabulary,
      );
      console.log(`[fuzz] clab vocabulary: ${tally}`);
    },
    FUZZ_TIMEOUT,
  );

  it.each(FILES)(
    "mutations of %s",
    async (name) => {
      const text = readText(join(FIXTURES, name));
      const data = parse(text) as unknown;
      const tally = new Tally();
      await check(text, tally); // the unmutated file converts and loads
      expect(tally.accepted).toBe(1);
      const mutation = fc.oneof(
        fc.array(dataMutation, { minLength: 1, maxLength: 4 }).map((ms) => ({ data: ms, text: [] })),
        fc.array(textMutation, { minLength: 1, maxLength: 4 }).map((ms) => ({ data: [], text: ms })),
      );
      await fuzz(
        fc.asyncProperty(mutation, async (m) =>
          check(mutateText(m.data.length > 0 ? mutateData(data, m.data) : text, m.text), tally),
        ),
        RUNS.perFile,
      );
      console.log(`[fuzz] ${name}: ${tally}`);
      expect(tally.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );
});
