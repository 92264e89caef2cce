/**
 * observeForPlan reads what a plan deals with: the namespaces it names, and the root namespace only
 * when the plan has something there — then its bridges and ports and the links the plan names, not
 * a full dump (the slow one beside a big lab: `link … up`, `up` of a running lab).
 */
import { describe, expect, it } from "vitest";
import type { Driver } from "../../../src/drivers/driver.js";
import { observeForPlan } from "../../../src/drivers/observe/for-plan.js";
import type { Op } from "../../../src/plan/ops.js";

/** A driver that records which namespaces were read (null: the root one) and the root names asked. */
function fakeDriver() {
  const dumped: Array<string | null> = [];
  const asked: string[][] = [];
  const empty = { links: [], addrs: [], routes: [] };
  const driver = {
    dumpMany: async (names: string[]) => {
      dumped.push(...names);
      return new Map(names.map((n) => [n, empty]));
    },
    dump: async () => {
      throw new Error("no full dump of the root namespace");
    },
    rootLinks: async (names: Iterable<string>) => {
      dumped.push(null);
      asked.push([...names]);
      return {
        ...empty,
        links: [
          { ifindex: 7, name: "br-x", master: null, up: true },
          { ifindex: 8, name: "p1", master: 7, up: true },
        ],
      };
    },
    ovsdb: async () => {
      throw new Error("not asked for");
    },
  } as unknown as Driver;
  return { driver, dumped, asked };
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

  it("a plan with a root link (or an op with no namespace) reads it: its bridges, ports, and the links named", async () => {
    for (const op of [
      { op: "link.up", ns: null, dev: "br-x" },
      { op: "bridge.add", dev: "br-x", marker: "m" },
    ] as Op[]) {
      const { driver, dumped } = fakeDriver();
      const seen = await observeForPlan([[op]], driver);
      expect(dumped).toContain(null);
      expect([...seen.rootLinks]).toEqual(["br-x", "p1"]);
      expect(seen.rootMasters?.get("br-x")).toBeNull();
      expect(seen.rootMasters?.get("p1")).toBe("br-x");
    }
    const { driver, asked } = fakeDriver();
    await observeForPlan(
      [
        [
          { op: "netns.add", ns: "nsx", marker: "m" },
          {
            op: "veth.add",
            a: { ns: "nsx", name: "eth0" },
            b: { ns: null, name: "p1" },
            marker: "m",
            group: 1,
          },
          { op: "link.master", dev: "p1", master: "br-x" },
          { op: "sysctl.set", ns: null, key: "net/ipv4/conf/up0/forwarding", value: "1" },
          { op: "labfs.mount", path: "/run/nslab/fs/x", name: "x" },
        ] as Op[],
      ],
      driver,
    );
    expect(asked).toEqual([["p1", "br-x", "up0"]]);
  });
});
