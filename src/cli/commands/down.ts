/** `nslab down FILE|LAB` and `down --all`: remove exactly what a lab created. */
import type { Command } from "@commander-js/extra-typings";
import { type DownResult, down, downAll } from "../../engine/down.js";
import { NslabError } from "../../errors.js";
import { cliLog, info } from "../output.js";
import { progress } from "../progress.js";
import {
  fileArgument,
  formatOption,
  labOf,
  nameOption,
  prefixOption,
  resolveTarget,
  topologyFileOption,
  wantsJson,
} from "../target.js";

export function registerDown(program: Command): void {
  program
    .command("down")
    .description("remove everything a lab created (by its record and ownership markers); idempotent")
    .argument("[target]", "topology file or lab name")
    .addOption(topologyFileOption())
    .option("-a, --all", "take down every nslab lab on this host")
    .addOption(nameOption())
    .addOption(prefixOption())
    .option("--json", "what was removed, as JSON on stdout (an array with --all)")
    .addOption(formatOption())
    .action(async (positional, opts) => {
      const arg = fileArgument(positional, opts.topology);
      if (!!opts.all === !!arg)
        throw new NslabError("E_USAGE", "give either a topology file or lab name, or --all");
      let results: DownResult[];
      if (opts.all) results = await downAll({ log: cliLog });
      else {
        const lab = labOf(await resolveTarget(arg!, opts));
        const p = progress(`down ${lab}`, "objects");
        try {
          results = [await down(lab, { log: cliLog, onProgress: p.update })];
        } finally {
          p.done();
        }
      }
      if (wantsJson(opts)) {
        process.stdout.write(`${JSON.stringify(opts.all ? results : results[0], null, 2)}\n`);
        return;
      }
      if (results.length === 0) info("no nslab labs on this host");
      for (const r of results) {
        if (r.busy) continue; // skipped, with a warning already
        info(
          r.found
            ? `lab '${r.lab}' is down: removed ${r.removed.length} object(s)${ended(r)} in ${Math.round(r.durationMs)} ms`
            : r.leftovers.length > 0
              ? `lab '${r.lab}' is not up; removed ${r.leftovers.length} state file(s) an interrupted nslab run left`
              : `lab '${r.lab}' is not up (nothing to do)`,
        );
      }
    });
}

/** ", ended 3 processes (1 needed SIGKILL)" when processes ran in the lab. */
function ended(r: { processesEnded?: number; processesKilled?: number }): string {
  const n = r.processesEnded ?? 0;
  if (n === 0) return "";
  const k = r.processesKilled ?? 0;
  return `, ended ${n} process${n === 1 ? "" : "es"}${k > 0 ? ` (${k} needed SIGKILL)` : ""}`;
}
