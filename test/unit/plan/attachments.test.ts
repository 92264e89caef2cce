/**
 * Links to what is outside the lab's namespaces (host:, macvlan:, phys:, mgmt-net:, dummy), loopback
 * addresses and the management network: how they resolve, the problems they are refused for (at
 * their line), the commands they plan, and how a borrowed host interface is given back.
 */
import { describe, expect, it } from "vitest";
import { parseDevice, parseRootRoutes } from "../../../src/drivers/host/devices.js";
import { findBorrowed, returnOp } from "../../../src/engine/give-back.js";
import { planLab } from "../../../src/engine/plan.js";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";
import { commandArgv, opCommands } from "../../../src/plan/commands.js";
import type { HostFacts } from "../../../src/plan/host.js";
import type { HostDevice } from "../../../src/plan/host-devices.js";
import { inverseOps } from "../../../src/plan/inverse.js";

const host: HostFacts = { ovsKernelDatapath: false, dummy: true, macvlan: true };
const lines = (yaml: string, h: HostFacts = host) =>
  planLab(parseTopology(yaml, { file: "lab.yaml" }), h).operations.flatMap((op) =>
    opCommands(op).map((c) => commandArgv(c).join(" ")),
  );
const problems = (yaml: string, h: HostFacts = host): string[] => {
  try {
    planLab(parseTopology(yaml, { file: "lab.yaml" }), h);
  } catch (e) {
    if (e instanceof TopologyError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
};

const NIC: HostDevice = {
  name: "enp9s0",
  ifindex: 7,
  kind: null,
  mac: "52:54:00:12:34:56",
  permaddr: "52:54:00:12:34:56",
  mtu: 1400,
  up: true,
  alias: "lan nic",
  master: null,
  addresses: [{ cidr: "198.18.90.1/24", broadcast: "198.18.90.255" }],
  routes: [{ family: 4, dst: "198.18.91.0/24", gateway: "198.18.90.2" }],
};

describe("host: links", () => {
  const LAB = `name: hl
nodes:
  a: { interfaces: { eth0: 198.18.71.2/24 } }
links:
  - [a:eth0, host:h0]
host:
  interfaces:
    h0: 198.18.71.1/24
`;

  it("is a veth pair with its root end owned, addressed and up, IPv6 off there", () => {
    const out = lines(LAB);
    const group = out.find((l) => l.startsWith("ip link add name eth0"))?.match(/group (\d+)/)?.[1];
    expect(out).toContain(
      `ip link add name eth0 netns a group ${group} up type veth peer name h0 group ${group}`,
    );
    expect(out).toContain("sysctl -qw net/ipv6/conf/h0/disable_ipv6=1");
    expect(out).toContain("ip -n a addr add 198.18.71.2/24 dev eth0");
    expect(out).toContain("ip addr add 198.18.71.1/24 dev h0");
    expect(out.indexOf("ip addr add 198.18.71.1/24 dev h0")).toBeLessThan(
      out.indexOf("ip link set dev h0 alias nslab:hl up"),
    );
  });

  it("prefixes the root end, and records it as the lab's", () => {
    const plan = planLab(parseTopology(LAB, { file: "lab.yaml", prefix: "p1-" }), host);
    const veth = plan.operations.find((o) => o.op === "veth.add");
    expect(veth?.op === "veth.add" && veth.b).toEqual({ name: "p1-h0", ns: null });
  });

  it("refuses a host section naming no host: link, both ends outside, and shaping", () => {
    const out = problems(
      `name: hl\nnodes:\n  a: {}\nlinks:\n  - [host:h0, host:h1]\n  - endpoints: [a:eth1, host:h2]\n    delay: 5ms\nhost:\n  interfaces:\n    h9: 198.18.71.1/24\n`,
    );
    expect(out).toEqual([
      expect.stringMatching(/^lab\.yaml:5:5 .*both outside the lab's nodes/),
      expect.stringMatching(/^lab\.yaml:7:5 .*'delay' shapes veth links between nodes/),
      expect.stringMatching(/^lab\.yaml:10:5 .*host interface 'h9' is not the host end of any link/),
    ]);
  });

  it("refuses a host end whose subnet the host already routes", () => {
    const out = problems(LAB, {
      ...host,
      devices: {},
      rootRoutes: [{ family: 4, dst: "198.18.71.0/24", dev: "eth9", table: 254 }],
    });
    expect(out).toEqual([
      expect.stringMatching(
        /^lab\.yaml:8:9 .*host:h0's subnet 198\.18\.71\.0\/24 overlaps the host's route to 198\.18\.71\.0\/24 \(dev eth9\)/,
      ),
    ]);
  });
  it("refuses a root-end name the host already has, unless it is this lab's", () => {
    const facts = (alias: string | null) => ({
      ...host,
      devices: {},
      rootRoutes: [],
      rootLinks: { h0: alias },
    });
    expect(problems(LAB, facts(null))).toEqual([
      expect.stringMatching(
        /^lab\.yaml:5:14 .*the host already has an interface 'h0'; this lab would create one/,
      ),
    ]);
    expect(problems(LAB, facts("nslab:other"))).toEqual([expect.stringMatching(/'h0' \(lab 'other'\)/)]);
    expect(problems(LAB, facts("nslab:hl"))).toEqual([]);
  });
});

describe("macvlan, dummy and loopback addresses", () => {
  const LAB = `name: mv
nodes:
  a: { interfaces: { eth1: 198.18.72.2/24, lo: 10.255.0.1/32 } }
  b: { ipv6: false }
links:
  - [a:eth1, macvlan:lan0]
  - [b:d0, dummy]
`;

  it("plans a bridge-mode macvlan in the node and a dummy, both in the lab's group", () => {
    const out = lines(LAB);
    expect(out).toContainEqual(
      expect.stringMatching(
        /^ip link add link lan0 name eth1 netns a group \d+ up type macvlan mode bridge$/,
      ),
    );
    expect(out).toContainEqual(expect.stringMatching(/^ip link add name d0 netns b group \d+ type dummy$/));
    expect(out).toContain("ip -n b link set dev d0 up");
    expect(out).toContain("ip -n a addr add 10.255.0.1/32 dev lo");
    // lo exists with the namespace: no second "up" for it, no addrgen change.
    expect(out.filter((l) => l === "ip -n a link set dev lo up")).toHaveLength(1);
  });

  it("says so, at the link, when the kernel has no dummy or macvlan driver", () => {
    const out = problems(LAB, { ...host, dummy: false, macvlan: false, devices: { lan0: NIC } });
    expect(out).toEqual([
      expect.stringMatching(/^lab\.yaml:6:5 .*a:eth1 is a macvlan, and this kernel has no macvlan driver/),
      expect.stringMatching(
        /^lab\.yaml:7:5 .*b:d0 is a dummy interface, and this kernel has no dummy interfaces \(CONFIG_DUMMY is not set\)/,
      ),
    ]);
  });

  it("refuses a missing parent, and settings lo cannot take", () => {
    expect(problems(LAB, { ...host, devices: { lan0: null } })).toEqual([
      expect.stringMatching(/^lab\.yaml:6:5 .*host interface 'lan0' does not exist/),
    ]);
    expect(
      problems(
        "name: lb\nnodes:\n  a: { interfaces: { lo: { mtu: 9000 } } }\n  b: { interfaces: { lo: [] } }\n",
      ),
    ).toEqual([
      expect.stringMatching(/^lab\.yaml:3:28 .*'mtu' cannot be set on the loopback interface/),
      expect.stringMatching(/^lab\.yaml:4:22 .*'lo' is listed without addresses/),
    ]);
    expect(problems("name: lb\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:lo, b:eth0]\n")).toEqual([
      expect.stringMatching(/^lab\.yaml:6:6 .*lo is the node's loopback, not a link end/),
    ]);
  });
});

describe("phys: links", () => {
  const LAB = `name: ph
nodes:
  a: { interfaces: { eth3: { mtu: 1300 } } }
links:
  - [a:eth3, phys:enp9s0]
`;

  it("marks the interface, moves it in under the node's name and sets what the file asks", () => {
    const out = lines(LAB, { ...host, devices: { enp9s0: NIC }, rootRoutes: [] });
    expect(out).toContain("ip link set dev enp9s0 alias nslab-phys:ph:enp9s0");
    expect(out).toContain("ip link set dev enp9s0 netns a name eth3");
    expect(out).toContain("ip -n a link set dev eth3 mtu 1300");
    expect(out).toContain("ip -n a link set dev eth3 up");
  });

  it("refuses the default-route interface, a bridge port, and another lab's", () => {
    const at = (dev: Partial<HostDevice>, routes: HostFacts["rootRoutes"] = []) =>
      problems(LAB, { ...host, devices: { enp9s0: { ...NIC, ...dev } }, rootRoutes: routes });
    expect(at({}, [{ family: 6, dst: "::/0", dev: "enp9s0", table: 254 }])).toEqual([
      expect.stringMatching(
        /^lab\.yaml:5:5 .*cannot move host interface 'enp9s0' into a: it carries the host's default route/,
      ),
    ]);
    expect(at({ master: "br0" })).toEqual([expect.stringMatching(/it is a port of 'br0'/)]);
    expect(at({ alias: "nslab-phys:other:enp9s0" })).toEqual([
      expect.stringMatching(/it belongs to lab 'other'/),
    ]);
  });

  it("is given back on rollback as it was: name, MTU, alias, addresses, state, routes", () => {
    const plan = planLab(parseTopology(LAB, { file: "lab.yaml" }), { ...host, devices: { enp9s0: NIC } });
    const undo = inverseOps(plan.operations);
    const back = undo.find((o) => o.op === "phys.return");
    expect(undo.indexOf(back!)).toBeLessThan(undo.findIndex((o) => o.op === "netns.del"));
    expect(opCommands(back!).map((c) => commandArgv(c).join(" "))).toEqual([
      "ip -n a link set dev eth3 down",
      "ip -n a link set dev eth3 netns 1 name enp9s0",
      "ip link set dev enp9s0 mtu 1400 alias lan nic",
      "ip addr add 198.18.90.1/24 broadcast 198.18.90.255 dev enp9s0",
      "ip link set dev enp9s0 up",
      "ip route add 198.18.91.0/24 via 198.18.90.2 dev enp9s0",
    ]);
  });

  it("finds a borrowed interface by its marker, its permanent MAC, or its name where it was left", () => {
    const o = { kind: "phys" as const, name: "enp9s0", ns: "a", inside: "eth3", saved: NIC };
    const seen = (d: object) => ({ name: "x", ifindex: 9, mac: null, alias: null, mtu: 1500, ...d });
    expect(findBorrowed("ph", o, [seen({ name: "y", alias: "nslab-phys:ph:enp9s0" })], "process")?.name).toBe(
      "y",
    );
    expect(findBorrowed("ph", o, [seen({ name: "dev4", permaddr: NIC.permaddr })], "root")?.name).toBe(
      "dev4",
    );
    expect(findBorrowed("ph", o, [seen({ name: "eth3" })], "node")?.name).toBe("eth3");
    expect(findBorrowed("ph", o, [seen({ name: "eth3" })], "process")).toBeUndefined();
    expect(
      findBorrowed("ph", o, [seen({ name: "y", alias: "nslab-phys:other:enp9s0" })], "root"),
    ).toBeUndefined();
    const op = returnOp(o, null, seen({ name: "dev4" }));
    expect(op).toMatchObject({ op: "phys.return", ns: null, dev: "dev4", saved: NIC });
    expect(
      opCommands(op)
        .slice(0, 2)
        .map((c) => commandArgv(c).join(" ")),
    ).toEqual(["ip link set dev dev4 down", "ip link set dev dev4 name enp9s0"]);
  });

  it("reads an interface as `ip -json` shows it, leaving out what the kernel makes itself", () => {
    const dev = parseDevice(
      { ifindex: 7, ifname: "enp9s0", flags: ["UP"], mtu: 1400, address: NIC.mac!, ifalias: "lan nic" },
      [
        { family: "inet", local: "198.18.90.1", prefixlen: 24, broadcast: "198.18.90.255", label: "enp9s0" },
        { family: "inet6", local: "fe80::1", prefixlen: 64, scope: "link" },
        { family: "inet", local: "198.18.90.7", prefixlen: 24, dynamic: true },
      ],
      [
        { dst: "198.18.90.0/24", protocol: "kernel", scope: "link", prefsrc: "198.18.90.1" },
        { dst: "198.18.91.0/24", gateway: "198.18.90.2" },
      ],
      [{ dst: "fe80::/64", protocol: "kernel" }],
    );
    expect(dev).toEqual({ ...NIC, permaddr: undefined, kind: null });
    expect(parseRootRoutes([{ dst: "default", gateway: "10.0.0.1", dev: "eth0" }], 4)).toEqual([
      { family: 4, dst: "0.0.0.0/0", dev: "eth0", table: 254 },
    ]);
  });
});

describe("the management network", () => {
  const LAB = `name: mg
management: { ipv4: 198.18.200.0/24 }
nodes:
  a: {}
  b: { management: { ipv4: 198.18.200.50 } }
  c: { management: false }
  sw: { kind: bridge }
links:
  - [a:eth0, sw:p1]
  - [c:eth0, sw:p2]
`;

  it("is a lab bridge with the host's first address and a mgmt0 per node", () => {
    const out = lines(LAB);
    expect(out).toContainEqual(expect.stringMatching(/^ip link add name mgmt group \d+ type bridge$/));
    expect(out).toContainEqual(
      expect.stringMatching(
        /^ip link add name mgmt0 netns a group (\d+) up type veth peer name mgmt-0 group \1$/,
      ),
    );
    expect(out).toContain("ip addr add 198.18.200.1/24 dev mgmt");
    expect(out).toContain("ip -n a addr add 198.18.200.2/24 dev mgmt0");
    expect(out).toContain("ip -n b addr add 198.18.200.50/24 dev mgmt0");
    expect(out).toContain("ip link set dev mgmt-1 alias nslab:mg master mgmt up");
    expect(out.some((l) => l.includes("netns c") && l.includes("mgmt0"))).toBe(false);
  });

  it("refuses an overlap with the lab's networks, a node address outside it, and mgmt-net without it", () => {
    expect(
      problems(
        "name: mg\nmanagement: { ipv4: 198.18.0.0/16 }\nnodes:\n  a: { interfaces: { eth0: 198.18.5.1/24 }, management: { ipv4: 10.1.1.1 } }\n  b: { interfaces: { eth0: 198.18.5.2/24 } }\nlinks:\n  - [a:eth0, b:eth0]\n",
      ),
    ).toEqual([
      expect.stringMatching(/^lab\.yaml:2:21 .*overlaps 198\.18\.5\.0\/24 of a:eth0 .*written at line 4/),
      expect.stringMatching(/^lab\.yaml:2:21 .*overlaps 198\.18\.5\.0\/24 of b:eth0/),
      expect.stringMatching(
        /^lab\.yaml:4:65 .*10\.1\.1\.1 is not in the management subnet 198\.18\.0\.0\/16/,
      ),
    ]);
    expect(problems("name: mg\nnodes:\n  a: {}\nlinks:\n  - [a:eth1, mgmt-net:m1]\n")).toEqual([
      expect.stringMatching(/^lab\.yaml:5:.*a mgmt-net link needs the lab's management network/),
    ]);
  });
});
