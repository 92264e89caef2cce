/**
 * FRR configurations checked by the host's FRR before a lab starts: `vtysh -C` (its dry run, which
 * needs no daemon and writes nothing) over every router's configuration at once, each refused line
 * mapped back to its router and file. A user's frr.conf that this FRR does not accept, or a
 * configuration nslab wrote that a newer FRR changed the syntax of (IPMininet #100, #112), is
 * caught here with its line, not found later as a router that never converges.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLocation, type Problem, type SourceLocation } from "../../errors.js";
import type { Runner, RunResult } from "../runner/index.js";

/** One router's configuration. */
export interface ConfigToCheck {
  router: string;
  text: string;
  /** The user's file it came from (absolute path); absent for configurations nslab writes. */
  file?: string;
  /** Where the topology names it (the `frr:` of the router). */
  src?: SourceLocation;
}

/** Problems with the configurations (empty when this FRR accepts every line). */
export async function checkConfigs(
  runner: Runner,
  vtysh: string,
  version: string | undefined,
  configs: readonly ConfigToCheck[],
): Promise<Problem[]> {
  if (configs.length === 0) return [];
  const starts: number[] = [];
  let line = 1;
  const parts: string[] = [];
  for (const c of configs) {
    starts.push(line);
    const text = c.text.endsWith("\n") ? c.text : `${c.text}\n`;
    parts.push(text);
    line += text.split("\n").length - 1;
  }
  // A file of its own: vtysh cannot open /dev/stdin when it is a socket (as the runner's pipes are).
  const dir = await mkdtemp(join(tmpdir(), "nslab-frr-"));
  const file = join(dir, "frr.conf");
  let r: RunResult;
  try {
    await writeFile(file, parts.join(""), { mode: 0o600 });
    r = await runner.run([vtysh, "-C", "-f", file], { allowFailure: true, timeoutMs: 60_000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (r.exitCode === 0) return [];
  const frr = `FRR${version ? ` ${version}` : ""}`;
  const problems: Problem[] = [];
  for (const m of `${r.stdout}\n${r.stderr}`.matchAll(/^line (\d+): (.*)$/gm)) {
    const n = Number(m[1]);
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > n) i--;
    const c = configs[i]!;
    const at = n - starts[i]! + 1;
    const what = m[2]!.replace(/^%\s*/, "").replace(/\s+/g, " ").trim();
    if (c.file)
      problems.push({
        message: `router '${c.router}': this host's ${frr} does not accept line ${at} of its frr.conf: ${what}`,
        location: { file: c.file, line: at, column: 1, path: [] },
        hint: `fix the line (checked with vtysh -C)${c.src ? `; the file is named at ${formatLocation(c.src)}` : ""}`,
      });
    else
      problems.push({
        message: `router '${c.router}': this host's ${frr} does not accept line ${at} of the configuration nslab wrote: ${what}`,
        location: c.src,
        hint: "this is nslab's fault with this FRR version: please report it (nslab plan shows the configuration)",
      });
  }
  if (problems.length === 0)
    problems.push({
      message: `vtysh -C could not check the FRR configurations (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
      location: configs[0]!.src,
      hint: "check the host's FRR installation (nslab doctor)",
    });
  return problems;
}
