import { describe, expect, it } from "vitest";
import { fnv1a32, mulberry32 } from "../../src/util/hash.js";

describe("util/hash", () => {
  it("fnv1a32 gives the published FNV-1a 32-bit values", () => {
    // Reference values of FNV-1a (32-bit): "" → offset basis, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("mulberry32 repeats its sequence for a seed, stays in [0, 1) and differs between seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(xs.slice(0, 10));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
