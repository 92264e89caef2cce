/** Waiting for convergence (with a stand-in for the routers) and the node environment FRR runs in. */
import { describe, expect, it } from "vitest";
import { waitConverged } from "../../../src/engine/converge.js";
import { NslabError } from "../../../src/errors.js";
import { loadTopology } from "../../../src/model/load.js";
import type { RouterExpectation, RouterObservation } from "../../../src/plan/frr/converge.js";
import { describeLacking } from "../../../src/plan/frr/lacking-text.js";
import { type FrrHost, planFrr } from "../../../src/plan/frr/routers.js";
import { frrNodeEnv, LOAD_SERVICE } from "../../../src/plan/frr/services.js";
import type { NsDump } from "../../../src/plan/observed.js";

const host: FrrHost = {
  dir: "/usr/lib/frr",
  vtysh: "/usr/bin/vtysh",
  version: "8.4.4",
  daemons: ["zebra", "staticd", "bgpd", "ospfd", "ospf6d"],
};
const empty: NsDump = { links: [], addrs: [], routes: [] };
const route = (dst: string): NsDump["routes"][number] => ({
  family: 4,
  dst,
  gateway: "10.0.0.2",
  oif: 2,
  metric: 20,
  protocol: 188,
  scope: 0,
  table: 254,
});
const expectation: RouterExpectation = {
  node: "r1",
  netns: "x-r1",
  protocols: ["ospf"],
  neighbors: [{ protocol: "ospf", id: "10.255.0.2", node: "r2" }],
  routes: ["10.9.0.0/24"],
};

describe("waitConverged", () => {
  it("looks until nothing is lacking, reporting what is lacking meanwhile", async () => {
    const states: RouterObservation[] = [
      { error: "ospfd is not running" },
      { dump: empty, neighbors: [{ protocol: "ospf", id: "10.255.0.2", state: "Init/-" }] },
      {
        dump: { ...empty, routes: [route("10.9.0.0/24")] },
        neighbors: [{ protocol: "ospf", id: "10.255.0.2", state: "Full/-" }],
      },
    ];
    let i = 0;
    const seen: string[][] = [];
    const r = await waitConverged([expectation], async () => new Map([["r1", states[Math.min(i++, 2)]!]]), {
      intervalMs: 1,
      onWait: (l) => seen.push(describeLacking(l)),
    });
    expect(r.looks).toBe(3);
    expect(seen).toEqual([
      ["r1: ospfd is not running"],
      ["r1: sessions not up: ospf 10.255.0.2 (r2): Init/-; no route to 10.9.0.0/24"],
    ]);
  });

  it("gives up after its timeout, naming each router and what it lacks", async () => {
    const look = async () => new Map([["r1", { dump: empty, neighbors: [] }]]);
    const err = await waitConverged([expectation], look, { timeoutMs: 30, intervalMs: 5 }).catch((e) => e);
    expect(err).toBeInstanceOf(NslabError);
    expect(err.code).toBe("E_VERIFY");
    expect(err.message).toBe(
      "routing did not converge within 0 s; 1 of 1 router lack something:\n  r1: sessions not up: ospf 10.255.0.2 (r2): not listed; no route to 10.9.0.0/24",
    );
  });

  it("stops when aborted", async () => {
    const ac = new AbortController();
    const look = async () => {
      ac.abort();
      return new Map([["r1", { dump: empty, neighbors: [] }]]);
    };
    await expect(
      waitConverged([expectation], look, { signal: ac.signal, intervalMs: 10_000 }),
    ).rejects.toThrow(/interrupted while waiting for routing/);
  });

  it("keeps long reports short", () => {
    const many = Array.from({ length: 14 }, (_, i) => ({
      node: `r${i}`,
      neighbors: [],
      routes: ["a", "b", "c", "d", "e", "f"],
    }));
    const text = describeLacking(many);
    expect(text).toHaveLength(11);
    expect(text[0]).toBe("r0: no route to a, b, c, d (+2 more)");
    expect(text[10]).toBe("… and 4 more routers");
  });
});

describe("FRR's node environment", () => {
  it("generated configuration: private /etc/frr, /run/frr and /var/tmp/frr, one service per daemon after zebra", async () => {
    const t = await loadTopology("examples/ospf-ring.yaml");
    const r1 = planFrr(t, host, new Map()).routers[0]!;
    const env = frrNodeEnv(r1);
    expect(env.files.filter((f) => f.kind === "dir").map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ["/etc/frr", "750"],
      ["/run/frr", "755"],
      ["/var/tmp/frr", "700"],
    ]);
    expect(env.files.filter((f) => f.kind === "file").map((f) => f.path)).toEqual([
      "/etc/frr/frr.conf",
      "/etc/frr/daemons",
      "/etc/frr/zebra.conf",
      "/etc/frr/staticd.conf",
      "/etc/frr/ospfd.conf",
      "/etc/frr/ospf6d.conf",
      "/etc/frr/vtysh.conf",
    ]);
    for (const f of env.files) expect(f.owner).toEqual({ user: "frr", group: "frr" });
    expect(env.services.map((s) => [s.name, s.after, s.ready])).toEqual([
      ["zebra", [], { kind: "file", path: "/run/frr/zserv.api", timeoutMs: 30_000 }],
      ["staticd", ["r1/zebra"], { kind: "file", path: "/run/frr/staticd.vty", timeoutMs: 30_000 }],
      ["ospfd", ["r1/zebra"], { kind: "file", path: "/run/frr/ospfd.vty", timeoutMs: 30_000 }],
      ["ospf6d", ["r1/zebra"], { kind: "file", path: "/run/frr/ospf6d.vty", timeoutMs: 30_000 }],
    ]);
    expect(env.services[0]!.command[0]).toBe("/usr/lib/frr/zebra");
    expect(env.services.every((s) => s.restart === "on-failure")).toBe(true);
  });

  it("a user's frr.conf: loaded once every daemon is ready, by a one-shot vtysh -b", () => {
    const plan = {
      node: "a",
      netns: "a",
      config: { kind: "file" as const, path: "/lab/a.conf" },
      files: [{ name: "frr.conf", content: "hostname a\n" }],
      daemons: [
        { name: "zebra", argv: ["/usr/lib/frr/zebra"], readyFile: "/run/frr/zserv.api" },
        { name: "ospfd", argv: ["/usr/lib/frr/ospfd"], readyFile: "/run/frr/ospfd.vty", after: "zebra" },
      ],
      load: ["/usr/bin/vtysh", "-b"],
    };
    const load = frrNodeEnv(plan).services.find((s) => s.name === LOAD_SERVICE)!;
    expect(load).toMatchObject({
      command: ["/usr/bin/vtysh", "-b"],
      after: ["a/zebra", "a/ospfd"],
      oneshot: true,
      restart: "no",
    });
  });
});
