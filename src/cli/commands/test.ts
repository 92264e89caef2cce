/** `nslab test FILE|LAB`: run the lab's expectations and the subnet ping matrix; a table; exit 1 on failure. */
import { writeFileSync } from "node:fs";
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { type TestReport, testLab } from "../../lab/test.js";
import type { CheckResult } from "../../verify/checks.js";
import { renderJunit } from "../../verify/junit.js";
import { out as pc } from "../colour.js";
import { cliLog, EXIT, info } from "../output.js";
import {
  fileArgument,
  formatOption,
  nameOption,
  prefixOption,
  resolveTarget,
  topologyFileOption,
  waitChoice,
  wantsJson,
} from "../target.js";

export function registerTest(program: Command): void {
  program
    .command("test")
    .description(
      "check the lab's `expect:` section (reachable and unreachable pairs, ICMP and TCP) and the subnet ping matrix; exit 1 on any failure",
    )
    .argument("[target]", "topology file (brought up for the test when it is not up) or lab name")
    .addOption(topologyFileOption())
    .option("--json", "print the report as JSON")
    .addOption(formatOption())
    .option("--junit <file>", "also write the report as JUnit XML")
    .option("--parallel <n>", "probes in flight at once", "16")
    .option("--no-matrix", "only the expectations, not the subnet ping matrix")
    .option("--keep", "leave a lab that `test` brought up running")
    .option(
      "--wait <seconds>",
      "labs whose routers run FRR: how long to wait for routing to converge before checking (default 120)",
    )
    .option("--no-wait", "labs whose routers run FRR: check at once, without waiting for routing")
    .addOption(nameOption())
    .addOption(prefixOption())
    .action(async (positional, opts) => {
      const arg = fileArgument(positional, opts.topology);
      if (arg === undefined)
        throw new NslabError("E_USAGE", "give a topology file or a lab name", {
          hint: "nslab test lab.yaml",
        });
      const parallel = Number(opts.parallel);
      if (!Number.isInteger(parallel) || parallel < 1)
        throw new NslabError("E_USAGE", `--parallel must be a positive integer, not '${opts.parallel}'`);
      const target = await resolveTarget(arg, { ...opts, log: cliLog });
      const report = await testLab(target.kind === "file" ? target.topology : target.lab, {
        log: cliLog,
        parallel,
        matrix: opts.matrix,
        ...(opts.keep ? { keep: true } : {}),
        ...waitChoice(opts.wait),
      });
      if (opts.junit)
        writeFileSync(
          opts.junit,
          renderJunit(report.lab, report.results, {
            timestamp: report.startedAt,
            durationMs: report.durationMs,
          }),
        );
      if (wantsJson(opts)) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderReport(report));
      if (report.failed > 0) process.exitCode = EXIT.failed;
      else if (report.results.length === 0) info("nothing to check: no expectations and no address pairs");
    });
}

/** The report, one line per check: every expectation; the ping matrix in full when small, else its failures. */
export function renderReport(r: TestReport): string {
  const expect = r.results.filter((x) => x.group === "expect");
  const pings = r.results.filter((x) => x.group === "ping");
  const shownPings = pings.length > 24 ? pings.filter((x) => !x.ok) : pings;
  const label = (x: CheckResult) => (x.group === "ping" ? `ping ${x.name}` : x.name);
  const width = Math.min(48, Math.max(0, ...[...expect, ...shownPings].map((x) => label(x).length)));
  const line = (x: CheckResult) => {
    const verdict = x.ok ? pc.green("PASS") : pc.red("FAIL");
    const why = x.ok
      ? x.detail
      : `expected ${x.expect}, but ${x.reachable ? "reachable" : "unreachable"}: ${x.detail}`;
    return `${verdict}  ${label(x).padEnd(width)}  ${x.ok ? pc.dim(why) : why}`;
  };
  const lines: string[] = [];
  if (expect.length > 0) lines.push(pc.bold("expectations"), ...expect.map(line));
  if (pings.length > 0) {
    lines.push(pc.bold(`subnet ping matrix (${pings.length} pairs)`), ...shownPings.map(line));
    if (shownPings.length < pings.length)
      lines.push(`      ${pings.length - shownPings.length} of ${pings.length} pairs answered (not listed)`);
  }
  const summary = `${r.passed}/${r.results.length} checks passed (${expect.length} expectation${expect.length === 1 ? "" : "s"}, ${pings.length} ping pair${pings.length === 1 ? "" : "s"}) in ${r.durationMs < 1000 ? `${Math.round(r.durationMs)} ms` : `${(r.durationMs / 1000).toFixed(1)} s`}`;
  lines.push(r.failed > 0 ? pc.red(`${summary}; ${r.failed} failed`) : pc.green(summary));
  return `${lines.join("\n")}\n`;
}
