/** `nslab import lab.clab.yml > lab.yaml`: a containerlab topology as an nslab topology file. */
import { basename } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { Document, isScalar, isSeq, visit } from "yaml";
import { formatProblem, NslabError } from "../../errors.js";
import { resolveTopology } from "../../model/resolve.js";
import { loadClabFile } from "../../sources/clab/index.js";
import { cliLog } from "../output.js";
import { fileArgument, formatOption, topologyFileOption, wantsJson } from "../target.js";

export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "convert a containerlab topology (linux, frr, bridge and ovs-bridge nodes; FRR images become FRR routers) to an nslab topology on stdout",
    )
    .argument("[file]", "containerlab topology (.clab.yml; - for stdin)")
    .addOption(topologyFileOption())
    .option("--json", "the nslab topology as a JSON document instead of YAML")
    .addOption(formatOption())
    .action(async (arg, opts) => {
      const file = fileArgument(arg, opts.topology);
      if (file === undefined)
        throw new NslabError("E_USAGE", "give the containerlab file to convert", {
          hint: "nslab import lab.clab.yml > lab.yaml",
        });
      const { spec, document, warnings } = await loadClabFile(file);
      for (const w of warnings) cliLog("warn", formatProblem(w));
      resolveTopology(spec); // the same checks as `up`, with positions in the .clab.yml
      process.stdout.write(
        wantsJson(opts)
          ? `${JSON.stringify(document, null, 2)}\n`
          : renderImport(document, file === "-" ? "<stdin>" : basename(file)),
      );
    });
}

/** The converted document as YAML, endpoint pairs and address lists written inline. */
export function renderImport(document: Record<string, unknown>, from: string): string {
  const doc = new Document(document);
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.every((x) => isScalar(x))) node.flow = true;
    },
  });
  doc.commentBefore = ` Imported from ${from} by nslab import (containerlab linux, frr, bridge and ovs-bridge nodes).`;
  return doc.toString({ lineWidth: 0 });
}
