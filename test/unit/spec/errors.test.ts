/** Every kind of bad topology is refused with file:line:col, the field path and a clear message. */
import { describe, expect, it } from "vitest";
import { formatProblem, type Problem, TopologyError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";

/** The problems of a YAML text, formatted, or [] when it is valid. */
function problems(yaml: string): string[] {
  try {
    parseTopology(yaml, { file: "lab.yaml" });
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems.map((p: Problem) => formatProblem(p));
  }
}

const base = (nodes: string, links = "") => `name: t\nnodes:\n${nodes}\n${links ? `links:\n${links}\n` : ""}`;

describe("topology errors", () => {
  it("accepts a valid lab", () => {
    expect(
      problems(
        base(
          "  a: {interfaces: {e0: 10.0.0.1/24}}\n  b: {interfaces: {e0: 10.0.0.2/24}}",
          "  - [a:e0, b:e0]",
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ["malformed YAML", "name: t\nnodes: [\n", /lab\.yaml:3:1: YAML syntax error/],
    [
      "duplicate keys",
      "name: t\nnodes:\n  a: {}\n  a: {}\n",
      /lab\.yaml:4:3 \(nodes\.a\): duplicate key 'a'/,
    ],
    [
      "unknown field with a suggestion",
      "name: t\nnodse: {}\n",
      /lab\.yaml:2:1 \(nodse\): unknown field 'nodse' — did you mean 'nodes'\?/,
    ],
    [
      "wrong type",
      "name: t\nnodes:\n  a: {interfaces: {e0: {mtu: big}}}\n",
      /lab\.yaml:3:30 \(nodes\.a\.interfaces\.e0\.mtu\): expected a number, got 'big'/,
    ],
    ["missing name", "nodes: {}\n", /lab\.yaml:1:1: missing required field 'name'/],
    [
      "unknown kind",
      "name: t\nnodes:\n  a: {kind: brige}\n",
      /lab\.yaml:3:13 \(nodes\.a\.kind\): unknown node kind 'brige'.*did you mean 'bridge'/,
    ],
    [
      "__proto__ key",
      "name: t\nnodes:\n  __proto__: {}\n",
      /lab\.yaml:3:3 \(nodes\): the key '__proto__' is not allowed/,
    ],
    ["merge keys", "name: t\nx: &x {}\nnodes:\n  a:\n    <<: *x\n", /merge keys/],
  ])("%s", (_, yaml, re) => {
    expect(problems(yaml).join("\n")).toMatch(re);
  });

  it.each([
    ["a;b", /contains ';'/],
    ["a b", /contains a space/],
    ["a/b", /contains '\/'/],
    ["-a", /starts with '-'/],
    ["né", /non-ASCII/],
    ['"a\\x01"', /control character/],
  ])("refuses node name %j", (name, re) => {
    expect(problems(base(`  ${name}: {}`)).join("\n")).toMatch(re);
  });

  it("refuses interface names over 15 bytes, and reserved ones", () => {
    const p = problems(
      base(
        "  a: {interfaces: {averyveryverylong0: null, all: null}}\n  b: {}",
        "  - [a:averyveryverylong0, b:x]\n  - [a:all, b:y]",
      ),
    );
    expect(p.join("\n")).toMatch(
      /lab\.yaml:3:20 \(nodes\.a\.interfaces\.averyveryverylong0\): interface name 'averyveryverylong0' is 18 bytes long; at most 15/,
    );
    expect(p.join("\n")).toMatch(/interface name 'all' is reserved/);
  });

  it("refuses root-namespace names that collide, also after the prefix", () => {
    const p = problems(
      base(
        "  br0: {kind: bridge}\n  br1: {kind: bridge}\n  a: {}\n  b: {}",
        "  - [a:e0, br0:p0]\n  - [b:e0, br1:p0]",
      ),
    );
    expect(p.join("\n")).toMatch(/port of br1 'p0' collides with port of br0/);
    expect(() =>
      parseTopology(base("  br0: {kind: bridge}\n  a: {}", "  - [a:e0, br0:port-with-11]"), {
        prefix: "pfx-",
      }),
    ).toThrow(/with prefix 'pfx-'.*16 bytes long/);
  });

  it("refuses links to missing nodes, reused endpoints and self-loops", () => {
    const p = problems(
      base(
        "  a: {}\n  b: {}",
        "  - [a:e0, c:e0]\n  - [a:e1, b:e1]\n  - [a:e1, b:e2]\n  - [b:e3, b:e3]\n  - [a-e4, b:e4]",
      ),
    );
    const text = p.join("\n");
    expect(text).toMatch(
      /lab\.yaml:6:12 \(links\[0\]\[1\]\): endpoint 'c:e0' refers to node 'c', which is not defined/,
    );
    expect(text).toMatch(/lab\.yaml:8:5 \(links\[2\]\): a:e1 is already an end of the link at lab\.yaml:7:5/);
    expect(text).toMatch(/link connects b:e3 to itself/);
    expect(text).toMatch(/endpoint 'a-e4' must be written node:interface/);
  });

  it.each([
    ["10.1.1.300/24", /octet '300' is out of range/],
    ["10.1.1.2", /no prefix length/],
    ["10.1.1.0/24", /network address/],
    ["10.1.1.255/24", /broadcast address/],
    ["fd00::1/200", /larger than 128/],
  ])("refuses address %s", (addr, re) => {
    expect(
      problems(base(`  a: {interfaces: {e0: ${addr}}}\n  b: {}`, "  - [a:e0, b:e0]")).join("\n"),
    ).toMatch(re);
  });

  it("refuses duplicate addresses and MACs, bad MTUs, and routes that cannot work", () => {
    const text = problems(
      base(
        [
          "  a: {interfaces: {e0: {addresses: [10.0.0.1/24], mac: '02:00:00:00:00:01', mtu: 40}}, routes: [{to: default, via: 10.9.0.1}, {to: 10.5.0.0/16, via: 'fd00::1'}]}",
          "  b: {interfaces: {e0: {addresses: [10.0.0.1/24, 'fd00::9/64'], mac: '02:00:00:00:00:01', mtu: 1000}}}",
        ].join("\n"),
        "  - [a:e0, b:e0]",
      ),
    ).join("\n");
    expect(text).toMatch(/address 10\.0\.0\.1 of b:e0 is already used by a:e0/);
    expect(text).toMatch(/MAC 02:00:00:00:00:01 of b:e0 is already used by a:e0/);
    expect(text).toMatch(/MTU 40 of a:e0 is out of range 68–65535/);
    expect(text).toMatch(/MTU 1000 of b:e0 is below 1280, the minimum for IPv6/);
    expect(text).toMatch(/gateway 10\.9\.0\.1 is not on any subnet of node 'a'/);
    expect(text).toMatch(/gateway fd00::1 is IPv6 but the destination 10\.5\.0\.0\/16 is IPv4/);
  });

  it("refuses host-wide sysctls", () => {
    expect(problems(base("  a: {sysctls: {kernel.panic: 1, net.ipv4.ip_forward: 1}}")).join("\n")).toMatch(
      /sysctl 'kernel\.panic' is not a per-namespace networking setting/,
    );
  });

  it("reports every problem at once, in file order", () => {
    const p = problems(base("  'a b': {}\n  c: {interfaces: {e0: 10.0.0.300/24}}", "  - [c:e0, d:e0]"));
    expect(p.length).toBe(3);
    expect(p.map((x) => Number(x.split(":")[1]))).toEqual(
      [...p.map((x) => Number(x.split(":")[1]))].sort((x, y) => x - y),
    );
  });

  it("rejects alias bombs and absurd nesting fast, without crashing", () => {
    const bomb = [
      "a: &a [x,x,x,x,x,x,x,x,x]",
      ...["b", "c", "d", "e", "f", "g"].map(
        (k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`,
      ),
    ].join("\n");
    let t = Date.now();
    expect(problems(`name: t\nnodes: {}\n${bomb}\n`).join("\n")).toMatch(/alias/);
    expect(Date.now() - t).toBeLessThan(2000);
    t = Date.now();
    expect(problems(`name: t\nnodes: ${"[".repeat(10000)}${"]".repeat(10000)}\n`).join("\n")).toMatch(
      /nested too deeply|deeper than 32/,
    );
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it("does not pollute prototypes", () => {
    problems('name: t\nnodes:\n  a: {interfaces: {"__proto__": {polluted: 1}}}\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("errors carry the E_TOPOLOGY code and a location", () => {
    try {
      parseTopology("name: t\nnodes:\n  a: {kind: nope}\n", { file: "x.yaml" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TopologyError);
      expect((e as TopologyError).code).toBe("E_TOPOLOGY");
      expect((e as TopologyError).location).toMatchObject({
        file: "x.yaml",
        line: 3,
        column: 13,
        path: ["nodes", "a", "kind"],
      });
    }
  });
});
