/**
 * Operations inside namespaces through the native agent: one process that setns()es into each
 * namespace and speaks rtnetlink, so configuring a thousand namespaces costs no process spawns.
 */
import { commandArgv, opCommands } from "../../plan/commands.js";
import type { Op, VethEnd } from "../../plan/ops.js";
import type { AgentCommand, AgentVethEnd, NsAgent } from "../nsagent/index.js";
import { formatArgv } from "../runner/index.js";
import type { Channel, OpOutcome } from "./types.js";

/** The agent commands for `op` (without the namespace switch), or undefined if the agent cannot do it. */
export function agentCommand(op: Op): AgentCommand | undefined {
  switch (op.op) {
    case "netns.add":
      return { op: "mkns", ns: op.ns, marker: op.marker };
    case "netns.del":
      return op.owner !== undefined
        ? { op: "delown", ns: op.ns, marker: op.owner }
        : { op: "delns", ns: op.ns };
    case "link.up":
      return { op: "up", dev: op.dev };
    case "link.addrgen.none":
      return { op: "addrgen", dev: op.dev, mode: "none" };
    case "link.down":
      return { op: "down", dev: op.dev };
    case "link.del":
      return { op: "dellink", dev: op.dev };
    case "veth.add":
      // An end made with a master in a namespace: its master is looked up there (ip -batch does).
      if ((op.a.master && op.a.ns !== null) || (op.b.master && op.b.ns !== null)) return undefined;
      return { op: "vethadd", group: op.group, a: vethEnd(op.a), b: vethEnd(op.b) };
    case "bridge.add":
      return {
        op: "bridgeadd",
        dev: op.dev,
        group: op.group,
        ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
        stp: op.stp,
      };
    case "link.set":
      return { op: "linkset", dev: op.dev, alias: op.alias, ...(op.master ? { master: op.master } : {}) };
    case "link.delgroup":
      // Devices to move into the group first (OVS taps) stay with `ip -batch`.
      return op.adopt?.length ? undefined : { op: "delgroup", group: op.group };
    case "addr.add":
      return { op: "addr", dev: op.dev, cidr: op.cidr };
    case "addr.del":
      return { op: "deladdr", dev: op.dev, cidr: op.cidr };
    case "route.add":
    case "route.del":
      return {
        op: op.op === "route.add" ? "route" : "delroute",
        dst: op.to,
        ...(op.via !== undefined ? { via: op.via } : {}),
        ...(op.dev !== undefined ? { dev: op.dev } : {}),
        ...(op.metric !== undefined ? { metric: op.metric } : {}),
      };
    case "sysctl.set":
      return { op: "sysctl", key: op.key, value: op.value };
    case "offload.off":
      return { op: "txoff", dev: op.dev };
    case "link.ipv6off":
      return { op: "sysctl", key: `net/ipv6/conf/${op.dev}/disable_ipv6`, value: "1" };
    default:
      return undefined;
  }
}

/** A veth end of the plan as the agent takes it (in a namespace, or in the root it starts from). */
function vethEnd(e: VethEnd): AgentVethEnd {
  return {
    name: e.name,
    ...(e.ns !== null ? { ns: e.ns } : {}),
    ...(e.mtu !== undefined ? { mtu: e.mtu } : {}),
    ...(e.mac !== undefined ? { mac: e.mac } : {}),
    ...(e.master !== undefined ? { master: e.master } : {}),
    ...(e.up ? { up: true } : {}),
  };
}

/** Namespace an op runs in (`null` = root); namespace creation/deletion run from the root. */
function nsOf(op: Op): string | null {
  if (op.op === "netns.add" || op.op === "netns.del") return null;
  return "ns" in op ? op.ns : null;
}

/** Whether the agent channel carries `op`. */
export function agentCarries(op: Op): boolean {
  if (agentCommand(op) === undefined) return false;
  // In the root namespace: the lab's veth pairs and bridges, the last touch on its root ends
  // (marker, bridge, up), its root links going by group — `up` and `down` of a lab of bridges and
  // veth pairs start no `ip`. Other root-namespace links stay with `ip -batch`.
  return (
    nsOf(op) !== null ||
    op.op === "veth.add" ||
    op.op === "bridge.add" ||
    op.op === "link.set" ||
    op.op === "link.delgroup" ||
    op.op === "netns.add" ||
    op.op === "netns.del" ||
    op.op === "offload.off" ||
    op.op === "link.ipv6off"
  );
}

export function agentChannel(agent: () => Promise<NsAgent>): Channel {
  return {
    name: "nsagent",
    async apply(ops, mode) {
      const cmds: AgentCommand[] = [];
      const owner: number[] = []; // command index → op index
      let where: string | null | undefined;
      ops.forEach((op, i) => {
        const ns = nsOf(op);
        if (ns !== where) {
          cmds.push(ns === null ? { op: "root" } : { op: "ns", ns });
          owner.push(i);
          where = ns;
        }
        const cmd = agentCommand(op);
        if (!cmd) throw new Error(`internal: ${op.op} cannot go through the agent`);
        cmds.push(cmd);
        owner.push(i);
        // mkns and delown end in the root namespace.
        if (op.op === "netns.add" || op.op === "netns.del") where = null;
      });
      const replies = await (await agent()).exec(cmds, { stopOnError: mode === "stop" });
      // An op is its namespace switch (if any) plus its command: an error in either fails it.
      const outcomes: OpOutcome[] = ops.map(() => ({ status: "ok" }));
      replies.forEach((r, c) => {
        const i = owner[c]!;
        if (outcomes[i]!.status === "failed") return;
        if (r.status === "err") {
          const command = formatArgv(commandArgv(opCommands(ops[i]!)[0]!));
          outcomes[i] = { status: "failed", message: r.message, command };
        } else if (r.status === "skip") outcomes[i] = { status: "skipped" };
      });
      return outcomes;
    },
  };
}
