/** Lists of names in messages stay short for big labs. */
import { describe, expect, it } from "vitest";
import { listSome } from "../../../src/util/listing.js";

describe("listSome", () => {
  it("lists a few names whole", () => {
    expect(listSome([])).toBe("");
    expect(listSome(["ns1", "ns2"])).toBe("ns1, ns2");
    expect(listSome(["a", "b", "c"], 3)).toBe("a, b, c");
  });
  it("lists the first ones of many, and how many more", () => {
    const names = Array.from({ length: 10_100 }, (_, i) => `h${i + 1}`);
    expect(listSome(names)).toBe("h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, … and 10,088 more");
    expect(listSome(["a", "b", "c", "d"], 3)).toBe("a, b, c, … and 1 more");
  });
});
