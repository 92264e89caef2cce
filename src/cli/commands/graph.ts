/** `nslab graph FILE|LAB`: the lab as a diagram — Mermaid, Graphviz DOT, or SVG (rendered in-process). */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { type Command, Option } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { toDot } from "../../graph/dot.js";
import { toMermaid } from "../../graph/mermaid.js";
import { graphModel, plural } from "../../graph/model.js";
import { renderSvg } from "../../graph/render.js";
import { labGraph } from "../../lab/graph.js";
import { info } from "../output.js";
import { nameOption, prefixOption, resolveTarget } from "../target.js";

const FORMATS = ["mermaid", "dot", "svg"] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = {
  ".svg": "svg",
  ".dot": "dot",
  ".gv": "dot",
  ".mmd": "mermaid",
};

export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description(
      "draw a lab: nodes by kind (namespace, router, Linux bridge, OVS bridge) with their interfaces (names, addresses, VLANs, MTUs), links with their shaping; chains left to right, trees top down",
    )
    .argument("<target>", "topology file or the name of a running lab")
    .addOption(
      new Option(
        "-f, --format <format>",
        "mermaid, dot (Graphviz) or svg (default: from -o's extension, else mermaid)",
      ).choices(FORMATS),
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .addOption(nameOption())
    .addOption(prefixOption())
    .action(async (arg, opts) => {
      const target = await resolveTarget(arg, opts);
      const g = target.kind === "file" ? graphModel(target.topology) : labGraph(target.lab);
      const format: Format =
        opts.format ??
        (opts.output ? BY_EXTENSION[extname(opts.output).toLowerCase()] : undefined) ??
        "mermaid";
      const text = format === "svg" ? await renderSvg(g) : format === "dot" ? toDot(g) : toMermaid(g);
      if (!opts.output) {
        process.stdout.write(text);
        return;
      }
      try {
        writeFileSync(opts.output, text);
      } catch (e) {
        throw new NslabError("E_FILE", `cannot write ${opts.output}: ${(e as Error).message}`, { cause: e });
      }
      info(
        `${g.lab}: ${plural(g.nodes.length, "node")}, ${plural(g.edges.length, "link")} → ${opts.output} (${format})`,
      );
    });
}
