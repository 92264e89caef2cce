/** `nslab generate --topo SPEC`: print a Mininet-style generated topology as a YAML file. */
import type { Command } from "@commander-js/extra-typings";
import { generatedYaml, generateTopology } from "../../sources/mininet/index.js";
import { switchKind } from "../target.js";

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description(
      "print a Mininet-style topology as YAML: single,K | linear,K[,N] | tree,depth=D,fanout=F | torus,X,Y",
    )
    .requiredOption("--topo <spec>", "topology as in Mininet's --topo, e.g. tree,depth=2,fanout=3")
    .option("--switch <kind>", "bridge (Linux bridge) or ovs (Open vSwitch)", "bridge")
    .option("--ipv6", "keep IPv6 link-local on the hosts (default: IPv4-only hosts, IPv6 off inside them)")
    .option("--name <lab>", "lab name (default from the spec, e.g. tree-2-3)")
    .action((opts) => {
      const spec = generateTopology(opts.topo, {
        switch: switchKind(opts.switch),
        ...(opts.ipv6 ? { ipv6: true } : {}),
        ...(opts.name ? { name: opts.name } : {}),
      });
      process.stdout.write(generatedYaml(spec, opts.topo));
    });
}
