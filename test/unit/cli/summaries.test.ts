/**
 * The root help from stand-ins (src/cli/summaries.ts): a program given the summaries of every
 * command prints the same help, at any width, as one given the commands themselves; and which
 * command lines ask for it.
 */
import { describe, expect, it } from "vitest";
import { COMMANDS, finishProgram, newProgram } from "../../../src/cli/command-table.js";
import { addSummaries, asksRootHelp, summarize } from "../../../src/cli/summaries.js";

async function real() {
  const program = newProgram("1.2.3");
  for (const register of Object.values(COMMANDS))
    (await register())(program, { faults: {}, historyFile: "" });
  return program;
}

describe("the root help from stand-ins", () => {
  it("is the help of the real commands, at every width", async () => {
    const summaries = summarize(await real());
    // Every command the table has, less those the help hides.
    expect(summaries.map((s) => s.name)).toContain("validate");
    expect(summaries.map((s) => s.name)).toContain("completion");
    expect(summaries.length).toBeGreaterThanOrEqual(Object.keys(COMMANDS).length - 2);
    expect(summaries.find((s) => s.name === "exec")?.args).toEqual(["<lab>", "<node>", "<command...>"]);
    const whole = finishProgram(await real());
    const standIns = newProgram("1.2.3");
    addSummaries(standIns, JSON.parse(JSON.stringify(summaries)));
    finishProgram(standIns);
    for (const width of [40, 80, 200]) {
      const help = (p: typeof whole) => {
        p.configureOutput({ getOutHelpWidth: () => width });
        return p.helpInformation();
      };
      expect(help(standIns)).toBe(help(whole));
    }
    expect(whole.helpInformation()).toMatch(/^ {2}up\|deploy \[options\] \[file\] /m);
  });

  it("a stand-in never runs a command", async () => {
    const program = newProgram("1.2.3").exitOverride();
    addSummaries(program, summarize(await real()));
    await expect(program.parseAsync(["node", "nslab", "validate", "x.yaml"])).rejects.toThrow(
      /stand-in for the root help/,
    );
  });

  it.each([
    [[], true],
    [["--help"], true],
    [["-h"], true],
    [["-v", "--help"], true],
    [["help"], true],
    [["help", "-h"], true],
    [["-q", "help"], true],
    [["help", "status"], false],
    [["-h", "status"], true],
    [["--help", "frob"], true],
    [["status", "--help"], false],
    [["status"], false],
    [["frob"], false],
    [["--bogus"], false],
    [["-V"], false],
  ])("command line %j asks for the root help: %s", (args, expected) => {
    expect(asksRootHelp(args)).toBe(expected);
  });
});
