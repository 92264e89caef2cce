/** `nslab exec LAB NODE -- CMD…`: run a command in a node's namespace (argv, no shell). */
import { type Command, Option } from "@commander-js/extra-typings";
import { execInteractive } from "../../lab/functions.js";
import { cliLog } from "../output.js";

export function registerExec(program: Command): void {
  program
    .command("exec")
    .description("run a command inside a node (its network and mount namespaces; no shell is involved)")
    .argument("<lab>", "lab name")
    .argument("<node>", "namespace node")
    .argument("<command...>", "the command and its arguments (put -- before it)")
    .addOption(
      // What a machine of a lab spread over several is asked over ssh: its own part, never the
      // lab of that name this machine may control.
      new Option("--here", "run in this machine's part of a lab spread over machines").hideHelp(),
    )
    .passThroughOptions()
    .action(async (lab, node, command, opts) => {
      // `--` ends nslab's options; it is not part of the command.
      const argv = command[0] === "--" ? command.slice(1) : command;
      process.exitCode = await execInteractive(lab, node, argv, {
        log: cliLog,
        ...(opts.here ? { here: true } : {}),
      });
    });
}
