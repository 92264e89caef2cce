/**
 * The NAT check of `status` (engine/nat-health.ts) against a scripted agent: the one request it
 * makes (each NAT node's own table, the lab's `ip` table in the root, and its `bridge` table when
 * the lab has Linux bridges), and what each reply makes of it — a table gone (ENOENT), a chain
 * without its rule, a namespace that cannot be entered or a request that failed (not counted here:
 * the kernel's checks report those) — down to the sentences `status` prints.
 */
import { describe, expect, it } from "vitest";
import type { Driver } from "../../../src/drivers/driver.js";
import { AGENT_ERRNO, type AgentCommand, type AgentReply } from "../../../src/drivers/nsagent/index.js";
import { natFaults, natTablesCheck } from "../../../src/engine/nat-health.js";
import { parseTopology } from "../../../src/model/load.js";
import type { NetnsNode } from "../../../src/model/types.js";
import type { LabState } from "../../../src/state/store.js";

/** Two NAT nodes; with a Linux bridge between h1 and gw, or without one. */
const topology = (bridge: boolean) =>
  parseTopology(`name: web
nodes:
  h1: { interfaces: { eth0: 10.0.0.1/24 } }
  h2: { interfaces: { eth0: 10.0.1.1/24 } }
  gw: { kind: nat, uplink: veth9, interfaces: { eth0: 10.0.0.254/24 } }
  gw2: { kind: nat, uplink: veth9, interfaces: { eth1: 10.0.1.254/24 } }
${bridge ? "  sw: { kind: bridge }\n" : ""}links:
${bridge ? "  - endpoints: [h1:eth0, sw:p1]\n  - endpoints: [gw:eth0, sw:p2]\n" : "  - endpoints: [h1:eth0, gw:eth0]\n"}  - endpoints: [h2:eth0, gw2:eth1]
`);

/** The namespace of node `name`. */
const netnsOf = (t: ReturnType<typeof parseTopology>, name: string) =>
  (t.nodes.find((n) => n.name === name) as NetnsNode).netns;

const ok = (chains: string[]): AgentReply => ({ status: "ok", data: chains });
const gone: AgentReply = { status: "err", errno: AGENT_ERRNO.ENOENT, message: "No such file or directory" };

/** A driver whose agent answers each command by `answer` and keeps what it was sent. */
function scripted(answer: (cmd: AgentCommand, i: number) => AgentReply) {
  const sent: AgentCommand[][] = [];
  const driver = {
    backend: "agent",
    agent: async () => ({
      exec: async (cmds: readonly AgentCommand[]) => {
        sent.push([...cmds]);
        return cmds.map(answer);
      },
    }),
  } as unknown as Driver;
  return { driver, sent };
}

/** Every table healthy: each node's `postrouting`, the root's `nat-NODE` chains, `lab-notrack`. */
const healthy = (cmd: AgentCommand): AgentReply => {
  if (cmd.op !== "nftrules") return { status: "ok" };
  if (cmd.table === "nslab") return ok(["postrouting"]);
  return cmd.family === "bridge" ? ok(["lab-notrack"]) : ok(["nat-gw", "nat-gw2"]);
};

describe("the NAT check", () => {
  it("reads every table in one request; the bridge table only for a lab with Linux bridges", async () => {
    for (const bridge of [true, false]) {
      const t = topology(bridge);
      const { driver, sent } = scripted(healthy);
      const found = await natFaults(t, driver);
      expect(found.nodes.size + found.root.size).toBe(0);
      expect(found.notrack).toBeUndefined();
      expect(sent).toHaveLength(1);
      const gwNs = netnsOf(t, "gw");
      expect(sent[0]).toEqual([
        { op: "ns", ns: gwNs },
        { op: "nftrules", family: "ip", table: "nslab" },
        { op: "ns", ns: expect.any(String) },
        { op: "nftrules", family: "ip", table: "nslab" },
        { op: "root" },
        { op: "nftrules", family: "ip", table: "nslab-web" },
        ...(bridge ? [{ op: "nftrules", family: "bridge", table: "nslab-web" }] : []),
      ]);
    }
  });

  it("tells a table gone from one emptied, in the nodes and in the root", async () => {
    const t = topology(true);
    const [gw, gw2] = [netnsOf(t, "gw"), netnsOf(t, "gw2")];
    const { driver } = scripted((cmd, i) => {
      if (cmd.op !== "nftrules") return { status: "ok" };
      if (i === 1) return gone; // gw's own table
      if (i === 3) return ok([]); // gw2's: the chain without its rule
      if (cmd.family === "bridge") return ok([]);
      return ok(["nat-gw"]); // the root: gw2's chain holds no rule
    });
    const found = await natFaults(t, driver);
    expect([...found.nodes]).toEqual([
      [gw, "gone"],
      [gw2, "empty"],
    ]);
    expect([...found.root]).toEqual([["gw2", "empty"]]);
    expect(found.notrack).toBe("empty");

    const { driver: allGone } = scripted((cmd) =>
      cmd.op === "nftrules" && cmd.table !== "nslab" ? gone : healthy(cmd),
    );
    const none = await natFaults(t, allGone);
    expect([...none.root]).toEqual([
      ["gw", "gone"],
      ["gw2", "gone"],
    ]);
    expect(none.notrack).toBe("gone");
    expect(none.nodes.size).toBe(0);
  });

  it("counts nothing it could not read: a namespace not entered, a request that failed", async () => {
    const t = topology(true);
    const failed: AgentReply = { status: "err", errno: 1, message: "Operation not permitted" };
    const { driver } = scripted((cmd, i) =>
      i === 0 || cmd.op === "root" ? failed : cmd.op === "nftrules" && i > 4 ? failed : healthy(cmd),
    );
    const found = await natFaults(t, driver);
    expect(found.nodes.size + found.root.size).toBe(0);
    expect(found.notrack).toBeUndefined();
  });

  it("says what is wrong, where, and the repair", async () => {
    const t = topology(true);
    const { driver } = scripted((cmd, i) =>
      i === 1 ? ok([]) : cmd.op === "nftrules" && cmd.table !== "nslab" ? gone : healthy(cmd),
    );
    const record = { lab: "web", status: "up", topology: t } as unknown as LabState;
    expect(natTablesCheck.appliesTo(record)).toBe(true);
    const problems = await natTablesCheck.check({
      lab: "web",
      record,
      driver,
      repair: "nslab up web.yaml --name web",
    });
    expect(problems.map((p) => [p.what, p.where])).toEqual([
      [
        expect.stringMatching(/^NAT node gw does not masquerade: its table ip nslab holds no rule, /),
        "node gw",
      ],
      [
        expect.stringMatching(
          /^the host does not masquerade NAT node gw out of its uplink: the lab's table ip nslab-web is gone \(a firewall reload\?\)/,
        ),
        "NAT node gw",
      ],
      [expect.stringMatching(/^the host does not masquerade NAT node gw2 /), "NAT node gw2"],
      [
        expect.stringMatching(
          /^the host's conntrack tracks this lab's bridged frames: the lab's table bridge nslab-web is gone \(a firewall reload\?\)/,
        ),
        "bridge sw",
      ],
    ]);
    expect(new Set(problems.map((p) => p.fix))).toEqual(
      new Set(["nslab up web.yaml --name web (re-creates what is missing, in place)"]),
    );
    expect(new Set(problems.map((p) => p.check))).toEqual(new Set(["NAT"]));
  });

  it("reads nothing without the agent, or for a lab without NAT nodes", async () => {
    const { sent, driver } = scripted(healthy);
    const plain = parseTopology("name: p\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n");
    expect((await natFaults(plain, driver)).nodes.size).toBe(0);
    expect(sent).toHaveLength(0);
    const iproute = { backend: "iproute2" } as unknown as Driver;
    expect((await natFaults(topology(true), iproute)).root.size).toBe(0);
  });
});
