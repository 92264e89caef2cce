/** Shaping values: tc units in, exact numbers out, clear messages for everything else. */
import { describe, expect, it } from "vitest";
import { formatProblem, type TopologyError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";
import {
  describeShaping,
  formatDuration,
  formatRate,
  parseDuration,
  parseLoss,
  parseRate,
} from "../../../src/model/shaping.js";

describe("shaping values", () => {
  it.each([
    ["10mbit", 10e6],
    ["1.5mbit", 1.5e6],
    ["500kbit", 500e3],
    ["1gbit", 1e9],
    ["1mbps", 8e6],
    [64000, 64000],
  ])("rate %s", (text, bps) => expect(parseRate(text)).toBe(bps));

  it.each(["10 furlongs", "fast", "1bit", "-3mbit", "200gbit"])("refuses rate %s", (text) =>
    expect(typeof parseRate(text)).toBe("string"),
  );

  it("durations and loss", () => {
    expect(parseDuration("20ms", "delay")).toBe(20_000);
    expect(parseDuration("1.5s", "delay")).toBe(1_500_000);
    expect(parseDuration(5, "delay")).toBe(5000);
    expect(parseDuration("500us", "delay")).toBe(500);
    expect(parseDuration("soon", "delay")).toMatch(/not a delay/);
    expect(parseLoss("1%")).toBe(1);
    expect(parseLoss(0.5)).toBe(0.5);
    expect(parseLoss("150%")).toMatch(/more than 100%/);
  });

  it("writes tc's words back", () => {
    expect(formatRate(10e6)).toBe("10mbit");
    expect(formatRate(1_500_000)).toBe("1500kbit");
    expect(formatDuration(20_000)).toBe("20ms");
    expect(describeShaping({ rateBps: 10e6, delayUs: 20_000, jitterUs: 2000, lossPct: 1 })).toBe(
      "rate 10mbit, delay 20ms ± 2ms, loss 1%",
    );
  });

  it("reports bad link shaping at the field, and jitter without delay", () => {
    try {
      parseTopology(
        "name: s\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a:e0, b:e0]\n    rate: quick\n    jitter: 2ms\n",
        { file: "lab.yaml" },
      );
      expect.unreachable();
    } catch (e) {
      const out = (e as TopologyError).problems.map(formatProblem).join("\n");
      expect(out).toMatch(/lab\.yaml:7:11 \(links\[0\]\.rate\): 'quick' is not a rate/);
      expect(out).toMatch(/lab\.yaml:8:13 \(links\[0\]\.jitter\): jitter needs a delay/);
    }
  });
});
