/** `nslab up FILE|--topo SPEC`: create a lab; on failure undo what was created and say what failed and where. */
import type { Command } from "@commander-js/extra-typings";
import { up } from "../../lab/up.js";
import { cliLog, info } from "../output.js";
import { progress } from "../progress.js";
import { fileOrGenerated } from "../target.js";

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("create the lab described by a topology file, or a generated one (--topo)")
    .argument("[file]", "topology file")
    .option(
      "--topo <spec>",
      "generate the topology as Mininet does: single,K | linear,K[,N] | tree,D,F | torus,X,Y",
    )
    .option("--switch <kind>", "with --topo: bridge (Linux bridge, default) or ovs (Open vSwitch)")
    .option("--ipv6", "with --topo: keep IPv6 link-local on the hosts (default: IPv4-only hosts)")
    .option("--name <lab>", "override the lab name")
    .option("--prefix <prefix>", "prefix namespace and root interface names (run copies side by side)")
    .action(async (file, opts) => {
      const t = await fileOrGenerated(file, { ...opts, log: cliLog });
      const p = progress(`up ${t.name}`);
      try {
        const r = await up(t, { log: cliLog, onProgress: p.update });
        p.done();
        if (r.alreadyUp) info(`lab '${t.name}' is already up (nothing to do)`);
        else if (r.updated)
          info(
            `lab '${t.name}' was changed in place to match ${file ?? `--topo ${opts.topo}`}: ${r.operations} operations in ${Math.round(r.durationMs)} ms`,
          );
        else
          info(
            `lab '${t.name}' is up: ${count(t.nodes.length, "node")}, ${count(t.links.length, "link")}, ${count(r.operations, "operation")} in ${Math.round(r.durationMs)} ms`,
          );
      } catch (e) {
        p.done();
        throw e;
      }
    });
}

/** `1 link`, `2 links`. */
function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
