/** `nslab logs LAB NODE [SERVICE] [-f]`: the logs of a node's services (all of them, or one). */
import type { Command } from "@commander-js/extra-typings";
import { logs } from "../../lab/functions.js";

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("print the logs of a node's services (lines prefixed with the service when several)")
    .argument("<lab>", "lab name")
    .argument("<node>", "namespace node")
    .argument("[service]", "one service of the node (default: all of them)")
    .option("-f, --follow", "keep printing what they write (across restarts) until Ctrl-C or down")
    .action(async (lab, node, service, opts) => {
      if (!opts.follow) {
        process.stdout.write(await logs(lab, node, service));
        return;
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        await logs(lab, node, service, {
          follow: true,
          write: (t) => process.stdout.write(t),
          signal: stop.signal,
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
