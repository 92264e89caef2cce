/** `nslab completion`: scripts written from the commands the CLI has (pure; bash checked with bash -n). */
import { spawnSync } from "node:child_process";
import { Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { commandsOf, completionScript } from "../../../src/cli/commands/completion.js";

const program = new Command().name("nslab");
program
  .command("up")
  .alias("deploy")
  .description("bring a lab up")
  .option("--name <n>")
  .option("-q, --quiet");
program.command("down").description("take it down").option("-a, --all");
const commands = commandsOf(program);

describe("completion scripts", () => {
  it("lists every command with its aliases and options", () => {
    expect(commands).toEqual([
      { names: ["up", "deploy"], options: ["--name", "--quiet", "-q"], description: "bring a lab up" },
      { names: ["down"], options: ["--all", "-a"], description: "take it down" },
    ]);
  });

  it("bash: completes commands, a command's options, and lab names from the state directory", () => {
    const script = completionScript("bash", commands);
    const run = (words: string[]) =>
      spawnSync(
        "bash",
        [
          "-c",
          `${script}\nCOMP_WORDS=(${words.join(" ")}); COMP_CWORD=${words.length - 1}; _nslab; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: "utf8", env: { ...process.env, NSLAB_STATE_DIR: "/nonexistent-nslab-state" } },
      );
    expect(run(["nslab", "de"]).stdout.trim()).toBe("deploy");
    expect(run(["nslab", "deploy", "--n"]).stdout.trim()).toBe("--name");
    expect(run(["nslab", "down", "-"]).stdout.trim().split(" ")).toEqual(["--all", "-a", "--help"]);
  });

  it("fish: one line per command, option and the lab names", () => {
    const script = completionScript("fish", commands);
    expect(script).toContain("complete -c nslab -n __fish_use_subcommand -a deploy -d 'bring a lab up'");
    expect(script).toContain(`complete -c nslab -n "__fish_seen_subcommand_from down" -s a`);
    expect(script).toMatch(/NSLAB_STATE_DIR:-\/run\/nslab/);
  });
});
