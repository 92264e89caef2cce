/**
 * A NAT node masquerades through a table of its own in its namespace (`ip nslab`, see plan/nat.ts):
 * gone (`nft flush ruleset` in the node, or a namespace made anew without it) or emptied (`nft flush
 * table ip nslab`), the node routes the lab's traffic out unchanged and the replies never come back.
 * `status` reports it; `up` of the lab's file adds what is missing again.
 */
import type { Driver } from "../drivers/driver.js";
import { AGENT_ERRNO, asCount } from "../drivers/nsagent/index.js";
import { natNodes } from "../model/nat.js";
import type { Topology } from "../model/types.js";
import type { HealthProblem, LabCheck } from "./health-types.js";

/** The table a NAT node's masquerade lives in, in the node's namespace. */
const NAT_TABLE = { family: "ip", name: "nslab" };

/** What is wrong with a NAT node's masquerade table: there is none, or it holds no rule. */
export type NatTableFault = "gone" | "empty";

/**
 * The NAT nodes of `t` (their namespaces) whose masquerade table is gone or holds no rule, read in
 * one agent request (a rule count per node, the kernel filtering by table). A namespace that cannot
 * be entered is not counted here (the kernel's checks report it); without the agent nothing is read.
 */
export async function natTableFaults(t: Topology, driver: Driver): Promise<Map<string, NatTableFault>> {
  const faults = new Map<string, NatTableFault>();
  const nats = natNodes(t);
  if (nats.length === 0 || driver.backend !== "agent") return faults;
  const agent = await driver.agent();
  const replies = await agent.exec([
    ...nats.flatMap(
      (n) =>
        [
          { op: "ns", ns: n.netns },
          { op: "nftrules", family: NAT_TABLE.family, table: NAT_TABLE.name },
        ] as const,
    ),
    { op: "root" },
  ]);
  nats.forEach((n, i) => {
    const [enter, rules] = [replies[2 * i], replies[2 * i + 1]];
    if (enter?.status !== "ok") return;
    if (rules?.status === "err" && rules.errno === AGENT_ERRNO.ENOENT) faults.set(n.netns, "gone");
    else if (rules?.status === "ok" && asCount(rules.data) === 0) faults.set(n.netns, "empty");
  });
  return faults;
}

export const natTablesCheck: LabCheck = {
  name: "NAT",
  appliesTo: (record) => record.status === "up" && natNodes(record.topology).length > 0,
  async check({ record, driver, repair }): Promise<HealthProblem[]> {
    const faults = await natTableFaults(record.topology, driver);
    const table = `${NAT_TABLE.family} ${NAT_TABLE.name}`;
    return natNodes(record.topology).flatMap((n) => {
      const fault = faults.get(n.netns);
      if (!fault) return [];
      const why = fault === "gone" ? `its table ${table} is gone` : `its table ${table} holds no rule`;
      return [
        {
          what: `NAT node ${n.name} does not masquerade: ${why}, so the lab's traffic leaves unchanged and no reply comes back`,
          where: `node ${n.name}`,
          fix: `${repair} (re-creates what is missing, in place)`,
          check: "NAT",
        },
      ];
    });
  },
};
