#!/usr/bin/env node
/** The `nslab` command: a thin shell over the library; each command lives in commands/. */
import { Command } from "@commander-js/extra-typings";
import { FAULTS_ENV, parseFaults } from "../engine/options.js";
import type { CliContext } from "./context.js";
import { EXIT, reportError, setQuiet } from "./output.js";

const program = new Command()
  .name("nslab")
  .description("Virtual networks from network namespaces, veth pairs, Linux bridges and Open vSwitch.")
  .version("0.1.0")
  .option("-v, --verbose", "print every external command nslab runs, with its duration")
  .option("-q, --quiet", "print only results and errors")
  .enablePositionalOptions()
  .showHelpAfterError()
  .hook("preAction", async (cmd) => {
    const o = cmd.opts();
    if (o.quiet) setQuiet(true);
    if (!o.verbose) return;
    const [{ setCommandLog }, { formatArgv }] = await Promise.all([
      import("../engine/command-log.js"),
      import("../util/quote.js"),
    ]);
    setCommandLog((e) =>
      process.stderr.write(
        `+ ${formatArgv(e.argv)}${e.inputLines ? ` <<${e.inputLines} lines` : ""}${e.exitCode === null ? " &" : ` (${e.durationMs.toFixed(1)} ms, exit ${e.exitCode})`}\n`,
      ),
    );
  });

/**
 * Each command in its own module, loaded only when it runs: `nslab down` does not load the YAML
 * parser, the schema library or the other commands' dependencies (a few dozen milliseconds of every
 * run, which matter next to a kernel that tears a lab down in half a second). Help lists them all.
 */
type Register = (p: typeof program, ctx: CliContext) => void;
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./commands/validate.js")).registerValidate,
  generate: async () => (await import("./commands/generate.js")).registerGenerate,
  plan: async () => (await import("./commands/plan.js")).registerPlan,
  up: async () => (await import("./commands/up.js")).registerUp,
  down: async () => (await import("./commands/down.js")).registerDown,
  status: async () => (await import("./commands/status.js")).registerStatus,
  exec: async () => (await import("./commands/exec.js")).registerExec,
  ping: async () => (await import("./commands/ping.js")).registerPing,
  test: async () => (await import("./commands/test.js")).registerTest,
  link: async () => (await import("./commands/link.js")).registerLink,
  iperf: async () => (await import("./commands/iperf.js")).registerIperf,
  capture: async () => (await import("./commands/capture.js")).registerCapture,
  import: async () => (await import("./commands/import.js")).registerImport,
  graph: async () => (await import("./commands/graph.js")).registerGraph,
  web: async () => (await import("./commands/web.js")).registerWeb,
  doctor: async () => (await import("./commands/doctor.js")).registerDoctor,
  schema: async () => (await import("./commands/schema.js")).registerSchema,
};
program.exitOverride();
try {
  // The composition root: what every command gets from the environment is read here, once.
  const ctx: CliContext = { faults: parseFaults(process.env[FAULTS_ENV]) };
  const first = process.argv.slice(2).find((a) => !a.startsWith("-"));
  const version = first === undefined && process.argv.some((a) => a === "-V" || a === "--version");
  const wanted =
    first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : version ? [] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program, ctx);
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
