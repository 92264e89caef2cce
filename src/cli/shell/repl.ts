/**
 * The loop of `nslab shell`: at a terminal, a prompt with history (kept in a file) and Tab
 * completion of commands and node names, where Ctrl-C stops the running command and not the shell;
 * with a script on stdin, its lines one after the other, and an exit status a script can use.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { NslabError } from "../../errors.js";
import type { Lab } from "../../lab/handle.js";
import { reportError } from "../output.js";
import { COMMANDS, ExitShell, runCommand, type ShellContext } from "./commands.js";
import { complete, type Vocabulary } from "./words.js";

export interface ShellOptions {
  /** Where the lines typed at the terminal are kept (none: no history file). */
  historyFile?: string;
}

const HISTORY = 1000;

/**
 * Run the shell on `lab` until `exit`, Ctrl-D or the end of the script. Resolves with the exit
 * status: `exit N`'s; else, for a script, that of the last command that failed (0 when none did).
 */
export async function runShell(lab: Lab, options: ShellOptions = {}): Promise<number> {
  return process.stdin.isTTY ? interactive(lab, options) : script(lab);
}

/** Run `line`: its status; an error is said (with its hint) and is the status. */
async function runLine(lab: Lab, line: string, interactive: boolean, signal: AbortSignal): Promise<number> {
  const ctx: ShellContext = {
    lab,
    interactive,
    signal,
    say: (text) => process.stdout.write(`${text}\n`),
    runLine: (l) => runLine(lab, l, interactive, signal),
  };
  try {
    return await runCommand(ctx, line);
  } catch (e) {
    if (e instanceof ExitShell) throw e;
    if (signal.aborted || (e instanceof NslabError && e.code === "E_INTERRUPTED")) {
      process.stderr.write("interrupted\n");
      return 130;
    }
    return reportError(e);
  }
}

/** Lines from stdin, one after the other; Ctrl-C (SIGINT) stops the script with 130. */
async function script(lab: Lab): Promise<number> {
  const stop = new AbortController();
  const onInt = () => stop.abort();
  process.on("SIGINT", onInt);
  let status = 0;
  try {
    for await (const line of createInterface({ input: process.stdin, terminal: false })) {
      const s = await runLine(lab, line, false, stop.signal);
      if (stop.signal.aborted) return 130;
      if (s !== 0) status = s;
    }
    return status;
  } catch (e) {
    if (e instanceof ExitShell) return e.status;
    throw e;
  } finally {
    process.off("SIGINT", onInt);
  }
}

function interactive(lab: Lab, options: ShellOptions): Promise<number> {
  const vocabulary: Vocabulary = {
    commands: Object.keys(COMMANDS),
    nodes: lab.topology.nodes.map((n) => n.name),
    endpoints: lab.topology.nodes.flatMap((n) => n.interfaces.map((i) => `${n.name}:${i.name}`)),
  };
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: `nslab(${lab.name})> `,
    completer: (line: string) => complete(line, vocabulary),
    history: readHistory(options.historyFile),
    historySize: HISTORY,
    removeHistoryDuplicates: true,
  });
  process.stdout.write(
    `lab '${lab.name}': ${vocabulary.nodes.length} nodes (${vocabulary.nodes.slice(0, 8).join(" ")}${vocabulary.nodes.length > 8 ? " …" : ""}); help lists the commands, exit leaves (the lab stays up)\n`,
  );
  return new Promise((resolve) => {
    let status = 0;
    rl.on("SIGINT", () => {
      // Ctrl-C at the prompt drops the line, as in bash.
      rl.write(null, { ctrl: true, name: "u" });
      process.stdout.write("^C\n");
      rl.prompt();
    });
    rl.on("close", () => {
      process.stdout.write("\n");
      resolve(status);
    });
    rl.on("line", (line) => {
      if (line.trim() !== "" && options.historyFile) saveHistory(options.historyFile, line);
      void running(rl, async (signal) => {
        try {
          status = await runLine(lab, line, true, signal);
        } catch (e) {
          if (!(e instanceof ExitShell)) throw e;
          status = e.status;
          rl.removeAllListeners("close");
          rl.close();
          resolve(status);
          return false;
        }
        return true;
      });
    });
    rl.prompt();
  });
}

/**
 * Run `work` with the terminal given to the command: the prompt paused and the terminal out of raw
 * mode, so Ctrl-C is a signal to the command's process group, which nslab turns into an abort of
 * what it runs itself (pings, iperf…) — and ignores otherwise. Then the prompt comes back.
 */
async function running(rl: Interface, work: (signal: AbortSignal) => Promise<boolean>): Promise<void> {
  const stop = new AbortController();
  const onInt = () => stop.abort();
  rl.pause();
  process.stdin.setRawMode?.(false);
  process.on("SIGINT", onInt);
  let again = true;
  try {
    again = await work(stop.signal);
  } finally {
    process.off("SIGINT", onInt);
  }
  if (!again) return;
  process.stdin.setRawMode?.(true);
  rl.resume();
  rl.prompt();
}

function readHistory(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-HISTORY).reverse();
  } catch {
    return []; // no history yet
  }
}

function saveHistory(file: string, line: string): void {
  try {
    appendFileSync(file, `${line}\n`, { mode: 0o600 });
  } catch {
    // a history that cannot be kept is no reason to stop the shell
  }
}
