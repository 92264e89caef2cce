/** `nslab ping FILE|LAB`: ping every address pair sharing a subnet; a matrix; exit 1 on loss. */
import type { Command } from "@commander-js/extra-typings";
import Table from "cli-table3";
import pc from "picocolors";
import { ping } from "../../lab/ping.js";
import type { PingResult } from "../../verify/ping.js";
import { EXIT, info } from "../output.js";
import { labOf, resolveTarget } from "../target.js";

export function registerPing(program: Command): void {
  program
    .command("ping")
    .description(
      "ping every pair of addresses that share a subnet, from inside the namespaces (exit 1 on any loss)",
    )
    .argument("<target>", "topology file or lab name")
    .option("--json", "machine-readable output")
    .option("--parallel <n>", "pings in flight at once", "16")
    .action(async (arg, opts) => {
      const lab = labOf(await resolveTarget(arg));
      const r = await ping(lab, { parallel: Number(opts.parallel) });
      if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        process.stdout.write(renderMatrix(r.results));
        info(
          `${r.results.length - r.lost}/${r.results.length} pairs answered in ${Math.round(r.durationMs)} ms`,
        );
      }
      if (r.lost > 0) process.exitCode = EXIT.failed;
    });
}

/** Sources down, destinations across; for big labs only the failures. */
export function renderMatrix(results: readonly PingResult[]): string {
  if (results.length === 0) return "no address pairs share a subnet: nothing to ping\n";
  const sources = [...new Set(results.map((r) => r.pair.from))];
  const rank = (t: string) => {
    const i = sources.indexOf(t.split(":")[0]!);
    return i < 0 ? sources.length : i;
  };
  const targets = [...new Set(results.map((r) => `${r.pair.to} ${r.pair.target}`))].sort(
    (a, b) => rank(a) - rank(b),
  );
  if (targets.length > 12) {
    const failed = results.filter((r) => !r.ok);
    return failed.length === 0
      ? `all ${results.length} pairs answered\n`
      : `${failed.map((r) => `${pc.red("LOST")} ${r.pair.from} (${r.pair.source}) -> ${r.pair.to} (${r.pair.target}): ${r.error}`).join("\n")}\n`;
  }
  const table = new Table({
    head: ["from \\ to", ...targets.map((t) => t.replace(" ", "\n"))],
    style: { head: [], border: [] },
  });
  for (const s of sources)
    table.push([
      s,
      ...targets.map((t) => {
        const r = results.find((x) => x.pair.from === s && `${x.pair.to} ${x.pair.target}` === t);
        if (!r) return pc.dim("-");
        return r.ok ? pc.green(`ok ${r.rttMs !== undefined ? `${r.rttMs} ms` : ""}`) : pc.red("LOST");
      }),
    ]);
  return `${table.toString()}\n`;
}
