/** containerlab exec lines: what nslab applies natively and why it skips the rest. */
import { describe, expect, it } from "vitest";
import { parseExec } from "../../../src/sources/clab/exec.js";

describe("containerlab exec lines", () => {
  it.each([
    ["ip addr add 10.0.0.1/24 dev eth1", { kind: "address", dev: "eth1", cidr: "10.0.0.1/24" }],
    ["ip -6 address add 2001:db8::1/64 dev eth2", { kind: "address", dev: "eth2", cidr: "2001:db8::1/64" }],
    ["ip a add 10.0.0.1/24 dev eth1", { kind: "address", dev: "eth1", cidr: "10.0.0.1/24" }],
    ["ip route add 10.2.0.0/16 via 10.0.0.254", { kind: "route", to: "10.2.0.0/16", via: "10.0.0.254" }],
    [
      "ip route add default via 10.0.0.1 dev eth1",
      { kind: "route", to: "default", via: "10.0.0.1", dev: "eth1" },
    ],
    ["ip -6 route add default via 2001:db8::1", { kind: "route", to: "default6", via: "2001:db8::1" }],
    [
      "ip r add 10.9.0.0/16 dev eth1 metric 10",
      { kind: "route", to: "10.9.0.0/16", dev: "eth1", metric: 10 },
    ],
    ["ip link set eth1 up", { kind: "link", dev: "eth1" }],
    ["ip link set dev eth1 mtu 9000 up", { kind: "link", dev: "eth1", mtu: 9000 }],
    ["ip link set eth1 address 02:00:00:00:00:01", { kind: "link", dev: "eth1", mac: "02:00:00:00:00:01" }],
    ["sysctl -w net.ipv4.ip_forward=1", { kind: "sysctl", key: "net.ipv4.ip_forward", value: "1" }],
    ["/sbin/ip addr add 10.0.0.1/24 dev eth1", { kind: "address", dev: "eth1", cidr: "10.0.0.1/24" }],
  ])("%s", (line, action) => expect(parseExec(line)).toEqual(action));

  it.each([
    ["bash -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'", /shell syntax/],
    ["apk add iperf3", /'apk' is not a command nslab applies/],
    ["ip link add bond0 type bond", /'ip link add' is not one of/],
    ["ip link set eth1 down", /nslab brings every interface up/],
    ["ip addr add 10.0.0.1/24 dev eth1 label eth1:0", /'label' in ip addr add is not supported/],
    ["ip -br addr add 10.0.0.1/24 dev eth1", /ip option '-br'/],
    ["ip route add 10.0.0.0/8 via", /'via' has no value/],
  ])("skips %s", (line, reason) => {
    const a = parseExec(line);
    expect(a.kind).toBe("skip");
    expect(a.kind === "skip" && a.reason).toMatch(reason);
  });
});
