/** `nslab generate --topo SPEC`: print a Mininet-style generated topology as a YAML file. */
import type { Command } from "@commander-js/extra-typings";
import { generatedYaml, generateTopology } from "../../sources/mininet/index.js";
import {
  arpOption,
  controllerOption,
  formatOption,
  generateOptions,
  ipv6Option,
  macOption,
  nameOption,
  natOption,
  switchOption,
  topoOption,
  wantsJson,
} from "../target.js";

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description(
      "print a Mininet-style topology as YAML: single,K | linear,K[,N] | tree,depth=D,fanout=F | torus,X,Y",
    )
    .addOption(topoOption().makeOptionMandatory())
    .addOption(switchOption())
    .addOption(controllerOption())
    .addOption(macOption())
    .addOption(arpOption())
    .addOption(ipv6Option())
    .addOption(natOption())
    .addOption(nameOption())
    .option("--json", "the topology as a JSON document (nslab reads .json files too) instead of YAML")
    .addOption(formatOption())
    .action(async (opts) => {
      const spec = generateTopology(opts.topo, {
        ...(await generateOptions(opts)),
        ...(opts.name ? { name: opts.name } : {}),
      });
      process.stdout.write(
        wantsJson(opts) ? `${JSON.stringify(spec, null, 2)}\n` : generatedYaml(spec, opts.topo),
      );
    });
}
