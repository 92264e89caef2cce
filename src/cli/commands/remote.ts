/**
 * `nslab remote` (internal): run by the controlling nslab over ssh on each machine of a
 * multi-machine lab; speaks JSON lines on stdin/stdout until its input ends. Not for people.
 */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "../context.js";

export function registerRemote(program: Command, ctx: CliContext): void {
  program
    .command("remote", { hidden: true })
    .description(
      "internal: serve the controller of a multi-machine lab over ssh (JSON lines on stdin/stdout)",
    )
    .action(async () => {
      const { serveRemote } = await import("../../lab/remote/serve.js");
      // A lost connection ends our input (the controller's EOF is what counts), not this process.
      process.on("SIGHUP", () => {});
      await serveRemote(process.stdin, process.stdout, { faults: ctx.faults });
    });
}
