import { describe, expect, it } from "vitest";
import { checkName, firstBadName } from "../../../src/model/names.js";

describe("checkName", () => {
  it("accepts the walkthrough's names", () => {
    for (const n of ["ns1", "veth0", "br-veth0", "ovs-br", "ovs-veth1", "h1-eth0", "s1.10"])
      expect(checkName(n, "interface")).toBeUndefined();
  });
  it.each([
    ["a b", "interface", /contains a space/],
    ["a/b", "node", /contains '\/'/],
    ["a:b", "interface", /contains ':'/],
    ["-x", "interface", /starts with '-'/],
    ["déjà", "node", /non-ASCII character 'é'/],
    ["a\tb", "interface", /control character \(U\+0009\)/],
    ["a;rm", "node", /contains ';'/],
    ["$(x)", "node", /contains '\$'/],
    ["abcdefghijklmnop", "interface", /16 bytes long; at most 15/],
    ["lo", "interface", /reserved/],
    ["all", "node", /reserved/],
    ["default", "interface", /reserved/],
    ["", "lab", /empty/],
    ["x".repeat(49), "lab", /at most 48/],
  ] as const)("refuses %j as %s", (name, role, re) => {
    expect(checkName(name, role)).toMatch(re);
  });
});

describe("firstBadName", () => {
  it("finds the first name checkName refuses, with its reason, among thousands that pass", () => {
    const good = Array.from({ length: 5000 }, (_, i) => `h${i}s${i % 100}`);
    expect(firstBadName(good, "netns")).toBeUndefined();
    for (const [bad, role] of [
      ["../x", "netns"],
      ["lo", "interface"],
      ["sixteen-bytes-xx", "interface"],
      ["-x", "netns"],
      ["x".repeat(65), "netns"],
      ["ümlaut", "netns"],
    ] as const) {
      const names = [...good.slice(0, 10), bad, "later-bad/"];
      expect(firstBadName(names, role)).toEqual({ name: bad, why: checkName(bad, role) });
      expect(checkName(bad, role)).toBeDefined();
    }
  });
});
