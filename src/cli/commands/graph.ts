/** `nslab graph FILE|LAB`: the lab as a diagram — Mermaid, Graphviz DOT, or SVG (rendered in-process). */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { type Command, Option } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { toDot } from "../../graph/dot.js";
import { toMermaid } from "../../graph/mermaid.js";
import { graphModel, plural } from "../../graph/model.js";
import { renderSvg } from "../../graph/render.js";
import { observedLabGraph } from "../../lab/graph.js";
import { info } from "../output.js";
import { fileArgument, nameOption, prefixOption, resolveTarget, topologyFileOption } from "../target.js";

const FORMATS = ["mermaid", "dot", "svg", "png"] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = {
  ".svg": "svg",
  ".png": "png",
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
    .argument("[target]", "topology file or the name of a running lab")
    .addOption(topologyFileOption())
    .addOption(
      new Option(
        "-f, --format <format>",
        "mermaid, dot (Graphviz), svg or png (default: from -o's extension, else mermaid)",
      ).choices(FORMATS),
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .addOption(nameOption())
    .addOption(prefixOption())
    .action(async (positional, opts) => {
      const arg = fileArgument(positional, opts.topology);
      if (arg === undefined)
        throw new NslabError("E_USAGE", "give a topology file or a lab name", {
          hint: "nslab graph lab.yaml -o lab.svg",
        });
      const target = await resolveTarget(arg, opts);
      // A running lab's graph from its record read for observation (a big lab's view, no positions).
      const g = target.kind === "file" ? graphModel(target.topology) : observedLabGraph(target.lab);
      const format: Format =
        opts.format ??
        (opts.output ? BY_EXTENSION[extname(opts.output).toLowerCase()] : undefined) ??
        "mermaid";
      if (opts.output && !opts.format && !BY_EXTENSION[extname(opts.output).toLowerCase()])
        throw new NslabError("E_USAGE", `-o ${opts.output}: cannot tell the format from the name`, {
          hint: "end it with .svg, .png, .dot or .mmd, or say it with -f",
        });
      if (format === "png" && !opts.output && process.stdout.isTTY)
        throw new NslabError("E_USAGE", "a PNG image is not for a terminal", {
          hint: "write it to a file: -o lab.png (or redirect: > lab.png)",
        });
      const text =
        format === "png"
          ? await (await import("../../graph/png.js")).renderPng(g)
          : format === "svg"
            ? await renderSvg(g)
            : format === "dot"
              ? toDot(g)
              : toMermaid(g);
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
