/**
 * A NAT node masquerades through a table of its own in its namespace (`ip nslab`, see plan/nat.ts):
 * gone (`nft flush ruleset` in the node, or a namespace made anew without it), the node routes the
 * lab's traffic out unchanged and the replies never come back. `status` reports it; `up` of the
 * lab's file adds it again.
 */
import type { Driver } from "../drivers/driver.js";
import { asNftTables } from "../drivers/nsagent/index.js";
import { natNodes } from "../model/nat.js";
import type { Topology } from "../model/types.js";
import type { HealthProblem, LabCheck } from "./health-types.js";

/** The table a NAT node's masquerade lives in, in the node's namespace. */
const NAT_TABLE = { family: "ip", name: "nslab" };

/**
 * The NAT nodes of `t` (their namespaces) whose masquerade table is missing, read in one agent
 * request. A namespace that cannot be entered is not counted here (the kernel's checks report it);
 * without the agent nothing is read.
 */
export async function natTablesMissing(t: Topology, driver: Driver): Promise<string[]> {
  const nats = natNodes(t);
  if (nats.length === 0 || driver.backend !== "agent") return [];
  const agent = await driver.agent();
  const replies = await agent.exec([
    ...nats.flatMap((n) => [{ op: "ns", ns: n.netns } as const, { op: "nfttables" } as const]),
    { op: "root" },
  ]);
  return nats.flatMap((n, i) => {
    const [enter, tables] = [replies[2 * i], replies[2 * i + 1]];
    if (enter?.status !== "ok" || tables?.status !== "ok") return [];
    const has = asNftTables(tables.data).some(
      (x) => x.family === NAT_TABLE.family && x.name === NAT_TABLE.name,
    );
    return has ? [] : [n.netns];
  });
}

export const natTablesCheck: LabCheck = {
  name: "NAT",
  appliesTo: (record) => record.status === "up" && natNodes(record.topology).length > 0,
  async check({ record, driver, repair }): Promise<HealthProblem[]> {
    const missing = new Set(await natTablesMissing(record.topology, driver));
    return natNodes(record.topology)
      .filter((n) => missing.has(n.netns))
      .map((n) => ({
        what: `NAT node ${n.name} does not masquerade: its table ${NAT_TABLE.family} ${NAT_TABLE.name} is gone, so the lab's traffic leaves unchanged and no reply comes back`,
        where: `node ${n.name}`,
        fix: `${repair} (re-creates what is missing, in place)`,
        check: "NAT",
      }));
  },
};
