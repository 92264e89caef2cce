/**
 * NAT nodes (`kind: nat`) from the file to the plan: hosts get their default route through the
 * gateway, routers (routing: static) towards it; a transit /30 and root-side name derived from
 * the lab and node names; located problems; the plan's transit link, the node's masquerade and
 * the root's (transit address out of the uplink only); `uplink: auto` resolved from the host; and
 * the decisions of the forwarding setting shared across NAT labs.
 */
import { describe, expect, it } from "vitest";
import { decideAcquire, decideRelease } from "../../../src/engine/services/forwarding.js";
import { formatProblem, type TopologyError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";
import { defaultTransit, transitEnds } from "../../../src/model/nat.js";
import type { NetnsNode } from "../../../src/model/types.js";
import { planUp } from "../../../src/plan/build.js";
import { commandArgv, opCommands } from "../../../src/plan/commands.js";

const lab = (extra = "", gw = "uplink: veth9") => `name: web
${extra}nodes:
  h1: { interfaces: { eth0: 10.0.0.1/24 } }
  h2: { interfaces: { eth0: 10.0.0.2/24 }, routes: [{ to: default, via: 10.0.0.9 }] }
  gw: { kind: nat, ${gw}, interfaces: { eth0: 10.0.0.254/24 } }
  sw: { kind: bridge }
links:
  - endpoints: [h1:eth0, sw:p1]
  - endpoints: [h2:eth0, sw:p2]
  - endpoints: [gw:eth0, sw:p3]
`;

const node = (t: ReturnType<typeof parseTopology>, name: string) =>
  t.nodes.find((n) => n.name === name) as NetnsNode;

describe("NAT nodes", () => {
  it("routes hosts through the gateway, unless they have a default route of their own", () => {
    const t = parseTopology(lab());
    expect(node(t, "h1").routes).toEqual([
      expect.objectContaining({ to: "0.0.0.0/0", via: "10.0.0.254", computed: true }),
    ]);
    expect(node(t, "h2").routes.map((r) => r.via)).toEqual(["10.0.0.9"]);
    const gw = node(t, "gw");
    expect(gw.nat).toMatchObject({ uplink: "veth9", transit: defaultTransit("web", "gw") });
    expect(gw.sysctls).toContainEqual(expect.objectContaining({ key: "net.ipv4.ip_forward", value: "1" }));
    expect(defaultTransit("web", "gw")).toMatch(/^198\.19\.\d+\.\d+\/30$/);
    expect(transitEnds("198.19.200.0/30")).toEqual({ root: "198.19.200.1", node: "198.19.200.2" });
  });

  it("says what is wrong, where", () => {
    const bad = (text: string) => {
      try {
        parseTopology(text);
      } catch (e) {
        return (e as TopologyError).problems.map(formatProblem).join("\n");
      }
      return "";
    };
    expect(bad(lab("", "transit: 198.19.200.1/30"))).toMatch(
      /not a network address; did you mean 198\.19\.200\.0\/30/,
    );
    expect(bad(lab("", "transit: 198.19.200.0/29"))).toMatch(/must be an IPv4 \/30/);
    expect(
      bad(
        lab()
          .replace(
            "gw: { kind: nat, uplink: veth9, interfaces: { eth0:",
            "gw: { kind: nat, uplink: veth9, interfaces: { up0:",
          )
          .replace("gw:eth0", "gw:up0"),
      ),
    ).toMatch(/has an interface named 'up0'/);
  });

  it("plans the transit link, both masquerades and the lab's own tables", () => {
    const t = parseTopology(lab());
    const { root, node: inside } = transitEnds(defaultTransit("web", "gw"));
    const lines = planUp(t, { ovsKernelDatapath: true })
      .flatMap(opCommands)
      .map((c) => commandArgv(c).join(" "));
    const gwRoot = node(t, "gw").nat!.rootIfname;
    expect(lines).toContain(
      `ip link add name ${gwRoot} group ${lines.join("\n").match(/group (\d+)/)![1]} type veth peer name up0 netns gw group ${lines.join("\n").match(/group (\d+)/)![1]}`,
    );
    expect(lines).toContain(`ip -n gw route add default via ${root} dev up0`);
    expect(lines).toContain(`ip netns exec gw nft add rule ip nslab postrouting oifname "up0" masquerade`);
    expect(lines).toContain(`sysctl -qw net/ipv4/conf/${gwRoot}/forwarding=1`);
    expect(lines).toContain(
      `nft add rule ip nslab-web nat-gw ip saddr ${inside} oifname "veth9" masquerade comment "nslab:web"`,
    );
    expect(lines.some((l) => l.startsWith("nft add rule bridge nslab-web lab-notrack meta iifgroup"))).toBe(
      true,
    );
  });

  it("orders many NAT nodes so that each tool is called once: tables after every node's settings", () => {
    const nats = Array.from(
      { length: 5 },
      (_, i) => `  g${i}: { kind: nat, uplink: veth9, interfaces: { eth0: 10.0.${i}.254/24 } }`,
    );
    const links = Array.from({ length: 5 }, (_, i) => `  - endpoints: [g${i}:eth0, sw:p${i}]`);
    const t = parseTopology(
      `name: many\nnodes:\n${nats.join("\n")}\n  sw: { kind: bridge }\nlinks:\n${links.join("\n")}\n`,
    );
    const ops = planUp(t, { ovsKernelDatapath: true });
    const at = (pred: (o: (typeof ops)[number]) => boolean) => ops.flatMap((o, i) => (pred(o) ? [i] : []));
    const nodeTables = at((o) => o.op.startsWith("nft.") && "ns" in o && o.ns !== null);
    const nodeSettings = at(
      (o) => o.op !== "netns.add" && "ns" in o && o.ns !== null && !o.op.startsWith("nft."),
    );
    expect(nodeTables).toHaveLength(10);
    // One run of the nodes' tables, after the last setting made in a namespace.
    expect(nodeTables.at(-1)! - nodeTables[0]!).toBe(9);
    expect(nodeTables[0]!).toBeGreaterThan(Math.max(...nodeSettings));
    // The transit ends' addresses in the root, then their forwarding flags: one run each.
    const rootAddrs = at((o) => o.op === "addr.add" && o.ns === null);
    const rootFlags = at((o) => o.op === "sysctl.set" && o.ns === null);
    expect(rootAddrs).toEqual(Array.from({ length: 5 }, (_, i) => rootAddrs[0]! + i));
    expect(rootFlags).toEqual(Array.from({ length: 5 }, (_, i) => rootAddrs[0]! + 5 + i));
  });

  it("resolves uplink: auto from the host's default route, and refuses when there is none", () => {
    const t = parseTopology(lab("", "uplink: auto"));
    const lines = planUp(t, { ovsKernelDatapath: true, defaultUplink: "eno1" })
      .flatMap(opCommands)
      .map((c) => commandArgv(c).join(" "));
    expect(lines.some((l) => l.includes('oifname "eno1" masquerade'))).toBe(true);
    expect(() => planUp(t, { ovsKernelDatapath: true, defaultUplink: null })).toThrow(
      /no IPv4 default route/,
    );
  });
});

describe("the uplink's forwarding, shared across NAT labs", () => {
  const now = (value: string | undefined, ifindex = 2, global = "0") => ({ value, ifindex, global });
  const entry = {
    key: "net/ipv4/conf/u/forwarding",
    previous: "0",
    value: "1",
    ifindex: 2,
    globalAtSet: "0",
    since: "",
  };
  it("sets it only when it is off, and never twice", () => {
    expect(decideAcquire(undefined, now("0"))).toBe("set");
    expect(decideAcquire(undefined, now("1"))).toBe("leave"); // the host's own: never restored
    expect(decideAcquire(entry, now("1"))).toBe("leave");
    expect(decideAcquire(entry, now("0"))).toBe("reset");
    expect(decideAcquire(undefined, now(undefined))).toBe("leave");
  });
  it("restores it only as nslab left it", () => {
    expect(decideRelease(entry, now("1"))).toEqual({ restore: true });
    expect(decideRelease(entry, now("1", 9)).restore).toBe(false); // re-created interface
    expect(decideRelease(entry, now("0")).restore).toBe(false);
    expect(decideRelease(entry, now("1", 2, "1")).why).toMatch(/ip_forward changed from 0 to 1/);
  });
});

describe("name servers behind NAT (dns:)", () => {
  const bad = (text: string) => {
    try {
      parseTopology(text);
    } catch (e) {
      return (e as TopologyError).problems.map(formatProblem).join("\n");
    }
    return "";
  };
  const files = (t: ReturnType<typeof parseTopology>, name: string) =>
    (node(t, name).files ?? []).map((f) => [f.path, f.kind === "file" ? f.from : undefined]);

  it("gives every node without one of its own an /etc/resolv.conf naming them, in the node's view", () => {
    const t = parseTopology(
      lab("", "uplink: veth9, dns: [198.18.5.53, '2001:db8::53', 198.18.5.53]").replace(
        "h2: { interfaces: { eth0: 10.0.0.2/24 },",
        'h2: { files: { /etc/resolv.conf: { content: "nameserver 10.9.9.9\\n" } }, interfaces: { eth0: 10.0.0.2/24 },',
      ),
    );
    expect(node(t, "gw").nat?.dns).toEqual(["198.18.5.53", "2001:db8::53"]);
    const content =
      "# nslab: lab 'web' — the name servers of its NAT gateway (dns:)\nnameserver 198.18.5.53\nnameserver 2001:db8::53\n";
    expect(files(t, "h1")).toEqual([["/etc/resolv.conf", { content }]]);
    expect(files(t, "gw")).toEqual([["/etc/resolv.conf", { content }]]);
    expect(files(t, "h2")).toEqual([["/etc/resolv.conf", { content: "nameserver 10.9.9.9\n" }]]); // its own
    // The file is placed like any node file: a bind over the host's /etc/resolv.conf in the node's view.
    const ops = planUp(t, {
      ovsKernelDatapath: true,
      nodeEnv: true,
      paths: { "/etc/resolv.conf": { canonical: "/etc/resolv.conf", type: "file", existing: "/etc" } },
      mounts: ["/"],
    });
    const mnt = ops.find((o) => o.op === "mntns.add" && o.ns.endsWith("h1"));
    expect(JSON.stringify(mnt)).toMatch(/"kind":"bind".*"\/etc\/resolv.conf"/);
    // Without dns: nodes keep the host's file (nothing added).
    expect(files(parseTopology(lab()), "h1")).toEqual([]);
  });

  it("refuses what a node's resolver cannot use, at the line", () => {
    expect(bad(lab("", "uplink: veth9, dns: [8.8.8.x]"))).toMatch(
      /^<string>:5:\d+ \(nodes\.gw\.dns\): dns: '8\.8\.8\.x' is not a valid IPv4/m,
    );
    expect(bad(lab("", "uplink: veth9, dns: [127.0.0.53]"))).toMatch(
      /loopback address: inside a node it is the node itself/,
    );
    expect(bad(lab("", "uplink: veth9, dns: ['::1']"))).toMatch(/loopback/);
    expect(bad(lab("", "uplink: veth9, dns: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]"))).toMatch(
      /4 name servers; .* reads only the first 3/,
    );
  });
});
