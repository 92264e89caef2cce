/**
 * How a command runs inside a node — the one place that decides it, for everything nslab runs in a
 * node: `exec`, services' readiness commands, probes and pings, iperf3, tcpdump, the iproute2
 * backend's batches. A node is a network namespace (/run/netns/NAME) and, in labs made with the
 * native agent, a mount namespace of its own kept at a file in the lab's file system:
 * - with that file (`mnt`): both are entered — `nsagent run --net … --mnt … -- argv` (two setns and
 *   an exec: same PID, no shell; `nsenter --net --mount` when the agent is not built). The command
 *   keeps the caller's working directory when the node has it, as `ip netns exec` does;
 * - `net`: only its network namespace is entered (`nsenter --net=…`, which execs the command:
 *   same PID, so it can be stopped by that PID), for nslab's own tools;
 * - `session`: `ip netns exec NAME`, which also gives the command the node's view of /sys and of
 *   /etc/netns/NAME — for nodes without a mount namespace of their own.
 */
import { findAgentBinary } from "./nsagent/index.js";

/** How much of the node a command enters. */
export type NodeMode = "net" | "session";

/**
 * The argv that runs `argv` inside namespace node `ns`; `mnt`: the node's kept mount namespace
 * (entered in every mode: the node's files, names and private directories are only there).
 */
export function inNode(ns: string, argv: readonly string[], mode: NodeMode = "net", mnt?: string): string[] {
  const net = `/run/netns/${ns}`;
  if (mnt) {
    const agent = findAgentBinary();
    if (agent) return [agent, "run", "--net", net, "--mnt", mnt, "--cwd", process.cwd(), "--", ...argv];
    return ["nsenter", `--net=${net}`, `--mount=${mnt}`, `--wd=${process.cwd()}`, "--", ...argv];
  }
  if (mode === "session") return ["ip", "netns", "exec", ns, ...argv];
  return ["nsenter", `--net=${net}`, "--", ...argv];
}
