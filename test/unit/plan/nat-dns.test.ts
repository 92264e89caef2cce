/**
 * The host's resolv.conf for nodes behind NAT without `dns:`: servers on the host's own loopback
 * are commented out of the nodes' copy (placed in each node's view like any node file), a host whose
 * file names only such servers gets a warning, and nothing changes where every server is usable or
 * the NAT node names its own.
 */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import type { HostFacts } from "../../../src/plan/host.js";
import { isLoopbackServer, nameserversIn, natResolv } from "../../../src/plan/nat-dns.js";

const lab = (gw = "") =>
  parseTopology(`name: web
nodes:
  h1: { interfaces: { eth0: 10.0.0.1/24 } }
  gw: { kind: nat, uplink: veth9, ${gw}interfaces: { eth0: 10.0.0.254/24 } }
links:
  - [h1:eth0, gw:eth0]
`);
const hostWith = (text: string): HostFacts => ({
  ovsKernelDatapath: true,
  nodeEnv: true,
  hostResolv: { path: "/etc/resolv.conf", text },
  paths: { "/etc/resolv.conf": { canonical: "/etc/resolv.conf", type: "file", existing: "/etc" } },
  mounts: ["/"],
});

describe("the host's resolv.conf behind NAT", () => {
  it("reads name servers and knows the host's loopback", () => {
    expect(nameserversIn("# x\nnameserver 127.0.0.1\n  nameserver 10.1.1.1 \nsearch lan\n")).toEqual([
      "127.0.0.1",
      "10.1.1.1",
    ]);
    expect(["127.0.0.53", "::1", "10.0.0.1", "fd00::1"].map(isLoopbackServer)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("comments out loopback servers in the nodes' copy; warns when none is left", () => {
    const mixed = natResolv(lab(), hostWith("nameserver 127.0.0.1\nnameserver 10.1.1.1\nsearch lan\n"));
    expect(mixed.content).toBe(
      "# nslab: the host's own loopback, not reachable from a node: nameserver 127.0.0.1\nnameserver 10.1.1.1\nsearch lan\n",
    );
    expect(mixed.warning).toBeUndefined();
    const only = natResolv(lab(), hostWith("nameserver 127.0.0.53\noptions edns0\n"));
    expect(only.content).toMatch(/^# nslab: .*127\.0\.0\.53\noptions edns0\n$/);
    expect(only.warning?.message).toMatch(
      /names only 127\.0\.0\.53 \(its own loopback\): the nodes behind NAT node 'gw'/,
    );
    expect(only.warning?.hint).toMatch(/dns: \[ADDRESS\]/);
    // The copy is what each node sees at /etc/resolv.conf (a bind over the host's, in its view).
    const ops = planUp(lab(), hostWith("nameserver 127.0.0.53\n"));
    const file = ops.find(
      (o) => o.op === "nodefs.file" && "from" in o && JSON.stringify(o.from).includes("loopback"),
    );
    expect(file).toBeDefined();
  });

  it("changes nothing when every server is usable, the NAT node names its own, or there is no NAT", () => {
    expect(natResolv(lab(), hostWith("nameserver 10.1.1.1\n"))).toEqual({});
    expect(natResolv(lab("dns: [10.9.9.9], "), hostWith("nameserver 127.0.0.1\n"))).toEqual({});
    const plain = parseTopology("name: p\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n");
    expect(natResolv(plain, hostWith("nameserver 127.0.0.1\n"))).toEqual({});
  });
});
