/** `nslab plan FILE|--topo SPEC`: print what `up` would do, as a runnable shell script (or JSON), and the host limits it would hit. */
import type { Command } from "@commander-js/extra-typings";
import { hostFactsFor } from "../../drivers/host/probe.js";
import { NslabError } from "../../errors.js";
import { planLab } from "../../lab/plan.js";
import { cliLog, EXIT, reportError, warn } from "../output.js";
import { fileOrGenerated } from "../target.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "print the operations `up` would perform, as the equivalent shell script of ip/ovs-vsctl lines",
    )
    .argument("[file]", "topology file")
    .option(
      "--topo <spec>",
      "plan a generated topology (as in Mininet): single,K | linear,K[,N] | tree,D,F | torus,X,Y",
    )
    .option("--switch <kind>", "with --topo: bridge (default) or ovs")
    .option("--ipv6", "with --topo: keep IPv6 link-local on the hosts (default: IPv4-only hosts)")
    .option("--json", "print the operations as JSON")
    .option("--name <lab>", "override the lab name")
    .option("--prefix <prefix>", "prefix namespace and root interface names")
    .action(async (file, opts) => {
      const t = await fileOrGenerated(file, { ...opts, log: cliLog });
      const plan = planLab(t, await hostFactsFor(t));
      process.stdout.write(opts.json ? plan.toJson() : plan.toShell());
      for (const w of plan.limits.warnings) warn(`${w.message}\n  hint: ${w.hint}`);
      for (const e of plan.limits.errors)
        reportError(new NslabError("E_ENV", `${e.message} (up would refuse)`, { hint: e.hint }));
      if (plan.limits.errors.length > 0) process.exitCode = EXIT.failed;
    });
}
