/**
 * Plans for the networking features: shaping renders to tc lines, VLAN tags to ovs-vsctl, routers to
 * forwarding sysctls, automatic addresses and routes appear in the plan's notes; what the host lacks
 * (netem, Linux-bridge VLAN filtering) fails at plan time with the reason and the line.
 */
import { describe, expect, it } from "vitest";
import { planLab } from "../../../src/engine/plan.js";
import { formatProblem, TopologyError } from "../../../src/errors.js";
import { loadTopology, parseTopology } from "../../../src/model/load.js";
import { commandArgv, opCommands } from "../../../src/plan/commands.js";

const host = { ovsKernelDatapath: false, netem: false, bridgeVlanFiltering: false };
const lines = (yaml: string, h = host) =>
  planLab(parseTopology(yaml, { file: "lab.yaml" }), h).operations.flatMap((op) =>
    opCommands(op).map((c) => commandArgv(c).join(" ")),
  );

const PAIR =
  "name: s\nnodes:\n  a: { interfaces: { eth0: 10.0.0.1/24 } }\n  b: { interfaces: { eth0: 10.0.0.2/24 } }\nlinks:\n";

describe("plans for shaping, VLANs and routers", () => {
  it("shapes both ends of a link with tbf, after their addresses", () => {
    const out = lines(`${PAIR}  - endpoints: [a:eth0, b:eth0]\n    rate: 10mbit\n`);
    expect(out).toContain("tc -n a qdisc replace dev eth0 root tbf rate 10mbit burst 12500 latency 50ms");
    expect(out).toContain("tc -n b qdisc replace dev eth0 root tbf rate 10mbit burst 12500 latency 50ms");
    expect(out.indexOf("ip -n a addr add 10.0.0.1/24 dev eth0")).toBeLessThan(
      out.indexOf("tc -n a qdisc replace dev eth0 root tbf rate 10mbit burst 12500 latency 50ms"),
    );
  });

  it("renders netem when the host has it", () => {
    const out = lines(
      `${PAIR}  - endpoints: [a:eth0, b:eth0]\n    delay: 20ms\n    jitter: 5ms\n    loss: 1%\n    rate: 1mbit\n`,
      {
        ...host,
        netem: true,
      },
    );
    expect(out).toContain("tc -n a qdisc replace dev eth0 root netem delay 20ms 5ms loss 1% rate 1mbit");
  });

  it("refuses delay/loss/jitter at plan time on a kernel without netem, pointing at the link", () => {
    const t = parseTopology(`${PAIR}  - endpoints: [a:eth0, b:eth0]\n    delay: 20ms\n`, {
      file: "lab.yaml",
    });
    try {
      planLab(t, host);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TopologyError);
      expect(formatProblem((e as TopologyError).problems[0]!)).toMatch(
        /lab\.yaml:6:5 \(links\[0\]\): link asks for delay .*needs netem, and this kernel has no netem \(CONFIG_NET_SCH_NETEM is not set\)/,
      );
    }
    // Unknown (not probed) is not held against the lab.
    expect(() => planLab(t, { ovsKernelDatapath: false })).not.toThrow();
  });

  it("tags OVS access ports", () => {
    const out = lines(
      "name: v\nnodes:\n  a: {}\n  sw: { kind: ovs-bridge, interfaces: { pa: { vlan: 10 } } }\nlinks:\n  - [a:eth0, sw:pa]\n",
    );
    expect(out.find((l) => l.startsWith("ovs-vsctl add-port sw pa"))).toMatch(
      /external_ids:nslab-lab=v tag=10 -- set interface pa ofport_request=1$/,
    );
  });

  it("refuses a VLAN on a Linux-bridge port, naming the kernel feature and the way out", () => {
    const t = parseTopology(
      "name: v\nnodes:\n  a: {}\n  br: { kind: bridge, interfaces: { pa: { vlan: 10 } } }\nlinks:\n  - [a:eth0, br:pa]\n",
      { file: "lab.yaml" },
    );
    const message = (h: typeof host) => {
      try {
        planLab(t, h);
        return "";
      } catch (e) {
        return (e as TopologyError).problems.map(formatProblem).join("\n");
      }
    };
    expect(message(host)).toMatch(
      /lab\.yaml:4:49 \(nodes\.br\.interfaces\.pa\.vlan\): port 'pa' of Linux bridge 'br' has vlan 10, but this kernel has no bridge VLAN filtering \(CONFIG_BRIDGE_VLAN_FILTERING is not set\) — make 'br' an ovs-bridge/,
    );
    expect(message({ ...host, bridgeVlanFiltering: true })).toMatch(
      /nslab does VLAN access ports on Open vSwitch bridges only/,
    );
  });

  it("turns routers into forwarding namespaces and shows derived settings in the plan", async () => {
    const plan = planLab(await loadTopology("examples/routed.yaml"), host);
    const script = plan.toShell();
    expect(script).toContain("ip netns exec r1 sysctl -qw net.ipv4.ip_forward=1");
    expect(script).toContain("ip netns exec r1 sysctl -qw net.ipv6.conf.all.forwarding=1");
    expect(script).toMatch(
      /# automatic addressing from 10\.10\.0\.0\/16, fd00:10::\/48:\n# {3}10\.10\.0\.0\/24 +lan1/,
    );
    expect(script).toMatch(/# {3}h1:eth0 +10\.10\.0\.2\/24 fd00:10::2\/64/);
    expect(script).toMatch(/# {3}h1 +default via 10\.10\.0\.1/);
    expect(script).toContain("ip -n h1 route add default via 10.10.0.1");
    expect(script).toContain("ip -n r1 route add 10.10.1.0/24 via 10.10.2.2");
  });
});

describe("deleting a lab's root links", () => {
  it("moves adopted devices (OVS bridges' taps) into the group first, then deletes the group in the same batch", () => {
    const argv = (op: Parameters<typeof opCommands>[0]) =>
      opCommands(op).map((c) => commandArgv(c).join(" "));
    expect(argv({ op: "link.delgroup", group: 1845493761 })).toEqual(["ip link del group 1845493761"]);
    expect(argv({ op: "link.delgroup", group: 1845493761, adopt: ["s3s1", "s3s2"] })).toEqual([
      "ip link set dev s3s1 group 1845493761",
      "ip link set dev s3s2 group 1845493761",
      "ip link del group 1845493761",
    ]);
  });
});
