/**
 * `iperf` between two nodes of a lab spread over several machines: the iperf3 server is started in
 * B on B's machine, the client runs in A on A's machine (each over its machine's `nslab remote`
 * session), and the server is stopped when the client is done — also when it failed.
 */
import { randomInt } from "node:crypto";
import { NslabError } from "../../errors.js";
import { parseAddress } from "../../model/ip.js";
import type { NetnsNode } from "../../model/types.js";
import { chooseAddress, type IperfJson, type IperfOptions, type IperfResult, summarize } from "../iperf.js";
import { nodeOn, openMachines, upMultiRecord } from "./lab.js";

/** Measure throughput from node `from` to node `to` of multi-machine lab `lab`. */
export async function iperfMulti(
  lab: string,
  from: string,
  to: string,
  options: IperfOptions = {},
): Promise<IperfResult> {
  const state = upMultiRecord(lab);
  const netns = (name: string) => {
    const on = nodeOn(state, name);
    if (on.node.kind !== "netns")
      throw new NslabError(
        "E_USAGE",
        `node '${name}' is a ${on.node.kind}; iperf runs between namespace nodes`,
      );
    return { node: on.node as NetnsNode, host: on.host.name };
  };
  const a = netns(from);
  const b = netns(to);
  const address = options.address ?? chooseAddress(a.node, b.node);
  if (!address) throw new NslabError("E_USAGE", `node '${to}' has no address to serve on`);
  const parsed = parseAddress(address);
  if (typeof parsed === "string") throw new NslabError("E_USAGE", parsed);
  const seconds = options.timeSeconds ?? 3;
  if (!(seconds > 0 && seconds <= 600))
    throw new NslabError("E_USAGE", "the test length must be 1–600 seconds");
  const port = options.port ?? randomInt(20000, 30000);
  const machines = openMachines(state, options, new Set([a.host, b.host]));
  try {
    const server = machines.get(b.host);
    await server.request("iperf-server", { lab, node: to, address, port, seconds }, { timeoutMs: 60_000 });
    try {
      const report = await machines.get(a.host).request<IperfJson>(
        "iperf-client",
        {
          lab,
          node: from,
          to,
          address,
          port,
          seconds,
          ...(options.udp ? { udp: true, bitrate: options.bitrate ?? "100M" } : {}),
        },
        { timeoutMs: (seconds + 60) * 1000 },
      );
      return summarize(report, {
        lab,
        from,
        to,
        address,
        port,
        protocol: options.udp ? "udp" : "tcp",
        seconds,
      });
    } finally {
      await server.request("iperf-stop", { port }, { timeoutMs: 30_000 }).catch(() => {});
    }
  } finally {
    await machines.close();
  }
}
