/** `nslab up FILE|--topo SPEC`: create a lab; on failure undo what was created and say what failed and where. */
import type { Command } from "@commander-js/extra-typings";
import { up } from "../../engine/up.js";
import type { CliContext } from "../context.js";
import { cliLog, info } from "../output.js";
import { progress } from "../progress.js";
import {
  arpOption,
  controllerOption,
  fileArgument,
  fileOrGenerated,
  formatOption,
  ipv6Option,
  macOption,
  nameOption,
  natOption,
  prefixOption,
  spreadOptions,
  switchOption,
  topologyFileOption,
  topoOption,
  waitChoice,
  wantsJson,
} from "../target.js";

export function registerUp(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("up")
    .description(
      "create the lab described by a topology file, or a generated one (--topo); on a running lab, change it to match the file, or (the same file) restore what is missing and start its failed services again",
    )
    .argument("[file]", "topology file (- for stdin)")
    .addOption(topologyFileOption())
    .addOption(topoOption())
    .addOption(switchOption())
    .addOption(controllerOption())
    .addOption(macOption())
    .addOption(arpOption())
    .addOption(ipv6Option())
    .addOption(natOption())
    .addOption(nameOption())
    .addOption(prefixOption())
    .option("--json", "what was done, as JSON on stdout (see docs/cli.md)")
    .option("--shell", "then open `nslab shell` on the lab, as Mininet's mn does (the lab stays up after)")
    .option(
      "--wait <seconds>",
      "labs whose routers run FRR: how long to wait for routing to converge before failing (default 120)",
    )
    .option("--no-wait", "labs whose routers run FRR: return once the daemons are started")
    .addOption(formatOption());
  for (const o of spreadOptions()) cmd.addOption(o);
  cmd.action(async (arg, opts) => {
    const file = fileArgument(arg, opts.topology);
    const t = await fileOrGenerated(file, { ...opts, log: cliLog });
    const wait = waitChoice(opts.wait);
    const p = progress(`up ${t.name}`);
    try {
      const r = await up(t, { log: cliLog, onProgress: p.update, faults: ctx.faults, ...wait });
      p.done();
      if (wantsJson(opts)) {
        const action = r.alreadyUp
          ? "unchanged"
          : r.repaired
            ? "repaired"
            : r.updated
              ? "changed"
              : "created";
        const { lab, ...rest } = r;
        process.stdout.write(
          `${JSON.stringify({ lab, action, nodes: t.nodes.length, links: t.links.length, ...rest }, null, 2)}\n`,
        );
      } else if (r.alreadyUp)
        info(
          r.startedOvs
            ? `lab '${t.name}' is up (Open vSwitch, which had stopped, was started again)`
            : `lab '${t.name}' is already up (nothing to do)`,
        );
      else if (r.hosts) {
        const hostOf = new Map(t.nodes.map((n) => [n.name, n.host]));
        const crossing = t.links.filter((l) => hostOf.get(l.a.node) !== hostOf.get(l.b.node)).length;
        info(
          `lab '${t.name}' is up on ${count(r.hosts.length, "machine")}: ${count(t.nodes.length, "node")}, ${count(t.links.length, "link")} (${crossing} between machines), ${count(r.operations, "operation")} in ${Math.round(r.durationMs)} ms`,
        );
        for (const h of r.hosts)
          info(
            `  ${h.name} (${h.ssh}): ${count(h.operations, "operation")} in ${Math.round(h.durationMs)} ms`,
          );
      } else if (r.repaired) {
        const restarted = r.restartedServices ?? [];
        if (r.operations > 0)
          info(
            `lab '${t.name}' was missing parts: restored in place (${r.operations} operations in ${Math.round(r.durationMs)} ms)`,
          );
        if (restarted.length > 0)
          info(
            `lab '${t.name}': ${count(restarted.length, "service")} started again (${restarted.join(", ")}) in ${Math.round(r.durationMs)} ms`,
          );
      } else if (r.updated)
        info(
          `lab '${t.name}' was changed in place to match ${file ?? `--topo ${opts.topo}`}: ${r.operations} operations in ${Math.round(r.durationMs)} ms`,
        );
      else
        info(
          `lab '${t.name}' is up: ${count(t.nodes.length, "node")}, ${count(t.links.length, "link")}, ${count(r.operations, "operation")} in ${Math.round(r.durationMs)} ms`,
        );
    } catch (e) {
      p.done();
      throw e;
    }
    if (opts.shell) process.exitCode = await (await import("./shell.js")).openShell(t.name, ctx);
  });
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
