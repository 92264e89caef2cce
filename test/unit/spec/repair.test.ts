import { describe, expect, it } from "vitest";
import { repair } from "../../../src/sources/nslab/repair.js";

describe("repair", () => {
  it("cuts a bad part out of data holding a function (an importer read an inherited toString)", () => {
    // Found by the containerlab fuzz test (NSLAB_FUZZ_SEED=1780429856): structuredClone threw.
    const data = { name: "x", nodes: { a: { kind: Object.prototype.toString }, b: {} } };
    const r = repair(data, [{ path: ["nodes", "a", "kind"] }]);
    expect(r).toBeDefined();
    expect(data.nodes.a.kind).toBe(Object.prototype.toString); // the input is not changed
  });
});
