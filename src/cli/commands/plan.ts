/** `nslab plan FILE|--topo SPEC`: print what `up` would do, as a runnable shell script (or JSON), and the host limits it would hit. */
import type { Command } from "@commander-js/extra-typings";
import { planForHost } from "../../engine/plan.js";
import { formatProblem, NslabError, TopologyError } from "../../errors.js";
import type { Topology } from "../../model/types.js";
import { cliLog, EXIT, reportError, warn } from "../output.js";
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
  wantsJson,
} from "../target.js";

export function registerPlan(program: Command): void {
  const cmd = program
    .command("plan")
    .description(
      "print the operations `up` would perform, as the equivalent shell script of ip/ovs-vsctl lines",
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
    .option("--json", "print the operations as JSON")
    .addOption(formatOption())
    .addOption(nameOption())
    .addOption(prefixOption());
  for (const o of spreadOptions()) cmd.addOption(o);
  cmd.action(async (arg, opts) => {
    const t = await fileOrGenerated(fileArgument(arg, opts.topology), { ...opts, log: cliLog });
    if (t.hosts) {
      await planSpread(t, wantsJson(opts));
      return;
    }
    const plan = await planForHost(t);
    process.stdout.write(wantsJson(opts) ? plan.toJson() : plan.toShell());
    for (const w of plan.limits.warnings) warn(`${w.message}\n  hint: ${w.hint}`);
    for (const w of plan.frr?.warnings ?? []) warn(formatProblem(w));
    for (const e of plan.limits.errors)
      reportError(new NslabError("E_ENV", `${e.message} (up would refuse)`, { hint: e.hint }));
    if (plan.limits.errors.length > 0) process.exitCode = EXIT.failed;
    // FRR's problems (not installed, a file unreadable, a line vtysh -C refuses): up would refuse.
    if (plan.frr && plan.frr.problems.length > 0)
      process.exitCode = reportError(new TopologyError(plan.frr.problems));
  });
}

/** The plan of a lab spread over machines: the machines and tunnels, then each machine's script. */
async function planSpread(t: Topology, json: boolean): Promise<void> {
  const { planMulti } = await import("../../engine/multi/plan.js");
  const p = await planMulti(t, { log: cliLog });
  if (json) {
    const hosts = p.hosts.map((h) => ({
      name: h.host,
      ssh: h.ssh,
      reached: h.reached,
      operations: h.operations,
    }));
    const tunnels = p.plan.tunnels.map((x) => ({
      a: {
        host: x.a.host,
        endpoint: `${x.a.end.node}:${x.a.end.iface}`,
        dev: x.a.dev,
        underlayMtu: x.a.underlayMtu,
      },
      b: {
        host: x.b.host,
        endpoint: `${x.b.end.node}:${x.b.end.iface}`,
        dev: x.b.dev,
        underlayMtu: x.b.underlayMtu,
      },
      vni: x.vni,
      port: x.port,
      mtu: x.mtu,
    }));
    process.stdout.write(
      `${JSON.stringify({ lab: t.name, hosts, tunnels, errors: p.errors, warnings: p.warnings }, null, 2)}\n`,
    );
  } else {
    const out = ["#!/bin/sh", ...p.summary.map((l) => `# ${l}`)];
    for (const h of p.hosts)
      out.push(
        "",
        `# ==== host ${h.host} (${h.ssh})${h.reached ? "" : " — not reached: planned here, with assumptions"} ====`,
        ...h.shell.split("\n").filter((l) => l !== "#!/bin/sh"),
      );
    process.stdout.write(`${out.join("\n").trimEnd()}\n`);
  }
  for (const w of p.warnings) warn(w);
  for (const h of p.hosts) {
    for (const w of h.limits.warnings) warn(`host ${h.host}: ${w.message}\n  hint: ${w.hint}`);
    for (const e of h.limits.errors)
      reportError(
        new NslabError("E_ENV", `host ${h.host}: ${e.message} (up would refuse)`, { hint: e.hint }),
      );
  }
  for (const e of p.errors) reportError(new NslabError("E_ENV", `${e} (up would refuse)`));
  if (p.errors.length > 0 || p.hosts.some((h) => h.limits.errors.length > 0)) process.exitCode = EXIT.failed;
}
