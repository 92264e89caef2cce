/** `nslab web [LAB]`: serve the live view on a loopback address; prints the URL with its token. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { observedLabGraph } from "../../lab/graph.js";
import { startWeb } from "../../web/server.js";
import { info } from "../output.js";

export function registerWeb(program: Command): void {
  program
    .command("web")
    .description(
      "serve a live view of a lab (graph, interfaces, counters, ping, link down/up) on 127.0.0.1, behind a random access token",
    )
    .argument("[lab]", "the lab the page opens on (default: the list of labs)")
    .option("-p, --port <port>", "port to listen on (default: any free port)")
    .option("--host <address>", "loopback address to listen on", "127.0.0.1")
    .action(async (lab, opts) => {
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new NslabError("E_USAGE", `--port must be a number from 0 to 65535, not '${opts.port}'`);
      // Fail now, not in the page, when there is no such lab (the record read is the one the page's
      // graph and the observation use: a 10,000-host record is parsed once).
      if (lab) observedLabGraph(lab);
      const server = await startWeb({ ...(lab ? { lab } : {}), host: opts.host, port });
      process.stdout.write(`${server.url}\n`);
      info(`nslab web: serving ${lab ? `lab '${lab}'` : "every lab"} on ${server.origin} (Ctrl-C stops)`);
      info("the address carries the access token: anyone with it can take links down");
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
    });
}
