/** `nslab ping FILE|LAB`: ping every address pair sharing a subnet; a matrix; exit 1 on loss. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { ping } from "../../lab/functions.js";
import { ALL_PAIRS_MAX, DEFAULT_SAMPLE, type PairPolicy, type PingReport } from "../../lab/ping.js";
import type { PingResult } from "../../verify/ping-result.js";
import { out as pc } from "../colour.js";
import { cliLog, EXIT, info } from "../output.js";
import { progress } from "../progress.js";
import { Table } from "../table.js";
import { formatOption, labOf, resolveTarget, wantsJson } from "../target.js";

export function registerPing(program: Command): void {
  program
    .command("ping")
    .description(
      "ping pairs of addresses that share a subnet, from inside the namespaces (exit 1 on any loss): every pair, or for big labs the farthest pair and a sample",
    )
    .argument("<target>", "topology file or lab name")
    .option("--json", "machine-readable output")
    .addOption(formatOption())
    .option("--all", `every pair, however many (default: every pair up to ${ALL_PAIRS_MAX})`)
    .option("--farthest", "only the two hosts farthest apart in the topology, both ways")
    .option(
      "--sample <n>",
      `the farthest pair and n sampled pairs (default for bigger labs: ${DEFAULT_SAMPLE})`,
    )
    .option("--timeout <seconds>", "how long each pair may take to answer", "1")
    .option("--parallel <n>", "pings in flight at once (iproute2 backend only: one ping process each)", "16")
    .action(async (arg, opts) => {
      const lab = labOf(await resolveTarget(arg));
      const chosen = [opts.all, opts.farthest, opts.sample !== undefined].filter(Boolean).length;
      if (chosen > 1) throw new NslabError("E_USAGE", "give at most one of --all, --farthest, --sample");
      const policy: PairPolicy = opts.all
        ? "all"
        : opts.farthest
          ? "farthest"
          : opts.sample
            ? "sample"
            : "auto";
      const p = progress(`ping ${lab}`, "pairs");
      let r: PingReport;
      try {
        r = await ping(lab, {
          pairs: policy,
          ...(opts.sample !== undefined ? { sample: positive(opts.sample, "--sample") } : {}),
          waitSeconds: Number(opts.timeout),
          parallel: positive(opts.parallel, "--parallel"),
          onProgress: p.update,
          log: cliLog,
        });
      } finally {
        p.done();
      }
      if (wantsJson(opts)) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        if (r.policy !== "all")
          info(
            `lab '${lab}' has ${r.totalPairs} address pairs on shared subnets; checked ${r.results.length}: ${r.policy === "farthest" ? "the farthest pair, both ways" : "the farthest pair and a sample"} (--all checks every pair)`,
          );
        process.stdout.write(renderMatrix(r.results));
        info(
          `${r.results.length - r.lost}/${r.results.length} pairs answered in ${Math.round(r.durationMs)} ms`,
        );
      }
      if (r.lost > 0) process.exitCode = EXIT.failed;
    });
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new NslabError("E_USAGE", `${what} must be a positive whole number`);
  return n;
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
    if (failed.length === 0) return `all ${results.length} pairs answered\n`;
    const shown = failed
      .slice(0, 50)
      .map(
        (r) =>
          `${pc.red("LOST")} ${r.pair.from} (${r.pair.source}) -> ${r.pair.to} (${r.pair.target}): ${r.error}`,
      );
    if (failed.length > 50) shown.push(`… and ${failed.length - 50} more lost pairs (--json lists them all)`);
    return `${shown.join("\n")}\n`;
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
