/** containerlab files → nslab: inheritance, links (brief and extended, ipv4/ipv6), exec, warnings, errors with positions. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
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
      /lab\.clab\.yml:4:3 \(mgmt\.network\): 'mgmt\.network' is ignored: this lab uses no management network/,
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
      "a macvlan mode other than bridge",
      "topology:\n  nodes:\n    a: { kind: linux }\n  links:\n    - type: macvlan\n      host-interface: lan0\n      mode: vepa\n      endpoint: { node: a, interface: eth1 }\n",
      /lab\.clab\.yml:8:13 \(topology\.links\[0\]\.mode\): macvlan mode 'vepa' cannot be imported/,
    ],
    [
      "a host link without its host interface",
      "topology:\n  nodes:\n    a: { kind: linux }\n  links:\n    - type: host\n      endpoint: { node: a, interface: eth1 }\n",
      /lab\.clab\.yml:6:7 \(topology\.links\[0\]\): a host link needs 'host-interface'/,
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

describe("containerlab links out of the lab and the management network", () => {
  const text = readFileSync(join(import.meta.dirname, "../../fixtures/clab/outside.clab.yml"), "utf8");

  it("imports host, mgmt-net, macvlan and dummy links and the management addresses", () => {
    const { document, topology } = convert(text);
    expect(document.links).toEqual([
      { endpoints: ["n1:eth1", "n2:eth1"] },
      { endpoints: ["n1:eth2", "host:n1eth2"] },
      { endpoints: ["n2:eth4", "host:n2eth4"] },
      { endpoints: ["n2:eth5", "mgmt-net:n2eth5mgmt"] },
      { endpoints: ["n1:eth3", "macvlan:enp0s3"] },
      { endpoints: ["n1:dummy0", "dummy"] },
    ]);
    expect(document.management).toEqual({ ipv4: "172.20.20.0/24", ipv6: "2001:172:20:20::/64" });
    expect(topology.attachments?.map((a) => `${a.node.node}:${a.node.iface} ${a.kind}`)).toEqual([
      "n1:eth2 host",
      "n2:eth4 host",
      "n2:eth5 mgmt-net",
      "n1:eth3 macvlan",
      "n1:dummy0 dummy",
    ]);
    const mgmt0 = (node: string) =>
      topology.nodes
        .find((n) => n.name === node)
        ?.interfaces.find((i) => i.name === "mgmt0")
        ?.addresses.map((a) => `${a.address}/${a.prefix}`);
    expect(mgmt0("n1")).toEqual(["172.20.20.99/24", "2001:172:20:20::99/64"]);
    expect(mgmt0("n2")).toEqual(["172.20.20.100/24", "2001:172:20:20::2/64"]);
    expect(mgmt0("n3")).toBeUndefined(); // network-mode: host keeps it off
    expect(topology.nodes.find((n) => n.name === "n2")?.interfaces.find((i) => i.name === "eth4")?.mac).toBe(
      "02:00:00:00:00:04",
    );
  });

  it("errors in the converted lab point into the .clab.yml", () => {
    const bad = text.replace("mgmt-ipv4: 172.20.20.100", "mgmt-ipv4: 172.21.0.1");
    expect(problems(bad)).toEqual([
      expect.stringMatching(
        /^lab\.clab\.yml:15:18 \(topology\.nodes\.n2\.mgmt-ipv4\): 172\.21\.0\.1 is not in the management subnet 172\.20\.20\.0\/24/,
      ),
    ]);
  });
});
