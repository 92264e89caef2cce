/**
 * `nslab completion bash|zsh|fish`: a shell completion script, written from the commands and
 * options the CLI has (so it stays true as they change: the bundler writes them down at build time,
 * so that a shell's start does not load every command); lab names come from the state directory
 * when the user presses Tab.
 */
import { Argument, type Command } from "@commander-js/extra-typings";
import type { CliContext } from "../context.js";
import type { CommandWords } from "../summaries.js";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

export function registerCompletion(program: Command, ctx: Pick<CliContext, "commandWords"> = {}): void {
  program
    .command("completion")
    .description('print a completion script: eval "$(nslab completion bash)" (or zsh; fish: | source)')
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
    .action((shell) => {
      process.stdout.write(completionScript(shell, ctx.commandWords ?? commandsOf(program)));
    });
}

/** What completion offers for each command of `program`. */
export function commandsOf(program: Command): CommandWords[] {
  return program.commands
    .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
    .map((c) => ({
      names: [c.name(), ...c.aliases()],
      options: c.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x)),
      description: c.description(),
    }));
}

/** Where lab records live (the shell lists them at Tab time). */
const LABS = `"\${NSLAB_STATE_DIR:-/run/nslab}/labs"`;

/** The completion script for `shell` (pure). */
export function completionScript(shell: Shell, commands: CommandWords[]): string {
  if (shell === "fish") return fish(commands);
  const names = commands.flatMap((c) => c.names).join(" ");
  const cases = commands.map((c) => `    ${c.names.join("|")}) opts="${c.options.join(" ")}" ;;`).join("\n");
  const bash = `_nslab() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts="" labs=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names} --help --version" -- "$cur")); return
  fi
  case "$cmd" in
${cases}
  esac
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$opts --help" -- "$cur")); return ;;
  esac
  labs=$(ls ${LABS} 2>/dev/null | sed -n 's/\\.json$//p')
  COMPREPLY=($(compgen -W "$labs" -- "$cur") $(compgen -f -- "$cur"))
}
`;
  if (shell === "bash")
    return `# nslab completion for bash: eval "$(nslab completion bash)"\n${bash}complete -o filenames -F _nslab nslab\n`;
  return `# nslab completion for zsh: eval "$(nslab completion zsh)"\nautoload -U +X bashcompinit && bashcompinit\n${bash}complete -o filenames -F _nslab nslab\n`;
}

function fish(commands: CommandWords[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const lines = ["# nslab completion for fish: nslab completion fish | source", "complete -c nslab -f"];
  for (const c of commands)
    for (const n of c.names)
      lines.push(`complete -c nslab -n __fish_use_subcommand -a ${n} -d ${q(c.description.slice(0, 60))}`);
  for (const c of commands) {
    const when = `"__fish_seen_subcommand_from ${c.names.join(" ")}"`;
    for (const o of c.options)
      lines.push(
        o.startsWith("--")
          ? `complete -c nslab -n ${when} -l ${o.slice(2)}`
          : `complete -c nslab -n ${when} -s ${o.slice(1)}`,
      );
  }
  lines.push(
    `complete -c nslab -n "not __fish_use_subcommand" -a "(ls ${LABS} 2>/dev/null | string replace -r '\\.json\\$' '')" -F`,
  );
  return `${lines.join("\n")}\n`;
}
