/** The words of `nslab shell` lines: splitting, node names replaced by addresses, Tab completion (pure). */
import { describe, expect, it } from "vitest";
import { complete, splitLine, withAddresses } from "../../../src/cli/shell/words.js";

const addresses = new Map([
  ["h1", "10.0.0.1"],
  ["h2", "10.0.0.2"],
]);

describe("shell words", () => {
  it("splits a line into its first word and the rest as typed", () => {
    expect(splitLine("  h1   ping -c1  h2 | tail -1 ")).toEqual({
      word: "h1",
      rest: "ping -c1  h2 | tail -1",
    });
    expect(splitLine("   ")).toEqual({ word: "", rest: "" });
  });

  it("replaces whole words that are node names, nothing else", () => {
    expect(withAddresses("ping -c1 h2", addresses)).toBe("ping -c1 10.0.0.2");
    expect(withAddresses("ping h2|tail -1; echo h1h2 h1:eth0 xh2", addresses)).toBe(
      "ping 10.0.0.2|tail -1; echo h1h2 h1:eth0 xh2",
    );
    expect(withAddresses("curl 'h2' --resolve=h1", addresses)).toBe("curl '10.0.0.2' --resolve=10.0.0.1");
  });

  it("completes commands and nodes first, then nodes and endpoints", () => {
    const v = { commands: ["help", "nodes", "link"], nodes: ["h1", "s1"], endpoints: ["h1:eth0", "s1:p1"] };
    expect(complete("h", v)).toEqual([["h1", "help"], "h"]);
    expect(complete("  no", v)).toEqual([["nodes"], "no"]);
    expect(complete("link s", v)).toEqual([["s1", "s1:p1"], "s"]);
    expect(complete("h1 ping ", v)).toEqual([["h1", "h1:eth0", "s1", "s1:p1"], ""]);
  });
});
