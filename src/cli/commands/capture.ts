/** `nslab capture LAB NODE:IF [-w file.pcap] [--count N]`: tcpdump inside the node's namespace. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { capture } from "../../lab/functions.js";
import { info } from "../output.js";

export function registerCapture(program: Command): void {
  program
    .command("capture")
    .description("capture packets on one end of a link with tcpdump, inside its namespace (Ctrl-C stops)")
    .argument("<lab>", "lab name")
    .argument("<endpoint>", "node:interface")
    .argument("[filter...]", "tcpdump filter expression (put -- before it)")
    .option("-w, --write <file>", "write a pcap file instead of printing packets")
    .option("-c, --count <n>", "stop after this many packets")
    .option("--timeout <seconds>", "stop after this many seconds")
    .action(async (lab, endpoint, filter, opts) => {
      const count = opts.count !== undefined ? Number(opts.count) : undefined;
      if (count !== undefined && !(Number.isInteger(count) && count > 0))
        throw new NslabError("E_USAGE", `--count must be a positive integer, not '${opts.count}'`);
      const timeout = opts.timeout !== undefined ? Number(opts.timeout) : undefined;
      if (timeout !== undefined && !(timeout > 0))
        throw new NslabError("E_USAGE", `--timeout must be a number of seconds, not '${opts.timeout}'`);
      const r = await capture(lab, endpoint, {
        interactive: true,
        ...(opts.write ? { file: opts.write } : {}),
        ...(count !== undefined ? { count } : {}),
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        ...(filter.length > 0 ? { filter: filter[0] === "--" ? filter.slice(1) : filter } : {}),
      });
      if (r.file) info(`wrote ${r.file}`);
      process.exitCode = r.exitCode;
    });
}
