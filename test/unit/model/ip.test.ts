import { describe, expect, it } from "vitest";
import {
  bigintToV6,
  contains,
  hostAddressProblem,
  parseAddress,
  parseCidr,
  sameSubnet,
  subnetOf,
  v6ToBigint,
} from "../../../src/model/ip.js";

const cidr = (s: string) => {
  const c = parseCidr(s);
  if (typeof c === "string") throw new Error(c);
  return c;
};

describe("parseCidr", () => {
  it("parses IPv4 and IPv6 with prefixes", () => {
    expect(cidr("10.1.1.2/24")).toEqual({ family: 4, address: "10.1.1.2", prefix: 24 });
    expect(cidr("FD00:0:0::2/64")).toEqual({ family: 6, address: "fd00::2", prefix: 64 });
  });
  it("explains what is wrong", () => {
    expect(parseCidr("10.1.1.300/24")).toMatch(/octet '300' is out of range/);
    expect(parseCidr("10.1.1.2")).toMatch(/no prefix length/);
    expect(parseCidr("10.1.1.2/33")).toMatch(/larger than 32/);
    expect(parseCidr("fd00::1/129")).toMatch(/larger than 128/);
    expect(parseCidr("10.1.1.2/x")).toMatch(/invalid prefix length/);
    expect(parseCidr("host/24")).toMatch(/not a valid IPv4 or IPv6 address/);
    expect(parseAddress("fe80::1%eth0")).toMatch(/zone/);
  });
});

describe("host address checks", () => {
  it("refuses network and broadcast addresses except on /31 and /32", () => {
    expect(hostAddressProblem(cidr("10.1.1.0/24"))).toMatch(/network address/);
    expect(hostAddressProblem(cidr("10.1.1.255/24"))).toMatch(/broadcast address/);
    expect(hostAddressProblem(cidr("10.1.1.0/31"))).toBeUndefined();
    expect(hostAddressProblem(cidr("10.1.1.7/32"))).toBeUndefined();
    expect(hostAddressProblem(cidr("224.0.0.1/24"))).toMatch(/multicast/);
    expect(hostAddressProblem(cidr("127.0.0.2/8"))).toMatch(/loopback/);
    expect(hostAddressProblem(cidr("::/64"))).toMatch(/unspecified/);
    expect(hostAddressProblem(cidr("ff02::1/64"))).toMatch(/multicast/);
    expect(hostAddressProblem(cidr("fd00::1/64"))).toBeUndefined();
  });
});

describe("subnet arithmetic", () => {
  it("computes subnets and containment", () => {
    expect(subnetOf(cidr("10.1.1.2/24"))).toBe("10.1.1.0/24");
    expect(subnetOf(cidr("fd00:1:2:3::9/64"))).toBe("fd00:1:2:3::/64");
    expect(sameSubnet(cidr("10.1.1.2/24"), cidr("10.1.1.3/24"))).toBe(true);
    expect(sameSubnet(cidr("10.1.1.2/24"), cidr("10.1.2.3/24"))).toBe(false);
    expect(contains(cidr("10.0.0.1/8"), { family: 4, address: "10.200.3.4" })).toBe(true);
    expect(contains(cidr("10.0.0.1/8"), { family: 6, address: "fd00::1" })).toBe(false);
  });
  it("round-trips IPv6 text in RFC 5952 form", () => {
    for (const [input, out] of [
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["::1", "::1"],
      ["::", "::"],
      ["fd00::", "fd00::"],
      ["1:0:0:0:0:0:0:0", "1::"],
      ["::ffff:10.1.2.3", "::ffff:a01:203"],
    ])
      expect(bigintToV6(v6ToBigint(input!))).toBe(out);
  });
});
