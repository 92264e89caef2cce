/** `nslab iperf LAB A B [--udp] [--time S] [--json]`: throughput from node A to node B with iperf3. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { iperf } from "../../lab/functions.js";
import { formatOption, wantsJson } from "../target.js";

export function registerIperf(program: Command): void {
  program
    .command("iperf")
    .description("measure throughput from node A to node B of a running lab with iperf3 (result in Mbit/s)")
    .argument("<lab>", "lab name")
    .argument("<from>", "client node")
    .argument("<to>", "server node")
    .option("--udp", "UDP instead of TCP")
    .option("--time <seconds>", "test length in seconds", "3")
    .option("--bitrate <rate>", "UDP target bitrate (iperf3 units; 0 = unlimited)", "100M")
    .option("--address <ip>", "server address (default: B's address on a subnet shared with A)")
    .option("--json", "machine-readable output")
    .addOption(formatOption())
    .action(async (lab, from, to, opts) => {
      const seconds = Number(opts.time);
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw new NslabError("E_USAGE", `--time must be a number of seconds, not '${opts.time}'`);
      const r = await iperf(lab, from, to, {
        timeSeconds: seconds,
        ...(opts.udp ? { udp: true, bitrate: opts.bitrate } : {}),
        ...(opts.address ? { address: opts.address } : {}),
      });
      if (wantsJson(opts)) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const extra =
        r.protocol === "tcp"
          ? r.retransmits !== undefined
            ? `, ${r.retransmits} retransmits`
            : ""
          : `${r.lostPercent !== undefined ? `, ${r.lostPercent}% lost` : ""}${r.jitterMs !== undefined ? `, jitter ${r.jitterMs} ms` : ""}`;
      process.stdout.write(
        `${r.from} -> ${r.to} (${r.address}) ${r.protocol.toUpperCase()} ${r.seconds} s: ${r.mbps} Mbit/s received (${r.sentMbps} Mbit/s sent${extra})\n`,
      );
    });
}
