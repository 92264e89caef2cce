/** `nslab plan FILE`: print what `up` would do, as a runnable shell script (or JSON). */
import type { Command } from "@commander-js/extra-typings";
import { hostFactsFor } from "../../host/features.js";
import { loadTopology } from "../../lab/load.js";
import { planLab } from "../../lab/plan.js";
import { cliLog } from "../output.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "print the operations `up` would perform, as the equivalent shell script of ip/ovs-vsctl lines",
    )
    .argument("<file>", "topology file")
    .option("--json", "print the operations as JSON")
    .option("--name <lab>", "override the lab name")
    .option("--prefix <prefix>", "prefix namespace and root interface names")
    .action(async (file, opts) => {
      const t = await loadTopology(file, {
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.prefix ? { prefix: opts.prefix } : {}),
        log: cliLog,
      });
      const plan = planLab(t, await hostFactsFor(t));
      process.stdout.write(opts.json ? plan.toJson() : plan.toShell());
    });
}
