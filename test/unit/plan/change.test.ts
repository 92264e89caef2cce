/** Changing a running lab: inverse operations, plan diffs and reconciling with what exists. */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { planUp } from "../../../src/plan/build.js";
import { diffPlans, opKey } from "../../../src/plan/diff.js";
import { inverseOps } from "../../../src/plan/inverse.js";
import type { NsDump } from "../../../src/plan/observed.js";
import { reconcileOps } from "../../../src/plan/reconcile.js";

const host = { ovsKernelDatapath: false };
const v1 = parseTopology(
  "name: c\nnodes:\n  a: {interfaces: {e0: 10.0.0.1/24}}\n  b: {interfaces: {e0: 10.0.0.2/24}}\n  br: {kind: bridge}\nlinks:\n  - [a:e0, br:pa]\n  - [b:e0, br:pb]\n",
);
const v2 = parseTopology(
  "name: c\nnodes:\n  a: {interfaces: {e0: 10.0.0.11/24}}\n  b: {interfaces: {e0: 10.0.0.2/24}}\n  c: {interfaces: {e0: 10.0.0.3/24}}\n  br: {kind: bridge}\nlinks:\n  - [a:e0, br:pa]\n  - [b:e0, br:pb]\n  - [c:e0, br:pc]\n",
);

describe("inverse operations", () => {
  it("undo creations in reverse, skipping what goes with its container", () => {
    const inv = inverseOps(planUp(v1, host));
    expect(inv.map((o) => `${o.op} ${"dev" in o ? o.dev : "ns" in o ? o.ns : ""}`)).toEqual([
      "link.del pb",
      "link.del pa",
      "link.del br",
      "netns.del b",
      "netns.del a",
    ]);
  });

  it("undo changes to things that stay", () => {
    expect(
      inverseOps([
        { op: "addr.add", ns: "a", dev: "e0", cidr: "10.0.0.9/24" },
        { op: "route.add", ns: "a", to: "10.9.0.0/16", via: "10.0.0.1" },
      ]),
    ).toEqual([
      { op: "route.del", ns: "a", to: "10.9.0.0/16", via: "10.0.0.1" },
      { op: "addr.del", ns: "a", dev: "e0", cidr: "10.0.0.9/24" },
    ]);
  });
});

describe("plan changes", () => {
  it("remove the old address only, and mark the new operations as changed", () => {
    const change = diffPlans(planUp(v1, host), planUp(v2, host));
    expect(change.removals).toEqual([
      expect.objectContaining({ op: "addr.del", ns: "a", cidr: "10.0.0.1/24" }),
    ]);
    const changed = change.next.filter((o) => change.changed.has(opKey(o))).map((o) => o.op);
    // The new port pc: created down, IPv6 off, finished (alias, bridge, up) after the namespaces.
    expect(changed).toEqual([
      "netns.add",
      "veth.add",
      "link.ipv6off",
      "addr.add",
      "link.up",
      "addr.add",
      "link.set",
    ]);
  });

  it("reconciling creates what is missing and what lives inside it, and nothing else", () => {
    const link = (ifindex: number, name: string, up = true) =>
      ({ ifindex, name, up }) as unknown as NsDump["links"][number];
    const dumpA: NsDump = { links: [link(1, "lo"), link(2, "e0")], addrs: [], routes: [] };
    const dumpB: NsDump = {
      links: [link(1, "lo"), link(2, "e0")],
      addrs: [{ ifindex: 2, family: 4, cidr: "10.0.0.2/24", scope: "global" }],
      routes: [],
    };
    const change = diffPlans(planUp(v1, host), planUp(v2, host));
    const todo = reconcileOps(
      change.next,
      {
        netns: new Set(["a", "b"]),
        rootLinks: new Set(["br", "pa", "pb"]),
        ovs: new Map(),
        dumps: new Map([
          ["a", dumpA],
          ["b", dumpB],
        ]),
      },
      change.changed,
      opKey,
    );
    expect(todo.map((o) => `${o.op}${"cidr" in o ? ` ${o.cidr}` : ""}`)).toEqual([
      "netns.add",
      "veth.add",
      "link.ipv6off",
      "addr.add 10.0.0.11/24",
      "link.up",
      "addr.add 10.0.0.3/24",
      "link.set",
    ]);
  });
});

describe("reconciling a running lab", () => {
  it("puts a port taken off its bridge back, and leaves attached ports alone", () => {
    const plan = planUp(v1, host);
    const dump = (ns: string): NsDump => ({
      links: [
        {
          ifindex: 2,
          name: "e0",
          kind: "veth",
          flags: 1,
          up: true,
          lowerUp: true,
          operstate: "UP",
          mtu: 1500,
          mac: null,
          alias: null,
          group: 0,
          master: null,
          link: null,
          linkNetnsid: null,
          stats: {
            rxBytes: 0,
            txBytes: 0,
            rxPackets: 0,
            txPackets: 0,
            rxErrors: 0,
            txErrors: 0,
            rxDropped: 0,
            txDropped: 0,
          },
        },
      ],
      addrs: [{ ifindex: 2, family: 4, cidr: ns === "a" ? "10.0.0.1/24" : "10.0.0.2/24", scope: "global" }],
      routes: [],
    });
    const seen = (pbMaster: string | null) => ({
      netns: new Set(["a", "b"]),
      rootLinks: new Set(["br", "pa", "pb"]),
      rootMasters: new Map<string, string | null>([
        ["br", null],
        ["pa", "br"],
        ["pb", pbMaster],
      ]),
      ovs: new Map(),
      dumps: new Map([
        ["a", dump("a")],
        ["b", dump("b")],
      ]),
    });
    const masters = (ops: ReturnType<typeof reconcileOps>) =>
      ops.flatMap((o) =>
        (o.op === "link.master" || o.op === "link.set") && o.master ? [`${o.dev} → ${o.master}`] : [],
      );
    expect(masters(reconcileOps(plan, seen("br")))).toEqual([]);
    expect(masters(reconcileOps(plan, seen(null)))).toEqual(["pb → br"]);
  });
});

describe("reconciling a lab whose file system went (a reboot where /run is a disk)", () => {
  const plan = planUp(v1, { ...host, nodeEnv: true, stateRoot: "/run/nslab" });
  const env = (ops: readonly { op: string }[]) =>
    ops.map((o) => o.op).filter((op) => /^(labfs|nodefs|mntns|etcnetns)\./.test(op));
  const seen = (labfs: ReadonlySet<string> | undefined) => ({
    netns: new Set(["a", "b"]),
    rootLinks: new Set(["br", "pa", "pb"]),
    ovs: new Map(),
    dumps: new Map(),
    ...(labfs ? { labfs } : {}),
  });
  it("mounts it again with every node's environment in it; nothing of it while it is there", () => {
    const all = env(plan);
    expect(all).toEqual(expect.arrayContaining(["labfs.mount", "nodefs.file", "mntns.add", "etcnetns.add"]));
    expect(env(reconcileOps(plan, seen(new Set())))).toEqual(all);
    expect(env(reconcileOps(plan, seen(new Set(["/run/nslab/fs/c"]))))).toEqual([]);
    // Not observed: taken as it is.
    expect(env(reconcileOps(plan, seen(undefined)))).toEqual([]);
  });
});

describe("reconciling a NAT node whose namespace was made anew", () => {
  const nat = parseTopology(
    "name: n\nnodes:\n  h1: {interfaces: {eth0: 10.66.0.1/24}}\n  gw: {kind: nat, uplink: up-x, interfaces: {eth0: 10.66.0.254/24}}\nlinks:\n  - [h1:eth0, gw:eth0]\n",
  );
  const plan = planUp(nat, host);
  const gw = plan.find((o) => o.op === "netns.add" && o.ns.endsWith("gw"))!;
  const gwNs = (gw as { ns: string }).ns;
  const tables = (ops: readonly { op: string; ns?: unknown }[]) =>
    ops.filter((o) => o.op.startsWith("nft.")).map((o) => `${o.op} ${o.ns}`);
  const seen = (netns: string[]) => ({
    netns: new Set(netns),
    rootLinks: new Set<string>(),
    ovs: new Map(),
    dumps: new Map(),
  });
  it("adds its masquerade table again with it; the root's tables are left to the firewall repair", () => {
    const namespaces = plan.flatMap((o) => (o.op === "netns.add" ? [o.ns] : []));
    expect(tables(reconcileOps(plan, seen(namespaces.filter((n) => n !== gwNs))))).toEqual([
      `nft.table.add ${gwNs}`,
      `nft.chain.add ${gwNs}`,
    ]);
  });
});
