/** `nslab generate --topo SPEC`: print a Mininet-style generated topology as a YAML file. */
import type { Command } from "@commander-js/extra-typings";
import { generatedYaml, generateTopology } from "../../sources/mininet/index.js";
import { ipv6Option, nameOption, natOption, switchKind, switchOption, topoOption } from "../target.js";

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description(
      "print a Mininet-style topology as YAML: single,K | linear,K[,N] | tree,depth=D,fanout=F | torus,X,Y",
    )
    .addOption(topoOption().makeOptionMandatory())
    .addOption(switchOption())
    .addOption(ipv6Option())
    .addOption(natOption())
    .addOption(nameOption())
    .action((opts) => {
      const spec = generateTopology(opts.topo, {
        switch: switchKind(opts.switch ?? "bridge"),
        ...(opts.ipv6 ? { ipv6: true } : {}),
        ...(opts.nat !== undefined ? { nat: opts.nat === true ? "auto" : opts.nat } : {}),
        ...(opts.name ? { name: opts.name } : {}),
      });
      process.stdout.write(generatedYaml(spec, opts.topo));
    });
}
