/** `nslab up FILE`: create a lab; on failure undo what was created and say what failed and where. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { up } from "../../lab/up.js";
import { cliLog, info } from "../output.js";
import { progress } from "../progress.js";
import { resolveTarget } from "../target.js";

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("create the lab described by a topology file")
    .argument("<file>", "topology file")
    .option("--name <lab>", "override the lab name")
    .option("--prefix <prefix>", "prefix namespace and root interface names (run copies side by side)")
    .action(async (file, opts) => {
      const target = await resolveTarget(file, opts);
      if (target.kind !== "file") throw new NslabError("E_FILE", `no such topology file: ${file}`);
      const t = target.topology;
      const p = progress(`up ${t.name}`);
      try {
        const r = await up(t, { log: cliLog, onProgress: p.update });
        p.done();
        if (r.alreadyUp) info(`lab '${t.name}' is already up (nothing to do)`);
        else if (r.updated)
          info(
            `lab '${t.name}' was changed in place to match ${file}: ${r.operations} operations in ${Math.round(r.durationMs)} ms`,
          );
        else
          info(
            `lab '${t.name}' is up: ${t.nodes.length} nodes, ${t.links.length} links, ${r.operations} operations in ${Math.round(r.durationMs)} ms`,
          );
      } catch (e) {
        p.done();
        throw e;
      }
    });
}
