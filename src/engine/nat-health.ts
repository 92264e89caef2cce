/**
 * NAT nodes masquerade twice: in the node, through a table of its own (`ip nslab`, chain
 * `postrouting`), and in the root namespace, out of the uplink, through the lab's table (`ip
 * nslab-LAB`, one chain `nat-NODE` each; see plan/nat.ts). Either gone (`nft flush ruleset`, a
 * firewall reload on the host, a namespace made anew without it) or emptied (`nft flush table …`),
 * the lab's traffic leaves unchanged and the replies never come back. A NAT lab with Linux bridges
 * also has `bridge nslab-LAB` in the root, whose one rule keeps the lab's bridged frames out of the
 * host's conntrack (br_netfilter passes them through it): without it, the connections of two labs
 * with the same addresses meet in the host's one table. `status` reports each; `up` of the lab's
 * file adds what is missing again (`add table` and `add chain` keep what is there; a chain without
 * its rule gets it again).
 */
import type { Driver } from "../drivers/driver.js";
import { AGENT_ERRNO, type AgentCommand, type AgentReply, asRulesByChain } from "../drivers/nsagent/index.js";
import { natNodes } from "../model/nat.js";
import type { Topology } from "../model/types.js";
import { labTable } from "../plan/fw-ops.js";
import { hasNotrackTable, NOTRACK_CHAIN, rootNatChain } from "../plan/nat.js";
import type { HealthProblem, LabCheck } from "./health-types.js";

/** The table a NAT node's masquerade lives in, in the node's namespace, and its chain. */
const NODE_TABLE = { family: "ip", name: "nslab", chain: "postrouting" };

/** What is wrong with a masquerade: its table is gone, or its chain holds no rule. */
export type NatFault = "gone" | "empty";

/** What {@link natFaults} found. */
export interface NatFaults {
  /** NAT nodes' namespaces whose own table is gone or empty. */
  nodes: Map<string, NatFault>;
  /** NAT node names whose chain in the root's `ip nslab-LAB` is gone or empty (all: the table is). */
  root: Map<string, NatFault>;
  /** The root's `bridge nslab-LAB` table (a NAT lab with Linux bridges), gone or its chain empty. */
  notrack?: NatFault;
}

/** A reply of `nftrules`: each chain's rule count; "gone" (no such table); "unknown" (the request failed). */
function rulesOf(reply: AgentReply | undefined): Map<string, number> | "gone" | "unknown" {
  if (reply?.status === "err" && reply.errno === AGENT_ERRNO.ENOENT) return "gone";
  if (reply?.status === "ok") return asRulesByChain(reply.data);
  return "unknown";
}

/**
 * The masquerades of `t`'s NAT nodes that are gone or empty, in the nodes and in the root
 * namespace, read in one agent request (each table's rules, the kernel filtering by table). A
 * namespace that cannot be entered is not counted here (the kernel's checks report it); without
 * the agent nothing is read.
 */
export async function natFaults(t: Topology, driver: Driver): Promise<NatFaults> {
  const found: NatFaults = { nodes: new Map(), root: new Map() };
  const nats = natNodes(t);
  if (nats.length === 0 || driver.backend !== "agent") return found;
  const agent = await driver.agent();
  const cmds: AgentCommand[] = [
    ...nats.flatMap((n): AgentCommand[] => [
      { op: "ns", ns: n.netns },
      { op: "nftrules", family: NODE_TABLE.family, table: NODE_TABLE.name },
    ]),
    { op: "root" },
    { op: "nftrules", family: "ip", table: labTable(t.name) },
    ...(hasNotrackTable(t)
      ? [{ op: "nftrules", family: "bridge", table: labTable(t.name) } satisfies AgentCommand]
      : []),
  ];
  const replies = await agent.exec(cmds);
  nats.forEach((n, i) => {
    if (replies[2 * i]?.status !== "ok") return;
    const rules = rulesOf(replies[2 * i + 1]);
    if (rules === "gone") found.nodes.set(n.netns, "gone");
    else if (rules !== "unknown" && !rules.get(NODE_TABLE.chain)) found.nodes.set(n.netns, "empty");
  });
  const root = rulesOf(replies[2 * nats.length + 1]);
  for (const n of nats) {
    if (root === "gone") found.root.set(n.name, "gone");
    else if (root !== "unknown" && !root.get(rootNatChain(n.name))) found.root.set(n.name, "empty");
  }
  if (hasNotrackTable(t)) {
    const bridge = rulesOf(replies[2 * nats.length + 2]);
    if (bridge === "gone") found.notrack = "gone";
    else if (bridge !== "unknown" && !bridge.get(NOTRACK_CHAIN)) found.notrack = "empty";
  }
  return found;
}

export const natTablesCheck: LabCheck = {
  name: "NAT",
  appliesTo: (record) => record.status === "up" && natNodes(record.topology).length > 0,
  async check({ record, driver, repair }): Promise<HealthProblem[]> {
    const t = record.topology;
    const faults = await natFaults(t, driver);
    const fix = `${repair} (re-creates what is missing, in place)`;
    const node = `${NODE_TABLE.family} ${NODE_TABLE.name}`;
    const root = `ip ${labTable(t.name)}`;
    const bridges = t.nodes.filter((n) => n.kind === "bridge").map((n) => n.name);
    const notrack: HealthProblem[] = faults.notrack
      ? [
          {
            what: `the host's conntrack tracks this lab's bridged frames: ${faults.notrack === "gone" ? `the lab's table bridge ${labTable(t.name)} is gone` : `chain ${NOTRACK_CHAIN} of the lab's table bridge ${labTable(t.name)} holds no rule`} (a firewall reload?), so its connections meet those of any lab with the same addresses`,
            where: `bridge ${bridges.join(", ")}`,
            fix,
            check: "NAT",
          },
        ]
      : [];
    const perNode = natNodes(t).flatMap((n) => {
      const inNode = faults.nodes.get(n.netns);
      const inRoot = faults.root.get(n.name);
      return [
        ...(inNode
          ? [
              {
                what: `NAT node ${n.name} does not masquerade: its table ${node} ${inNode === "gone" ? "is gone" : "holds no rule"}, so the lab's traffic leaves unchanged and no reply comes back`,
                where: `node ${n.name}`,
                fix,
                check: "NAT",
              },
            ]
          : []),
        ...(inRoot
          ? [
              {
                what: `the host does not masquerade NAT node ${n.name} out of its uplink: ${inRoot === "gone" ? `the lab's table ${root} is gone` : `chain ${rootNatChain(n.name)} of the lab's table ${root} holds no rule`} (a firewall reload?), so no reply comes back`,
                where: `NAT node ${n.name}`,
                fix,
                check: "NAT",
              },
            ]
          : []),
      ];
    });
    return [...perNode, ...notrack];
  },
};
