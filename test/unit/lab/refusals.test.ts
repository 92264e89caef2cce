/**
 * Bad input and unfit hosts are refused before anything runs: the command runner is called zero
 * times, and the error says what is wrong, where, and what to do.
 */

import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HostProbe } from "../../../src/engine/preflight.js";
import { up } from "../../../src/engine/up.js";
import { formatProblem, NslabError, TopologyError } from "../../../src/errors.js";
import { loadTopology, parseTopology } from "../../../src/model/load.js";
import { MAX_FILE_BYTES } from "../../../src/sources/read.js";
import { RecordingRunner } from "../../support/recording-runner.js";

const fullHost: HostProbe = {
  isRoot: () => true,
  findBinary: (b) => `/usr/bin/${b}`,
  hasTun: () => true,
  maxNetNamespaces: () => 100_000,
  netnsCount: () => 0,
};

async function upText(yaml: string, host: HostProbe = fullHost) {
  const runner = new RecordingRunner();
  let error: unknown;
  try {
    await up(parseTopology(yaml, { file: "lab.yaml" }), { runner, host, backend: "agent" });
  } catch (e) {
    error = e;
  }
  return { runner, error };
}

const ovsLab =
  "name: o\nnodes:\n  a: {interfaces: {e0: 10.0.0.1/24}}\n  s: {kind: ovs-bridge}\nlinks:\n  - [a:e0, s:p0]\n";

describe("refused before anything runs", () => {
  const two = (links: string) =>
    `name: x\nnodes:\n  a: {interfaces: {e0: 10.0.0.1/24}}\n  b: {interfaces: {e0: 10.0.0.2/24}}\nlinks:\n${links}\n`;
  const pair = (a: string, b = "{}") => `name: x\nnodes:\n  a: ${a}\n  b: ${b}\nlinks:\n  - [a:e0, b:e0]\n`;
  const bomb = [
    "a: &a [x,x,x,x,x,x,x,x,x]",
    ...["b", "c", "d", "e", "f"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcde"[i]}`).join(",")}]`),
  ].join("\n");
  it.each([
    ["malformed YAML", "name: x\nnodes: {a: [\n", "lab.yaml:3:1: YAML syntax error"],
    [
      "a duplicate key (two nodes of one name)",
      "name: x\nnodes:\n  a: {}\n  a: {}\n",
      "lab.yaml:4:3 (nodes.a): duplicate key 'a': it appears earlier in the same map",
    ],
    [
      "an unknown field",
      "name: x\nnodez: {}\n",
      "lab.yaml:2:1 (nodez): unknown field 'nodez' — did you mean 'nodes'?",
    ],
    [
      "a wrong type",
      "name: x\nnodes:\n  a: {routes: yes}\n",
      "lab.yaml:3:15 (nodes.a.routes): expected a list, got 'yes'",
    ],
    [
      "a shell metacharacter",
      "name: x\nnodes: {'a$(reboot)': {}}\n",
      `lab.yaml:2:9 (nodes["a$(reboot)"]): node name 'a$(reboot)' contains '$'`,
    ],
    [
      "a space",
      "name: x\nnodes:\n  'a b': {}\n",
      `lab.yaml:3:3 (nodes["a b"]): node name 'a b' contains a space`,
    ],
    [
      "a slash",
      "name: x\nnodes:\n  'a/b': {}\n",
      `lab.yaml:3:3 (nodes["a/b"]): node name 'a/b' contains '/'`,
    ],
    [
      "a colon",
      "name: x\nnodes:\n  'a:b': {}\n",
      `lab.yaml:3:3 (nodes["a:b"]): node name 'a:b' contains ':'`,
    ],
    [
      "a leading dash",
      "name: x\nnodes:\n  '-a': {}\n",
      `lab.yaml:3:3 (nodes["-a"]): node name '-a' starts with '-' (it would be read as an option)`,
    ],
    [
      "a non-ASCII character",
      "name: x\nnodes:\n  'née': {}\n",
      `lab.yaml:3:3 (nodes["née"]): node name 'née' contains a non-ASCII character 'é' (U+00E9)`,
    ],
    [
      "a control character",
      'name: x\nnodes:\n  "a\\tb": {}\n',
      `lab.yaml:3:3 (nodes["a\\tb"]): node name 'a\\x09b' contains a control character (U+0009)`,
    ],
    [
      "an interface name over IFNAMSIZ",
      "name: x\nnodes: {a: {}, b: {}}\nlinks:\n  - [a:sixteen-bytes-xx, b:e0]\n",
      "lab.yaml:4:6 (links[0][0]): endpoint 'a:sixteen-bytes-xx': interface name 'sixteen-bytes-xx' is 16 bytes long; at most 15",
    ],
    [
      "root names colliding",
      "name: x\nnodes:\n  br0: {kind: bridge}\n  s: {kind: ovs-bridge}\n  a: {}\n  b: {}\nlinks:\n  - [a:e0, br0:s]\n  - [b:e0, s:p1]\n",
      "lab.yaml:8:12 (links[0][1]): port of br0 's' collides with OVS bridge at lab.yaml:4:3 (nodes.s) in the root namespace",
    ],
    [
      "a reserved name",
      "name: x\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:all, b:e0]\n",
      "lab.yaml:6:6 (links[0][0]): endpoint 'a:all': interface name 'all' is reserved by the kernel or iproute2",
    ],
    [
      "the loopback as a link end",
      "name: x\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:lo, b:e0]\n",
      "lab.yaml:6:6 (links[0][0]): endpoint 'a:lo': lo is the node's loopback, not a link end — give it loopback addresses under nodes.a.interfaces.lo, and link another interface",
    ],
    [
      "a link to a missing node",
      two("  - [a:e0, c:e0]"),
      "lab.yaml:6:12 (links[0][1]): endpoint 'c:e0' refers to node 'c', which is not defined under 'nodes' — did you mean 'a'?",
    ],
    [
      "an endpoint in two links",
      two("  - [a:e0, b:e0]\n  - [a:e0, b:e1]"),
      "lab.yaml:7:5 (links[1]): a:e0 is already an end of the link at lab.yaml:6:5 (links[0])",
    ],
    [
      "a self-loop",
      two("  - [a:e0, b:e0]\n  - [a:e1, a:e1]"),
      "lab.yaml:7:5 (links[1]): link connects a:e1 to itself",
    ],
    [
      "an octet out of range",
      pair("{interfaces: {e0: 10.1.1.300/24}}"),
      "lab.yaml:3:24 (nodes.a.interfaces.e0): invalid address: '10.1.1.300' is not a valid IPv4 address (octet '300' is out of range 0-255)",
    ],
    [
      "a missing prefix",
      pair("{interfaces: {e0: [10.1.1.1]}}"),
      "lab.yaml:3:25 (nodes.a.interfaces.e0[0]): invalid address: '10.1.1.1' has no prefix length",
    ],
    [
      "a network address",
      pair("{interfaces: {e0: {addresses: [10.1.1.0/24]}}}"),
      "lab.yaml:3:37 (nodes.a.interfaces.e0.addresses[0]): 10.1.1.0/24 is the network address of 10.1.1.0/24, not a host address",
    ],
    [
      "a broadcast address",
      pair("{interfaces: {e0: 10.1.1.255/24}}"),
      "lab.yaml:3:24 (nodes.a.interfaces.e0): 10.1.1.255/24 is the broadcast address of 10.1.1.0/24",
    ],
    [
      "the wrong family",
      pair("{interfaces: {e0: 10.0.0.1/24}, routes: [{to: 10.9.0.0/16, via: 'fd00::1'}]}"),
      "lab.yaml:3:70 (nodes.a.routes[0].via): gateway fd00::1 is IPv6 but the destination 10.9.0.0/16 is IPv4",
    ],
    [
      "a duplicate address",
      pair("{interfaces: {e0: 10.0.0.1/24}}", "{interfaces: {e0: 10.0.0.1/24}}"),
      "lab.yaml:4:24 (nodes.b.interfaces.e0): address 10.0.0.1 of b:e0 is already used by a:e0",
    ],
    [
      "a duplicate MAC",
      pair(
        "{interfaces: {e0: {mac: '02:00:00:00:00:01'}}}",
        "{interfaces: {e0: {mac: '02:00:00:00:00:01'}}}",
      ),
      "lab.yaml:4:30 (nodes.b.interfaces.e0.mac): MAC 02:00:00:00:00:01 of b:e0 is already used by a:e0",
    ],
    [
      "an MTU out of range",
      pair("{interfaces: {e0: {mtu: 70000}}}"),
      "lab.yaml:3:30 (nodes.a.interfaces.e0.mtu): MTU 70000 of a:e0 is out of range 68–65535",
    ],
    [
      "a __proto__ key",
      "name: x\nnodes:\n  __proto__: {}\n",
      "lab.yaml:3:3 (nodes): the key '__proto__' is not allowed",
    ],
    [
      "an alias bomb",
      `name: x\nnodes: {}\n${bomb}\n`,
      "lab.yaml:1:1: too many alias expansions (more than 100); YAML alias bombs are refused",
    ],
    [
      "10,000-deep nesting",
      `name: x\nnodes: ${"[".repeat(10000)}${"]".repeat(10000)}\n`,
      "nested too deeply to parse (limit 32 levels)",
    ],
    [
      "a bridge with more than 1023 ports",
      `name: x\nnodes:\n  br: {kind: bridge}\n${Array.from({ length: 1024 }, (_, i) => `  h${i}: {}`).join("\n")}\nlinks:\n${Array.from({ length: 1024 }, (_, i) => `  - [h${i}:e0, br:p${i}]`).join("\n")}\n`,
      "lab.yaml:3:3 (nodes.br): bridge 'br' would have 1024 ports; Linux bridges allow at most 1023",
    ],
  ])("%s", async (_, yaml, expected) => {
    const started = Date.now();
    const { runner, error } = await upText(yaml);
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as TopologyError).problems.map(formatProblem).join("\n")).toContain(expected);
    expect(runner.calls).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("an oversized file is refused before it is parsed", async () => {
    const file = join(tmpdir(), `nslab-huge-${process.pid}.yaml`);
    writeFileSync(file, `name: x\nnodes: {}\n#${"x".repeat(MAX_FILE_BYTES)}\n`);
    try {
      const error = await loadTopology(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NslabError);
      expect((error as NslabError).code).toBe("E_FILE");
      expect((error as NslabError).message).toMatch(/bytes; topology files are limited to 16777216 bytes/);
    } finally {
      rmSync(file);
    }
  });

  it.each([
    ["not root", { isRoot: () => false }, /must run as root/, /sudo/],
    [
      "ip missing",
      { findBinary: (b: string) => (b === "ip" ? null : `/usr/bin/${b}`) },
      /missing program: ip/,
      /apt-get install iproute2/,
    ],
    ["no TUN for the userspace datapath", { hasTun: () => false }, /needs \/dev\/net\/tun/, /tun/],
    [
      "OVS missing",
      { findBinary: (b: string) => (b.startsWith("ovs") ? null : `/usr/bin/${b}`) },
      /missing programs: ovsdb-server, ovs-vswitchd, ovsdb-tool/,
      /openvswitch-switch/,
    ],
    [
      "too many namespaces for the host",
      { maxNetNamespaces: () => 10, netnsCount: () => 10 },
      /needs 1 network namespaces.*limit of 10/,
      /sysctl -w user\.max_net_namespaces=/,
    ],
  ])("environment: %s", async (_, probe, re, hint) => {
    const { runner, error } = await upText(ovsLab, { ...fullHost, ...probe });
    expect(error).toBeInstanceOf(NslabError);
    expect((error as NslabError).code).toBe("E_ENV");
    expect((error as NslabError).message).toMatch(re);
    expect((error as NslabError).hint).toMatch(hint);
    expect(runner.calls).toEqual([]);
  });
});
