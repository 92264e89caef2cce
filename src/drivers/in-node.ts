/**
 * How a command runs inside a node — the one place that decides it, for everything nslab runs in a
 * node: `exec`, probes and pings, iperf3, tcpdump, the iproute2 backend's batches, and (later) the
 * services and daemons of a node. Today a node is a network namespace (/run/netns/NAME):
 * - `net`: only its network namespace is entered (`nsenter --net=…`, which execs the command:
 *   same PID, so it can be stopped by that PID), for nslab's own tools;
 * - `session`: `ip netns exec NAME`, which also gives the command the node's view of /sys and of
 *   /etc/netns/NAME — what a person's command expects.
 * When nodes get a mount namespace of their own, this function is what changes.
 */

/** How much of the node a command enters. */
export type NodeMode = "net" | "session";

/** The argv that runs `argv` inside namespace node `ns`. */
export function inNode(ns: string, argv: readonly string[], mode: NodeMode = "net"): string[] {
  if (mode === "session") return ["ip", "netns", "exec", ns, ...argv];
  return ["nsenter", `--net=/run/netns/${ns}`, "--", ...argv];
}
