/**
 * observeForPlan reads what a plan deals with: the namespaces it names, and the root namespace only
 * when the plan has something there (its dump is the slow one beside a big lab: `link … up`).
 */
import { describe, expect, it } from "vitest";
import type { Driver } from "../../../src/drivers/driver.js";
import { observeForPlan } from "../../../src/drivers/observe/for-plan.js";
import type { Op } from "../../../src/plan/ops.js";

/** A driver that records which namespaces were dumped (null: the root one). */
function fakeDriver() {
  const dumped: Array<string | null> = [];
  const empty = { links: [], addrs: [], routes: [] };
  const driver = {
    dumpMany: async (names: string[]) => {
      dumped.push(...names);
      return new Map(names.map((n) => [n, empty]));
    },
    dump: async (ns: string | null) => {
      dumped.push(ns);
      return {
        ...empty,
        links: ns === null ? [{ ifindex: 7, name: "br-x", master: null, up: true }] : [],
      };
    },
    ovsdb: async () => {
      throw new Error("not asked for");
    },
  } as unknown as Driver;
  return { driver, dumped };
}

describe("observeForPlan", () => {
  it("a plan inside one namespace does not read the root namespace", async () => {
    const { driver, dumped } = fakeDriver();
    const plan: Op[] = [
      { op: "link.up", ns: "nsx", dev: "eth0" },
      { op: "addr.add", ns: "nsx", dev: "eth0", cidr: "10.9.0.1/24" },
    ];
    const seen = await observeForPlan([plan], driver);
    expect(dumped).not.toContain(null);
    expect(seen.rootLinks.size).toBe(0);
  });

  it("a plan with a root link (or an op with no namespace) reads it", async () => {
    for (const op of [
      { op: "link.up", ns: null, dev: "br-x" },
      { op: "bridge.add", dev: "br-x", marker: "m" },
    ] as Op[]) {
      const { driver, dumped } = fakeDriver();
      const seen = await observeForPlan([[op]], driver);
      expect(dumped).toContain(null);
      expect([...seen.rootLinks]).toEqual(["br-x"]);
      expect(seen.rootMasters?.get("br-x")).toBeNull();
    }
  });
});
