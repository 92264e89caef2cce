/** `nslab up FILE|--topo SPEC`: create a lab; on failure undo what was created and say what failed and where. */
import type { Command } from "@commander-js/extra-typings";
import { up } from "../../engine/up.js";
import type { CliContext } from "../context.js";
import { cliLog, info } from "../output.js";
import { progress } from "../progress.js";
import {
  fileOrGenerated,
  ipv6Option,
  nameOption,
  prefixOption,
  switchOption,
  topoOption,
} from "../target.js";

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command("up")
    .description("create the lab described by a topology file, or a generated one (--topo)")
    .argument("[file]", "topology file")
    .addOption(topoOption())
    .addOption(switchOption())
    .addOption(ipv6Option())
    .addOption(nameOption())
    .addOption(prefixOption())
    .action(async (file, opts) => {
      const t = await fileOrGenerated(file, { ...opts, log: cliLog });
      const p = progress(`up ${t.name}`);
      try {
        const r = await up(t, { log: cliLog, onProgress: p.update, faults: ctx.faults });
        p.done();
        if (r.alreadyUp)
          info(
            r.startedOvs
              ? `lab '${t.name}' is up (Open vSwitch, which had stopped, was started again)`
              : `lab '${t.name}' is already up (nothing to do)`,
          );
        else if (r.repaired)
          info(
            `lab '${t.name}' was missing parts: restored in place (${r.operations} operations in ${Math.round(r.durationMs)} ms)`,
          );
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
