/** `nslab plan FILE|--topo SPEC`: print what `up` would do, as a runnable shell script (or JSON), and the host limits it would hit. */
import type { Command } from "@commander-js/extra-typings";
import { planForHost } from "../../engine/plan.js";
import { formatProblem, NslabError, TopologyError } from "../../errors.js";
import { cliLog, EXIT, reportError, warn } from "../output.js";
import {
  arpOption,
  controllerOption,
  fileArgument,
  fileOrGenerated,
  formatOption,
  ipv6Option,
  macOption,
  nameOption,
  natOption,
  prefixOption,
  switchOption,
  topologyFileOption,
  topoOption,
  wantsJson,
} from "../target.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "print the operations `up` would perform, as the equivalent shell script of ip/ovs-vsctl lines",
    )
    .argument("[file]", "topology file (- for stdin)")
    .addOption(topologyFileOption())
    .addOption(topoOption())
    .addOption(switchOption())
    .addOption(controllerOption())
    .addOption(macOption())
    .addOption(arpOption())
    .addOption(ipv6Option())
    .addOption(natOption())
    .option("--json", "print the operations as JSON")
    .addOption(formatOption())
    .addOption(nameOption())
    .addOption(prefixOption())
    .action(async (arg, opts) => {
      const t = await fileOrGenerated(fileArgument(arg, opts.topology), { ...opts, log: cliLog });
      const plan = await planForHost(t);
      process.stdout.write(wantsJson(opts) ? plan.toJson() : plan.toShell());
      for (const w of plan.limits.warnings) warn(`${w.message}\n  hint: ${w.hint}`);
      for (const w of plan.frr?.warnings ?? []) warn(formatProblem(w));
      for (const e of plan.limits.errors)
        reportError(new NslabError("E_ENV", `${e.message} (up would refuse)`, { hint: e.hint }));
      if (plan.limits.errors.length > 0) process.exitCode = EXIT.failed;
      // FRR's problems (not installed, a file unreadable, a line vtysh -C refuses): up would refuse.
      if (plan.frr && plan.frr.problems.length > 0)
        process.exitCode = reportError(new TopologyError(plan.frr.problems));
    });
}
