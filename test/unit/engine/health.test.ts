/**
 * A lab's health beyond its kernel objects: Open vSwitch's part (daemons alive, bridges and ports in
 * the datapath), the record check (an interrupted up/down), a check that throws, and the OVS
 * daemons' state from their pidfiles.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Driver } from "../../../src/drivers/driver.js";
import type { BridgeInfo } from "../../../src/drivers/ovs/inventory.js";
import { daemonState } from "../../../src/drivers/ovs/liveness.js";
import { checkLabHealth, type LabCheck, repairCommand } from "../../../src/engine/health.js";
import type { LabHealthContext } from "../../../src/engine/health-types.js";
import { ovsLabHealth } from "../../../src/engine/services/ovs-health.js";
import { parseTopology } from "../../../src/model/load.js";
import { type LabState, newLabState } from "../../../src/state/store.js";

const topo = parseTopology(
  "name: hl\nnodes:\n  a: {interfaces: {e0: 10.0.0.1/24}}\n  s: {kind: ovs-bridge}\nlinks:\n  - [a:e0, s:p0]\n",
);
const up = (): LabState => ({ ...newLabState(topo, []), status: "up" });
const noDriver = {} as Driver;
const running = { pid: 4242, state: "running" } as const;

function ctx(over: Partial<LabHealthContext> = {}): LabHealthContext {
  return {
    lab: "hl",
    record: up(),
    driver: noDriver,
    repair: repairCommand({ lab: "hl", topology: topo }),
    ...over,
  };
}

function bridge(ofport: number, error: string | null = null): BridgeInfo {
  const iface = (name: string, port: number) => ({
    uuid: name,
    name,
    type: "",
    ofport: port,
    error: name === "s" ? null : error,
    adminState: "up",
    linkState: "up",
  });
  return {
    uuid: "b",
    name: "s",
    datapathType: "netdev",
    externalIds: {},
    ports: ["s", "p0"].map((name) => ({
      uuid: name,
      name,
      tag: null,
      externalIds: {},
      interfaces: [iface(name, name === "s" ? 65534 : ofport)],
    })),
  };
}

describe("Open vSwitch's part of a lab's health", () => {
  it("is healthy with both daemons up and every port in the datapath", async () => {
    expect(await ovsLabHealth(ctx({ ovsBridges: [bridge(1)] }), running)).toEqual([]);
  });

  it("a dead ovs-vswitchd: says the bridges forward nothing, and that nslab up restarts it", async () => {
    const found = await ovsLabHealth(ctx({ ovsBridges: [bridge(1)] }), { pid: 4242, state: "gone" });
    expect(found).toHaveLength(1);
    expect(found[0]!.what).toBe(
      "ovs-vswitchd (the Open vSwitch switch) is not running (process 4242 is gone): the lab's bridge s forwards nothing",
    );
    expect(found[0]!.fix).toMatch(/^nslab up --topo <its spec> --name hl \(starts ovs-vswitchd again/);
  });

  it("a zombie ovs-vswitchd is dead; a stopped one is told to continue", async () => {
    const zombie = await ovsLabHealth(ctx({ ovsBridges: [bridge(1)] }), { pid: 7, state: "zombie" });
    expect(zombie[0]!.what).toContain("process 7 ended and is a zombie");
    const stopped = await ovsLabHealth(ctx({ ovsBridges: [bridge(1)] }), { pid: 7, state: "stopped" });
    expect(stopped[0]!.fix).toBe("let it run again: kill -CONT 7");
  });

  it("ovsdb-server not answering: one problem for it, one for the switch", async () => {
    const found = await ovsLabHealth(ctx({ ovsBridges: new Error("connect ENOENT") }), {
      pid: null,
      state: "gone",
    });
    expect(found.map((p) => p.what.split(" ")[0])).toEqual(["ovsdb-server", "ovs-vswitchd"]);
    expect(found[0]!.what).toContain("(connect ENOENT)");
  });

  it("a port ovs-vswitchd could not add names the port and the error it gave", async () => {
    const found = await ovsLabHealth(
      ctx({ ovsBridges: [bridge(-1, "could not open network device p0")] }),
      running,
    );
    expect(found).toEqual([
      {
        what: "port p0 is not in the datapath: could not open network device p0",
        where: "node s, port p0",
        fix: "nslab up --topo <its spec> --name hl (re-creates what is missing; ovs-vswitchd adds a port as soon as its device exists)",
        check: "Open vSwitch",
      },
    ]);
  });

  it("a lab without OVS bridges has no OVS problems", async () => {
    const plain = parseTopology("name: hp\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:e0, b:e0]\n");
    expect(
      await ovsLabHealth(ctx({ record: { ...newLabState(plain, []), status: "up" } }), {
        pid: null,
        state: "gone",
      }),
    ).toEqual([]);
  });
});

describe("the per-lab checks", () => {
  it("a record left 'deploying' by a process that is gone: the lab is half-made, down removes it", async () => {
    const record = { ...newLabState(topo, []), status: "deploying" as const, pid: 999_999_999 };
    const found = await checkLabHealth(ctx({ record }), []);
    expect(found).toEqual([]);
    const [recordCheck] = (await import("../../../src/engine/health.js")).LAB_CHECKS;
    const problems = await checkLabHealth(ctx({ record }), [recordCheck!]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.what).toBe(
      "an nslab process ended while bringing it up (process 999999999 is gone): the lab is half-made",
    );
    expect(problems[0]!.fix).toMatch(/^nslab down hl/);
  });

  it("a dirty record gives its own problem and fix", async () => {
    const record: LabState = {
      ...newLabState(topo, []),
      status: "dirty",
      problem: { message: "could not delete veth x", fix: "nslab down hl" },
    };
    const found = await checkLabHealth(ctx({ record }));
    expect(found[0]).toMatchObject({
      what: "could not delete veth x",
      fix: "nslab down hl",
      check: "record",
    });
  });

  it("a check that throws is reported as a problem, not thrown", async () => {
    const broken: LabCheck = {
      name: "broken",
      appliesTo: () => true,
      check: async () => {
        throw new Error("socket closed");
      },
    };
    expect(await checkLabHealth(ctx(), [broken])).toEqual([
      {
        what: "could not be checked: socket closed",
        where: "broken",
        fix: "see the message; nslab doctor checks the host",
        check: "broken",
      },
    ]);
  });
});

describe("an OVS daemon's state from its pidfile", () => {
  const dir = mkdtempSync(join(tmpdir(), "nslab-liveness-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const comm = readFileSync("/proc/self/comm", "utf8").trim();

  it("running when the pidfile names a live process of that name", () => {
    writeFileSync(join(dir, `${comm}.pid`), `${process.pid}\n`);
    expect(daemonState(dir, comm)).toEqual({ pid: process.pid, state: "running" });
  });

  it("gone when the PID is another program now, or nothing names one", () => {
    writeFileSync(join(dir, "ovs-vswitchd.pid"), `${process.pid}\n`);
    expect(daemonState(dir, "ovs-vswitchd")).toEqual({ pid: process.pid, state: "gone" });
    expect(daemonState(dir, "ovsdb-server")).toEqual({ pid: null, state: "gone" });
  });
});
