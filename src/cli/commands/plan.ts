/** `nslab plan FILE|--topo SPEC`: print what `up` would do, as a runnable shell script (or JSON), and the host limits it would hit. */
import type { Command } from "@commander-js/extra-typings";
import { planForHost } from "../../engine/plan.js";
import { NslabError } from "../../errors.js";
import { cliLog, EXIT, reportError, warn } from "../output.js";
import {
  fileOrGenerated,
  ipv6Option,
  nameOption,
  natOption,
  prefixOption,
  switchOption,
  topoOption,
} from "../target.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "print the operations `up` would perform, as the equivalent shell script of ip/ovs-vsctl lines",
    )
    .argument("[file]", "topology file")
    .addOption(topoOption())
    .addOption(switchOption())
    .addOption(ipv6Option())
    .addOption(natOption())
    .option("--json", "print the operations as JSON")
    .addOption(nameOption())
    .addOption(prefixOption())
    .action(async (file, opts) => {
      const t = await fileOrGenerated(file, { ...opts, log: cliLog });
      const plan = await planForHost(t);
      process.stdout.write(opts.json ? plan.toJson() : plan.toShell());
      for (const w of plan.limits.warnings) warn(`${w.message}\n  hint: ${w.hint}`);
      for (const e of plan.limits.errors)
        reportError(new NslabError("E_ENV", `${e.message} (up would refuse)`, { hint: e.hint }));
      if (plan.limits.errors.length > 0) process.exitCode = EXIT.failed;
    });
}
