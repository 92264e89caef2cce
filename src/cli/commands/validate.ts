/** `nslab validate FILE`: check a topology; exit 2 with every problem when it is invalid. */
import type { Command } from "@commander-js/extra-typings";
import { loadTopology } from "../../model/load.js";
import { cliLog, info } from "../output.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a topology file without touching the system (exit 2 when invalid)")
    .argument("<file>", "topology file (YAML)")
    .action(async (file) => {
      const t = await loadTopology(file, { log: cliLog });
      const links = t.links.length;
      info(
        `${file}: lab '${t.name}' is valid (${t.nodes.length} nodes, ${links} link${links === 1 ? "" : "s"})`,
      );
    });
}
