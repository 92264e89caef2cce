/** `nslab doctor [--install]`: check and explain what this host can do; install what is missing. */
import type { Command } from "@commander-js/extra-typings";
import { type Check, installMissing, runDoctor } from "../../engine/doctor.js";
import { out as pc } from "../colour.js";
import { EXIT, info } from "../output.js";
import { formatOption, wantsJson } from "../target.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check root, programs, OVS, TUN, the OVS kernel datapath, netem and bridge VLAN filtering")
    .option("--install", "install missing Debian packages with apt-get")
    .option("--json", "machine-readable output")
    .addOption(formatOption())
    .action(async (opts) => {
      let checks = await runDoctor();
      if (opts.install) {
        const installed = await installMissing(checks, undefined, info);
        if (installed.length > 0) checks = await runDoctor();
        else info("nothing to install");
      }
      if (wantsJson(opts)) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      else process.stdout.write(render(checks));
      if (checks.some((c) => c.status === "missing")) process.exitCode = EXIT.failed;
    });
}

function render(checks: Check[]): string {
  const mark = { ok: pc.green("ok     "), warn: pc.yellow("warn   "), missing: pc.red("MISSING") };
  return `${checks
    .map(
      (c) =>
        `${mark[c.status]} ${c.name}: ${c.detail}${c.fix && c.status !== "ok" ? `\n        fix: ${c.fix}` : ""}`,
    )
    .join("\n")}\n`;
}
