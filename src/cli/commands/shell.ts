/** `nslab shell LAB`: Mininet's CLI on a running lab (interactive, or a script on stdin). */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "../context.js";
import { labOf, resolveTarget } from "../target.js";

export function registerShell(program: Command, ctx: CliContext): void {
  program
    .command("shell")
    .description(
      "Mininet's CLI on a running lab: nodes, net, links, dump, pingall, pingpair, iperf, link A B down, h1 ping h2, sh CMD, source FILE; a script on stdin (exit status: the last failure's)",
    )
    .argument("<lab>", "lab name or its topology file")
    .action(async (arg) => {
      process.exitCode = await openShell(labOf(await resolveTarget(arg)), ctx);
    });
}

/** Run the shell on lab `name` (also `up --shell`); its exit status. */
export async function openShell(name: string, ctx: CliContext): Promise<number> {
  const [{ Lab }, { runShell }] = await Promise.all([
    import("../../lab/handle.js"),
    import("../shell/repl.js"),
  ]);
  return runShell(Lab.open(name), { historyFile: ctx.historyFile });
}
