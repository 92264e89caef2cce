/** The `nslab` command: a thin shell over the library; each command lives in commands/. */
import { readFileSync } from "node:fs";
import { FAULTS_ENV, parseFaults } from "../engine/options.js";
import { NslabError } from "../errors.js";
import { ALIASES, COMMANDS, finishProgram, newProgram } from "./command-table.js";
import type { CliContext } from "./context.js";
import { EXIT, reportError, setQuiet } from "./output.js";
import { addSummaries, asksRootHelp, type CommandSummary, type CommandWords } from "./summaries.js";

/** Every command as the root help lists it, put in by the bundler (scripts/bundle-cli.mjs); none unbundled. */
declare const __NSLAB_SUMMARIES__: CommandSummary[] | undefined;
/** The same for shell completion: every command's names and options. */
declare const __NSLAB_COMMAND_WORDS__: CommandWords[] | undefined;

// A reader that goes away (`nslab generate … | head -1`) ends the command quietly, as the end of
// its output would; stderr closed under us is no reason to stop a lab half-way.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(EXIT.ok);
  throw e;
});
process.stderr.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
});

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = newProgram(version);

/** Commands that change or observe labs in the kernel: as another user they say so first. */
const NEEDS_ROOT = new Set([
  "up",
  "down",
  "status",
  "exec",
  "ping",
  "test",
  "link",
  "iperf",
  "capture",
  "web",
  "shell",
]);

program.hook("preAction", async (_, action) => {
  const o = { ...program.opts(), ...action.opts() } as { verbose?: boolean; quiet?: boolean };
  if (o.quiet) setQuiet(true);
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0 && NEEDS_ROOT.has(action.name()))
    throw new NslabError("E_ENV", `nslab ${action.name()} must run as root (this is uid ${uid})`, {
      hint: `run it as root, e.g. sudo nslab ${action.name()} …: labs are namespaces and interfaces in the kernel, recorded in /run/nslab`,
    });
  if (!o.verbose) return;
  const [{ setCommandLog }, { formatArgv }] = await Promise.all([
    import("../engine/command-log.js"),
    import("../util/quote.js"),
  ]);
  setCommandLog((e) =>
    process.stderr.write(
      `+ ${formatArgv(e.argv)}${e.inputLines ? ` <<${e.inputLines} lines` : ""}${e.exitCode === null ? ` & (at ${e.startedMs.toFixed(1)} ms)` : ` (${e.durationMs.toFixed(1)} ms, exit ${e.exitCode}; at ${e.startedMs.toFixed(1)} ms)`}\n`,
    ),
  );
});

program.exitOverride();

/** Parse the command line and run the command (no top-level await: the command is bundled as CommonJS, see scripts/bundle-cli.mjs). */
async function main(): Promise<void> {
  try {
    // The composition root: what every command gets from the environment is read here, once.
    const words = typeof __NSLAB_COMMAND_WORDS__ === "undefined" ? undefined : __NSLAB_COMMAND_WORDS__;
    const ctx: CliContext = {
      faults: parseFaults(process.env[FAULTS_ENV]),
      historyFile: process.env.NSLAB_HISTORY ?? `${process.env.HOME ?? "/root"}/.nslab_history`,
      ...(words === undefined ? {} : { commandWords: words }),
    };
    const first = process.argv.slice(2).find((a) => !a.startsWith("-"));
    const name = first !== undefined ? (ALIASES[first] ?? first) : undefined;
    const version = first === undefined && process.argv.some((a) => a === "-V" || a === "--version");
    // One command's module, except for the root help and unbundled `completion` (which list every
    // command: bundled, from stand-ins made at build time, see summaries.ts); none for --version.
    const rootHelp = asksRootHelp(process.argv.slice(2));
    const one =
      !rootHelp &&
      name !== undefined &&
      Object.hasOwn(COMMANDS, name) &&
      (name !== "completion" || words !== undefined);
    const summaries = typeof __NSLAB_SUMMARIES__ === "undefined" ? undefined : __NSLAB_SUMMARIES__;
    if (rootHelp && summaries !== undefined) addSummaries(program, summaries);
    else
      for (const n of one ? [name] : version ? [] : Object.keys(COMMANDS))
        (await COMMANDS[n]!())(program as never, ctx);
    finishProgram(program);
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
}

void main();
