#!/usr/bin/env node
/** The `nslab` command: a thin shell over the library; each command lives in commands/. */
import { Command } from "@commander-js/extra-typings";
import { setCommandLog } from "../drivers/runner/index.js";
import { formatArgv } from "../drivers/runner/quote.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerDown } from "./commands/down.js";
import { registerExec } from "./commands/exec.js";
import { registerGenerate } from "./commands/generate.js";
import { registerLink } from "./commands/link.js";
import { registerPing } from "./commands/ping.js";
import { registerPlan } from "./commands/plan.js";
import { registerSchema } from "./commands/schema.js";
import { registerStatus } from "./commands/status.js";
import { registerUp } from "./commands/up.js";
import { registerValidate } from "./commands/validate.js";
import { EXIT, reportError, setQuiet } from "./output.js";

const program = new Command()
  .name("nslab")
  .description("Virtual networks from network namespaces, veth pairs, Linux bridges and Open vSwitch.")
  .version("0.1.0")
  .option("-v, --verbose", "print every external command nslab runs, with its duration")
  .option("-q, --quiet", "print only results and errors")
  .enablePositionalOptions()
  .showHelpAfterError()
  .hook("preAction", (cmd) => {
    const o = cmd.opts();
    if (o.quiet) setQuiet(true);
    if (o.verbose)
      setCommandLog((e) =>
        process.stderr.write(
          `+ ${formatArgv(e.argv)}${e.inputLines ? ` <<${e.inputLines} lines` : ""}${e.exitCode === null ? " &" : ` (${e.durationMs.toFixed(1)} ms, exit ${e.exitCode})`}\n`,
        ),
      );
  });

registerValidate(program);
registerGenerate(program);
registerPlan(program);
registerUp(program);
registerDown(program);
registerStatus(program);
registerExec(program);
registerPing(program);
registerLink(program);
registerDoctor(program);
registerSchema(program);

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  const code = (e as { code?: string }).code;
  if (typeof code === "string" && code.startsWith("commander.")) {
    const exitCode = (e as { exitCode?: number }).exitCode ?? EXIT.invalid;
    process.exit(
      code === "commander.helpDisplayed" || code === "commander.version"
        ? EXIT.ok
        : exitCode === 0
          ? 0
          : EXIT.invalid,
    );
  }
  process.exit(reportError(e));
}
