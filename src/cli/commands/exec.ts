/** `nslab exec LAB NODE -- CMD…`: run a command in a node's namespace (argv, no shell). */
import type { Command } from "@commander-js/extra-typings";
import { execInteractive } from "../../lab/functions.js";
import { cliLog } from "../output.js";

export function registerExec(program: Command): void {
  program
    .command("exec")
    .description("run a command inside a node (its network and mount namespaces; no shell is involved)")
    .argument("<lab>", "lab name")
    .argument("<node>", "namespace node")
    .argument("<command...>", "the command and its arguments (put -- before it)")
    .passThroughOptions()
    .action(async (lab, node, command) => {
      // `--` ends nslab's options; it is not part of the command.
      const argv = command[0] === "--" ? command.slice(1) : command;
      process.exitCode = await execInteractive(lab, node, argv, { log: cliLog });
    });
}
