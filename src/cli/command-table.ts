/**
 * nslab's commands, each in its own module, loaded only when it runs: `nslab down` does not load the
 * YAML parser, the schema library or the other commands' dependencies (a few dozen milliseconds of
 * every run, which matter next to a kernel that tears a lab down in half a second). The bundler
 * (scripts/bundle-cli.mjs) reads this table: it keeps one line of it in a command's own bundle, and
 * from it, at build time, lists every command for the root help (see summaries.ts) and writes down
 * the words shell completion offers.
 */
import { Command, type Option } from "@commander-js/extra-typings";
import type { CliContext } from "./context.js";
import { globalOptions } from "./globals.js";

/** The `nslab` program before any command is added (main.ts; the bundler's summaries start from it too). */
export function newProgram(version: string): Command {
  const program = new Command()
    .name("nslab")
    .description("Virtual networks from network namespaces, veth pairs, Linux bridges and Open vSwitch.")
    .version(version)
    .enablePositionalOptions()
    .showHelpAfterError();
  for (const o of globalOptions()) program.addOption(o as Option);
  return program;
}

export type Register = (p: Command, ctx: CliContext) => void;

export const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./commands/validate.js")).registerValidate,
  generate: async () => (await import("./commands/generate.js")).registerGenerate,
  plan: async () => (await import("./commands/plan.js")).registerPlan,
  up: async () => (await import("./commands/up.js")).registerUp,
  down: async () => (await import("./commands/down.js")).registerDown,
  status: async () => (await import("./commands/status.js")).registerStatus,
  exec: async () => (await import("./commands/exec.js")).registerExec,
  logs: async () => (await import("./commands/logs.js")).registerLogs,
  flows: async () => (await import("./commands/flows.js")).registerFlows,
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
  shell: async () => (await import("./commands/shell.js")).registerShell,
  completion: async () => (await import("./commands/completion.js")).registerCompletion,
  remote: async () => (await import("./commands/remote.js")).registerRemote,
};

/** containerlab's names for the same commands (`clab deploy -t lab.clab.yml`). */
export const ALIASES: Record<string, string> = { deploy: "up", destroy: "down", inspect: "status" };

/**
 * What every command gets once all are added: -v/-q wherever they stand on the line (the program's
 * are read before the command's), and containerlab's names for three of them.
 */
export function finishProgram(program: Command): Command {
  for (const c of program.commands) for (const o of globalOptions()) c.addOption(o as Option);
  for (const [alias, of] of Object.entries(ALIASES))
    program.commands.find((c) => c.name() === of)?.alias(alias);
  return program;
}
