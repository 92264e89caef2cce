/** Which ping `pingFrom` makes: a shared subnet first (IPv4 first), else a routed ping; clear errors. */
import { describe, expect, it } from "vitest";
import { pingPair } from "../../../src/lab/ping.js";
import { topologyFromObject } from "../../../src/model/load.js";

const t = topologyFromObject(
  {
    name: "pp",
    nodes: {
      a: {
        interfaces: { eth0: ["fd00:1::2/64", "10.0.1.2/24"] },
        routes: [{ to: "default", via: "10.0.1.1" }],
      },
      b: { interfaces: { eth0: ["10.0.1.3/24", "fd00:1::3/64"] } },
      far: { interfaces: { eth0: "10.0.9.2/24" } },
      gw: { interfaces: { eth0: "10.0.1.1/24", eth1: "10.0.9.1/24" }, sysctls: { "net.ipv4.ip_forward": 1 } },
      sw: { kind: "bridge" },
      sw2: { kind: "bridge" },
    },
    links: [
      ["a:eth0", "sw:p1"],
      ["b:eth0", "sw:p2"],
      ["gw:eth0", "sw:p3"],
      ["gw:eth1", "sw2:q1"],
      ["far:eth0", "sw2:q2"],
    ],
  },
  { prefix: "x1f2e-" },
);

describe("pingPair", () => {
  it("pings a node on a shared subnet from the source's own address there, IPv4 first", () => {
    expect(pingPair(t, "a", "b")).toEqual({
      from: "a",
      netns: "x1f2e-a",
      source: "10.0.1.2",
      to: "b:eth0",
      target: "10.0.1.3",
      family: 4,
    });
  });

  it("pings a node on another subnet without a source address (the kernel routes it)", () => {
    expect(pingPair(t, "a", "far")).toEqual({
      from: "a",
      netns: "x1f2e-a",
      to: "far:eth0",
      target: "10.0.9.2",
      family: 4,
    });
  });

  it("pings an address, IPv6 too", () => {
    expect(pingPair(t, "a", "fd00:1::3")).toMatchObject({
      source: "fd00:1::2",
      target: "fd00:1::3",
      family: 6,
    });
    expect(pingPair(t, "a", "10.0.9.2")).not.toHaveProperty("source");
  });

  it("refuses unknown nodes, bridges as sources and nodes without addresses, naming what exists", () => {
    expect(() => pingPair(t, "zz", "b")).toThrow(/no node 'zz'/);
    expect(() => pingPair(t, "a", "nowhere")).toThrow(/neither a node of lab 'pp' nor an address/);
    expect(() => pingPair(t, "sw", "b")).toThrow(/'sw' is a bridge/);
    expect(() => pingPair(t, "a", "sw")).toThrow(/no address to ping/);
  });
});
