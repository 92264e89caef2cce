/** What `nslab test` checks (probes per expectation, segment-aware ping matrix) and its JUnit report. */
import { describe, expect, it } from "vitest";
import { loadTopology } from "../../../src/model/load.js";
import { type CheckResult, labChecks, runChecks } from "../../../src/verify/checks.js";
import { renderJunit } from "../../../src/verify/junit.js";
import { RecordingRunner } from "../../support/recording-runner.js";

describe("checks", () => {
  it("expands expectations into probes and pairs only addresses on the same segment", async () => {
    const t = await loadTopology("examples/vlans.yaml", { prefix: "p-" });
    const checks = labChecks(t);
    const a1b1 = checks.find((c) => c.name === "a1 -> b1: unreachable")!;
    expect(a1b1.probes).toEqual([{ netns: "p-a1", family: 4, address: "10.20.0.3", kind: "icmp" }]);
    const tcp = checks.find((c) => c.name === "a2 -> a1 tcp/8080: reachable")!;
    expect(tcp.probes).toEqual([
      { netns: "p-a2", family: 4, address: "10.20.0.1", kind: "tcp", port: 8080, listenIn: "p-a1" },
    ]);
    // Same subnet, different VLAN: not in the ping matrix.
    const pings = checks.filter((c) => c.group === "ping").map((c) => c.name);
    expect(pings).toEqual([
      "a1 -> a2:eth0 10.20.0.2",
      "a2 -> a1:eth0 10.20.0.1",
      "b1 -> b2:eth0 10.20.0.4",
      "b2 -> b1:eth0 10.20.0.3",
    ]);
  });

  it("leaves out of the matrix the pairs an expectation says are unreachable by ICMP (a drop flow)", async () => {
    const t = await loadTopology("examples/openflow.yaml", { prefix: "p-" });
    const checks = labChecks(t);
    expect(checks.filter((c) => c.group === "ping").map((c) => c.name)).toEqual([
      "h1 -> h3:eth0 10.66.0.3",
      "h2 -> h3:eth0 10.66.0.3",
      "h3 -> h1:eth0 10.66.0.1",
      "h3 -> h2:eth0 10.66.0.2",
    ]);
    expect(checks.find((c) => c.name === "h1 -> h2: unreachable")?.expect).toBe("unreachable");
  });

  it("pings the matrix in one batch when given a pinger; expectations still probe one by one", async () => {
    const t = await loadTopology("examples/vlans.yaml", { prefix: "p-" });
    const checks = labChecks(t);
    const runner = new RecordingRunner();
    const batches: string[][] = [];
    const seen: string[] = [];
    const results = await runChecks(runner, checks, {
      onResult: (r) => seen.push(r.name),
      pingPairs: async (pairs, onResult) => {
        batches.push(pairs.map((p) => `${p.netns}>${p.target}`));
        const out = pairs.map((pair, i) =>
          i === 0 ? { pair, ok: false, error: "no reply within 1000 ms" } : { pair, ok: true, rttMs: 0.05 },
        );
        for (const r of out) onResult(r);
        return out;
      },
    });
    // One batch: the four matrix pairs, in order; no ping process for any of them.
    expect(batches).toEqual([["p-a1>10.20.0.2", "p-a2>10.20.0.1", "p-b1>10.20.0.4", "p-b2>10.20.0.3"]]);
    // The expectations' ICMP probes ran as processes (the recording runner "answers" every one),
    // and nothing else did.
    const icmp = checks
      .filter((c) => c.group === "expect")
      .flatMap((c) => c.probes.filter((p) => p.kind === "icmp"));
    expect(icmp.length).toBeGreaterThan(0);
    const pinged = runner.calls.filter((c) => c.argv.includes("ping"));
    expect(pinged.length).toBe(icmp.length);
    const matrix = results.filter((r) => r.group === "ping");
    expect(matrix.map((r) => [r.name, r.ok, r.detail])).toEqual([
      ["a1 -> a2:eth0 10.20.0.2", false, "10.20.0.2: no reply within 1000 ms"],
      ["a2 -> a1:eth0 10.20.0.1", true, "10.20.0.1 answered (0.05 ms)"],
      ["b1 -> b2:eth0 10.20.0.4", true, "10.20.0.4 answered (0.05 ms)"],
      ["b2 -> b1:eth0 10.20.0.3", true, "10.20.0.3 answered (0.05 ms)"],
    ]);
    // Every check reported once, in any order.
    expect([...seen].sort()).toEqual(results.map((r) => r.name).sort());
  });

  it("writes JUnit XML with a failure per unexpected outcome", () => {
    const result = (name: string, ok: boolean, group: "expect" | "ping" = "expect"): CheckResult => ({
      group,
      name,
      from: "a",
      to: "b",
      protocol: "icmp",
      expect: "unreachable",
      reachable: !ok,
      ok,
      detail: ok ? "10.0.0.2: no answer" : "10.0.0.2 answered <fast>",
      probes: [],
      durationMs: 12,
      where: "lab.yaml:3:5",
    });
    const xml = renderJunit("lab", [
      result("a -> b: unreachable", true),
      result("a -> c: unreachable", false),
      result("x", true, "ping"),
    ]);
    expect(xml).toContain('<testsuites name="nslab test lab" tests="3" failures="1"');
    expect(xml).toContain('<testsuite name="lab: expect" tests="2" failures="1"');
    expect(xml).toContain('<testsuite name="lab: ping matrix" tests="1" failures="0"');
    expect(xml).toContain(
      '<testcase classname="nslab.lab.expect" name="a -&gt; c: unreachable" time="0.012">',
    );
    expect(xml).toMatch(
      /<failure message="expected unreachable, but it is reachable" type="Reachable">a -&gt; c: unreachable\nexpected unreachable, but it is reachable: 10\.0\.0\.2 answered &lt;fast&gt;\nat lab\.yaml:3:5<\/failure>/,
    );
  });
});
