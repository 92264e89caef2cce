/** containerlab files → nslab: inheritance, links (brief and extended, ipv4/ipv6), exec, warnings, errors with positions. */
import { describe, expect, it } from "vitest";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { resolveTopology } from "../../../src/model/resolve.js";
import { convertClabText, looksLikeClab } from "../../../src/sources/clab/index.js";

const CLAB = `name: demo
prefix: ""
mgmt:
  network: mgmt
topology:
  defaults:
    kind: linux
  kinds:
    linux:
      image: alpine
  groups:
    clients:
      exec:
        - ip route add default via 192.168.1.1
  nodes:
    r1:
      exec:
        - sysctl -w net.ipv4.ip_forward=1
        - ip link set dev eth2 mtu 1400
        - ip addr add 172.20.20.9/24 dev eth0
        - touch /tmp/ready
    c1:
      group: clients
    sw:
      kind: ovs-bridge
  links:
    - endpoints: ["r1:eth1", "c1:eth1"]
      ipv4: ["192.168.1.1/24", "192.168.1.2/24"]
      ipv6: ["2001:db8::1/64"]
    - type: veth
      mtu: 1400
      endpoints:
        - node: r1
          interface: eth2
          ipv4: 192.168.2.1/24
          mac: 02:00:00:00:00:21
        - node: sw
          interface: sw-r1
`;

function convert(text: string) {
  const r = convertClabText(text, "lab.clab.yml");
  return { ...r, topology: resolveTopology(r.spec), warnings: r.warnings.map(formatProblem) };
}

function problems(text: string): string[] {
  try {
    convert(text);
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems.map(formatProblem);
  }
}

describe("containerlab import", () => {
  it("recognises containerlab files by content", () => {
    expect(looksLikeClab(CLAB)).toBe(true);
    expect(looksLikeClab("name: x\nnodes: {}\n")).toBe(false);
  });

  it("turns nodes, links, addresses and exec lines into an nslab topology", () => {
    const { document, topology } = convert(CLAB);
    expect(document).toEqual({
      name: "demo",
      nodes: {
        r1: {
          interfaces: {
            eth1: { addresses: ["192.168.1.1/24", "2001:db8::1/64"] },
            eth2: { addresses: ["192.168.2.1/24"], mac: "02:00:00:00:00:21", mtu: 1400 },
          },
          sysctls: { "net.ipv4.ip_forward": "1" },
        },
        c1: {
          interfaces: { eth1: { addresses: ["192.168.1.2/24"] } },
          routes: [{ to: "default", via: "192.168.1.1" }],
        },
        sw: { kind: "ovs-bridge" },
      },
      links: [{ endpoints: ["r1:eth1", "c1:eth1"] }, { endpoints: ["r1:eth2", "sw:sw-r1"], mtu: 1400 }],
    });
    expect(topology.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual([
      "r1:netns",
      "c1:netns",
      "sw:ovs-bridge",
    ]);
  });

  it("warns, with positions, about everything it ignores or skips", () => {
    const w = convert(CLAB).warnings.join("\n");
    expect(w).toMatch(/lab\.clab\.yml:2:1 \(prefix\): 'prefix' is ignored/);
    expect(w).toMatch(
      /lab\.clab\.yml:3:1 \(mgmt\): 'mgmt' is ignored: nslab labs have no management network/,
    );
    expect(w).toMatch(
      /lab\.clab\.yml:10:7 \(topology\.kinds\.linux\.image\): 'image' is ignored for nodes r1, c1: nslab nodes are network namespaces, not containers/,
    );
    expect(w).toMatch(
      /lab\.clab\.yml:20:11 \(topology\.nodes\.r1\.exec\[2\]\): exec line skipped: 'ip addr add 172\.20\.20\.9\/24 dev eth0' \(eth0 is not a link of node 'r1'; in containerlab eth0 is the management interface/,
    );
    expect(w).toMatch(
      /lab\.clab\.yml:21:11 \(topology\.nodes\.r1\.exec\[3\]\): exec line skipped: 'touch \/tmp\/ready' \('touch' is not a command nslab applies\)/,
    );
  });

  it.each([
    [
      "an unsupported kind",
      "topology:\n  nodes:\n    srl:\n      kind: nokia_srlinux\n",
      /lab\.clab\.yml:5:13 \(topology\.nodes\.srl\.kind\): node 'srl' has kind 'nokia_srlinux', which nslab cannot import/,
    ],
    [
      "a host link",
      'topology:\n  nodes:\n    a: { kind: linux }\n  links:\n    - endpoints: ["a:eth1", "host:veth-a"]\n',
      /\(topology\.links\[0\]\.endpoints\[1\]\): 'host:' endpoints .* cannot be imported/,
    ],
    [
      "a macvlan link type",
      "topology:\n  nodes:\n    a: { kind: linux }\n  links:\n    - type: macvlan\n      endpoint: { node: a, interface: eth1 }\n",
      /link type 'macvlan' cannot be imported/,
    ],
    [
      "an unknown node in a link",
      'topology:\n  nodes:\n    a: { kind: linux }\n    b: { kind: linux }\n  links:\n    - endpoints: ["a:eth1", "bb:eth1"]\n',
      /lab\.clab\.yml:7:29 \(topology\.links\[0\]\.endpoints\[1\]\): endpoint 'bb:eth1' refers to node 'bb'.*did you mean 'b'\?/,
    ],
    [
      "a bad link address",
      'topology:\n  nodes:\n    a: { kind: linux }\n    b: { kind: linux }\n  links:\n    - endpoints: ["a:eth1", "b:eth1"]\n      ipv4: ["10.0.0.300/24"]\n',
      /lab\.clab\.yml:8:14 \(topology\.links\[0\]\.ipv4\[0\]\): invalid address/,
    ],
    [
      "an address on a bridge port",
      'topology:\n  nodes:\n    a: { kind: linux }\n    br: { kind: bridge }\n  links:\n    - endpoints: ["a:eth1", "br:p1"]\n      ipv4: ["10.0.0.1/24", "10.0.0.2/24"]\n',
      /endpoint br:p1 is a bridge port; bridge ports have no addresses/,
    ],
    ["a missing kind", "topology:\n  nodes:\n    a: {}\n", /node 'a' has no kind/],
    [
      "an undefined group",
      "topology:\n  nodes:\n    a: { kind: linux, group: servers }\n",
      /group 'servers', which is not defined/,
    ],
  ])("refuses %s with its position", (_, body, re) => {
    expect(problems(`name: bad\n${body}`).join("\n")).toMatch(re);
  });
});
