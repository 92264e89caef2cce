/** `nslab validate FILE`: check a topology (and its flows, with OVS's parser); exit 2 with every problem when it is invalid. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { loadTopology } from "../../model/load.js";
import { cliLog, info, warn } from "../output.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a topology file without touching the system (exit 2 when invalid)")
    .argument("<file>", "topology file (YAML)")
    .action(async (file) => {
      const t = await loadTopology(file, { log: cliLog });
      const { checkDeclaredFlows, hasFlows } = await import("../../engine/flows.js");
      if (hasFlows(t))
        try {
          await checkDeclaredFlows(t);
        } catch (e) {
          // Without OVS's parser here, the flows are checked by `up` on a host that has it.
          if (!(e instanceof NslabError && e.code === "E_ENV")) throw e;
          warn(`flows not checked: ${e.message}`);
        }
      const links = t.links.length;
      info(
        `${file}: lab '${t.name}' is valid (${t.nodes.length} nodes, ${links} link${links === 1 ? "" : "s"})`,
      );
    });
}
