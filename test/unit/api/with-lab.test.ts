/**
 * withLab's refusals, which come before anything touches the kernel: names the prefix makes too
 * long (a TopologyError naming the field and the budget), invalid topologies, resolved topologies.
 * And the prefix scheme itself.
 */
import { describe, expect, it } from "vitest";
import { NslabError, TopologyError } from "../../../src/errors.js";
import { defineTopology } from "../../../src/model/builder.js";
import { IFNAME_MAX, LAB_MAX } from "../../../src/model/names.js";
import { labNameFor, PREFIX_BYTES, releasePrefix, reservePrefix } from "../../../src/testing/names.js";
import { withLab } from "../../../src/testing.js";

const never = async () => {
  throw new Error("the callback must not run");
};

async function rejection(p: Promise<unknown>): Promise<NslabError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof NslabError)) throw new Error(`expected an NslabError, got ${String(e)}`);
  return e;
}

describe("withLab refuses before touching the kernel", () => {
  it("when the prefix would make a bridge or port name longer than IFNAMSIZ", async () => {
    const spec = defineTopology("long").node("h1").bridge("bridge0").link("h1:eth0", "bridge0:a-long-port");
    const e = await rejection(withLab(spec, never));
    expect(e).toBeInstanceOf(TopologyError);
    const [p] = (e as TopologyError).problems;
    expect(p?.location?.path).toEqual(["links", 0, "endpoints", 1]);
    expect(p?.message).toMatch(
      /^endpoint 'bridge0:a-long-port' with prefix 'w[0-9a-z]{3}-': interface name 'w[0-9a-z]{3}-a-long-port' is 16 bytes long; at most 15/,
    );
    expect(p?.hint).toBe(
      "withLab prefixes bridge and bridge-port names with 5 bytes so tests can run side by side; keep them at most 10 bytes (or pass a shorter 'prefix' that is unique on this host)",
    );
  });

  it("keeps the resolver's hint for a prefix of your own", async () => {
    const spec = defineTopology("long").node("h1").bridge("br").link("h1:eth0", "br:port-123456");
    const e = await rejection(withLab(spec, never, { prefix: "mine-" }));
    expect((e as TopologyError).problems[0]?.hint).toBe(
      "with this 5-byte prefix, bridge and bridge-port names can be at most 10 bytes (IFNAMSIZ); shorten the name or the prefix",
    );
  });

  it("with every problem of an invalid topology", async () => {
    const e = await rejection(
      withLab(
        {
          name: "bad",
          nodes: { h1: { interfaces: { eth0: "10.0.0.300/24" } } },
          links: [["h1:eth0", "h2:eth0"]],
        },
        never,
      ),
    );
    expect((e as TopologyError).problems.map((p) => p.location?.path.join("."))).toEqual([
      "nodes.h1.interfaces.eth0",
      "links.0.1",
    ]);
  });

  it("when given a resolved Topology (it must resolve with its own name and prefix)", async () => {
    const resolved = defineTopology("t").node("h1").toTopology();
    const e = await rejection(withLab(resolved as never, never));
    expect(e.code).toBe("E_USAGE");
  });
});

describe("test names", () => {
  it("prefixes are 5 bytes, distinct within a process, and leave 10 bytes of an interface name", () => {
    const seen = Array.from({ length: 500 }, () => reservePrefix());
    expect(new Set(seen).size).toBe(seen.length);
    for (const p of seen) expect(p).toMatch(/^w[0-9a-z]{3}-$/);
    for (const p of seen) releasePrefix(p);
    expect(PREFIX_BYTES).toBe(5);
    expect(IFNAME_MAX - PREFIX_BYTES).toBe(10);
  });

  it("lab names end in the prefix's tag and fit the lab name limit", () => {
    expect(labNameFor("seed-bridge", "w3k9-")).toBe("seed-bridge-w3k9");
    const long = labNameFor("x".repeat(60), "w3k9-");
    expect(long).toHaveLength(LAB_MAX);
    expect(long.endsWith("-w3k9")).toBe(true);
  });
});
