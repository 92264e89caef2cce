/**
 * The root help (`nslab`, `nslab --help`, `nslab help`) without loading every command: the bundler
 * (scripts/bundle-cli.mjs) registers them all once at build time and keeps what the root help shows
 * of each (its name, alias, arguments, description and group); at run time each becomes a stand-in
 * command that commander lists exactly as it would the real one. Loading the 22 commands' modules
 * was most of `nslab --help` (~0.1 s); any other command line still loads the command it names.
 * The same build writes down every command's words for shell completion (`CommandWords`).
 */
import { type Command, Help } from "@commander-js/extra-typings";
import { globalOptions } from "./globals.js";

/** What the root help shows of one command. */
export interface CommandSummary {
  name: string;
  /** Its first alias (the root help shows that one). */
  alias?: string;
  /** Its arguments as help writes them: `<lab>`, `[file]`, `<command...>`. */
  args: string[];
  /** `summary()` when it has one, else its description: what the root help lists. */
  description: string;
  group?: string;
}

/** A command's names (its aliases too) and long and short options: what shell completion offers. */
export interface CommandWords {
  names: string[];
  options: string[];
  description: string;
}

/** The commands of `program` as its root help lists them (the implicit `help` command aside). */
export function summarize(program: Command): CommandSummary[] {
  const help = new Help();
  return help
    .visibleCommands(program as never)
    .filter((c) => program.commands.includes(c as never))
    .map((c) => ({
      name: c.name(),
      ...(c.aliases()[0] === undefined ? {} : { alias: c.aliases()[0] }),
      args: c.registeredArguments.map((a) => {
        const name = `${a.name()}${a.variadic ? "..." : ""}`;
        return a.required ? `<${name}>` : `[${name}]`;
      }),
      description: help.subcommandDescription(c as never),
      ...(c.helpGroup() === "" ? {} : { group: c.helpGroup() }),
    }));
}

/**
 * Stand-ins for the commands `summaries` describes, added to `program`: listed by its help as the
 * real ones are (with the global options main.ts gives every command, help writes `[options]`),
 * never run (only a line that asks for the root help adds them).
 */
export function addSummaries(program: Command, summaries: readonly CommandSummary[]): void {
  for (const s of summaries) {
    const c = program.command(s.name).description(s.description);
    if (s.alias !== undefined) c.alias(s.alias);
    for (const a of s.args) c.argument(a);
    if (s.group !== undefined) c.helpGroup(s.group);
    c.action(() => {
      throw new Error(`nslab ${s.name}: a stand-in for the root help was run`);
    });
  }
}

/**
 * Whether the command line (after `nslab`) asks for the root help: `nslab`, `help` alone, or
 * `--help`/`-h` before any command (`nslab -h status` is the root help, as commander reads it), with
 * -v/-q anywhere.
 */
export function asksRootHelp(args: readonly string[]): boolean {
  const rest = args.filter((a) => !GLOBAL_FLAGS.has(a));
  const isHelp = (a: string | undefined) => a === "-h" || a === "--help";
  if (rest.length === 0) return true;
  if (rest[0] === "help") return rest.slice(1).every(isHelp);
  return isHelp(rest[0]);
}

/** -v, --verbose, -q, --quiet: what globals.ts gives every command. */
const GLOBAL_FLAGS = new Set(
  globalOptions().flatMap((o) => [o.short, o.long].filter((f) => f !== undefined)),
);
