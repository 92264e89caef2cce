/**
 * A lab with loops runs STP on its bridges; their ports listen, then learn, for the forward delay
 * each (30 s in all by default) before they forward or block. `up` waits for that, so the lab works
 * when it returns (`nslab ping` right after succeeds). Not an error if it takes longer: said, and done.
 */
import type { Driver } from "../drivers/driver.js";
import { linuxStpPending, ovsStpPending, waitSettled } from "../drivers/stp.js";
import type { Topology } from "../model/types.js";
import type { Logger } from "../util/logger.js";

export async function settleSpanningTrees(t: Topology, driver: Driver, log: Logger): Promise<void> {
  const linux = t.nodes.flatMap((n) => (n.kind === "bridge" && n.stp ? [n.ifname] : []));
  const ovs = t.nodes.filter((n) => n.kind === "ovs-bridge" && n.stp);
  if (linux.length === 0 && ovs.length === 0) return;
  const ovsPorts = new Set(ovs.flatMap((n) => n.interfaces.map((i) => i.ifname)));
  const pending = async () => [
    ...linuxStpPending(linux),
    ...(ovs.length > 0 ? await ovsStpPending(await driver.ovsdb(), ovsPorts) : []),
  ];
  let said = false;
  const left = await waitSettled(pending, 90_000, (n) => {
    if (said) return;
    said = true;
    log(
      "info",
      `waiting for the spanning tree: ${n} bridge ports still listening or learning (forward delay)`,
    );
  });
  if (left.length > 0)
    log("warn", `the spanning tree has not settled yet: ${left.length} ports still listening or learning`);
}
