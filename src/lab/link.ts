/**
 * Link faults and shaping on a running lab: take one end of a link down or bring it back up (`ip link
 * set … down|up` in the end's namespace; the other end loses carrier, so traffic stops both ways),
 * and change or clear the shaping of an end's egress (`tc qdisc replace|del … root`) without
 * recreating anything.
 */
import { ovsKernelModule } from "../drivers/host/facts.js";
import { probeFeatures } from "../drivers/host/probe.js";
import { observeForPlan } from "../drivers/observe/for-plan.js";
import type { Runner } from "../drivers/runner/index.js";
import type { DriverUse } from "../engine/driver.js";
import { NslabError } from "../errors.js";
import { describeShaping, netemFeatures } from "../model/shaping.js";
import type { Shaping } from "../model/types.js";
import { planUp } from "../plan/build.js";
import { commandArgv, opCommands } from "../plan/commands.js";
import type { Op } from "../plan/ops.js";
import { qdiscFor } from "../plan/qdisc.js";
import { reconcileOps } from "../plan/reconcile.js";
import { formatArgv } from "../util/quote.js";
import { peerEndpoint, type ResolvedEndpoint, resolveEndpoint } from "./endpoints.js";
import { checkedName, lookupRecordOf } from "./record.js";

/** What `setLinkShaping` did. */
export interface ShapingResult {
  endpoints: ResolvedEndpoint[];
  /** `rate 10mbit`, or `no shaping` when cleared. */
  shaping: string;
  /** The operations applied. */
  operations: Op[];
  /** The same as the commands `nslab plan` would print (`tc -n … qdisc replace …`). */
  commands: string[];
}

/**
 * Shape the egress of one end of a link of a running lab (with `both`, of both ends), or with
 * `null` remove the shaping (back to `noqueue`, a veth's default; clearing twice is fine). Replaces
 * whatever root qdisc the end had; nothing is recreated.
 * Delay, jitter and loss need netem: on a kernel without it this fails before changing anything.
 */
export async function shapeLink(
  lab: string,
  use: DriverUse,
  endpoint: string,
  shaping: Shaping | null,
  options: { both?: boolean; runner?: Runner } = {},
): Promise<ShapingResult> {
  const ends = [resolveEndpoint(lab, endpoint), ...(options.both ? [peerEndpoint(lab, endpoint)] : [])];
  if (shaping && netemFeatures(shaping).length > 0) {
    const { netem } = await probeFeatures(["netem"], options.runner);
    if (netem === false)
      throw new NslabError(
        "E_ENV",
        `${netemFeatures(shaping).join(", ")} ${netemFeatures(shaping).length === 1 ? "needs" : "need"} netem, and this kernel has no netem (CONFIG_NET_SCH_NETEM is not set)`,
        { hint: "a rate alone works (tc tbf); `nslab doctor` shows what this host has" },
      );
  }
  const ops: Op[] = ends.map((e) => ({
    op: "qdisc.set",
    ns: e.ns,
    dev: e.dev,
    qdisc: shaping ? qdiscFor(shaping) : { kind: "noqueue" },
  }));
  return use(async (driver) => {
    const report = await driver.apply(ops, { mode: "stop" });
    if (report.error) throw report.error;
    return {
      endpoints: ends,
      shaping: shaping ? describeShaping(shaping) : "no shaping",
      operations: ops,
      commands: ops.flatMap((op) => opCommands(op).map((c) => formatArgv(commandArgv(c)))),
    };
  });
}

/**
 * Set one end (`node:interface`) of a link of lab `lab` administratively up or down, like
 * `ip link set DEV down`; the other end loses carrier, so traffic stops both ways.
 */
export async function setEndState(
  lab: string,
  use: DriverUse,
  endpoint: string,
  state: "up" | "down",
): Promise<ResolvedEndpoint> {
  const ep = resolveEndpoint(lab, endpoint);
  return use(async (driver) => {
    const op: Op = { op: state === "up" ? "link.up" : "link.down", ns: ep.ns, dev: ep.dev };
    const report = await driver.apply([op], { mode: "stop" });
    if (report.error) throw report.error;
    // Taking a link down makes the kernel drop its IPv6 addresses and the routes through it:
    // bringing it back up restores what the lab's plan has for that namespace.
    if (state === "up" && ep.ns !== null) {
      // The network part of the plan: a node's files, services and mounts are not the link's (and
      // without the host facts they need, planning them would fail: `link up` on a router did).
      // From the record read for looking up (a big lab's view): the names the plan takes into the
      // namespace's operations are checked below, as reading the whole record would check them.
      const { nodes, ...rest } = lookupRecordOf(lab).topology;
      const network = {
        ...rest,
        nodes: nodes.map((n) => {
          if (n.kind !== "netns") return n;
          const { files: _f, services: _s, privateTmp: _t, ...net } = n;
          return net;
        }),
      };
      const plan = planUp(network, { ovsKernelDatapath: ovsKernelModule() }).filter(
        (o) => "ns" in o && o.ns === ep.ns && o.op !== "netns.add",
      );
      for (const o of plan)
        if ("dev" in o && typeof o.dev === "string" && o.dev !== "lo") checkedName(lab, o.dev, "interface");
      const missing = reconcileOps(
        plan,
        await observeForPlan([plan, [{ op: "netns.add", ns: ep.ns, marker: "" }]], driver),
      );
      if (missing.length > 0) {
        const again = await driver.apply(missing, { mode: "continue" });
        if (again.error) throw again.error;
      }
    }
    return ep;
  });
}
