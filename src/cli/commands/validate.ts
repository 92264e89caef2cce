/** `nslab validate FILE`: check a topology (and its flows, with OVS's parser); exit 2 with every problem when it is invalid (`--json`: as data). */
import type { Command } from "@commander-js/extra-typings";
import { NslabError, type Problem, TopologyError } from "../../errors.js";
import { loadTopology } from "../../model/load.js";
import { cliLog, EXIT, info, warn } from "../output.js";
import { fileArgument, formatOption, topologyFileOption, wantsJson } from "../target.js";

/** `validate --json`: what a script reads. */
export type ValidateJson =
  | { valid: true; file: string; lab: string; nodes: number; links: number; warnings: string[] }
  | { valid: false; file: string; problems: JsonProblem[] };

/** A problem as JSON: its message, where (file, line, column, field path) and what to do. */
export interface JsonProblem {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  path?: Array<string | number>;
  hint?: string;
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a topology file without touching the system (exit 2 when invalid); - reads stdin")
    .argument("[file]", "topology file (YAML, JSON or a containerlab .clab.yml; - for stdin)")
    .addOption(topologyFileOption())
    .option("--json", "the verdict as JSON on stdout: every problem with its place, or the lab's size")
    .addOption(formatOption())
    .action(async (arg, opts) => {
      const file = fileArgument(arg, opts.topology);
      if (file === undefined)
        throw new NslabError("E_USAGE", "give the topology file to check", {
          hint: "nslab validate lab.yaml",
        });
      const json = wantsJson(opts);
      const warnings: string[] = [];
      try {
        const t = await loadTopology(file, {
          log: json ? (level, m) => (level === "warn" ? warnings.push(m) : undefined) : cliLog,
        });
        const { checkDeclaredFlows, hasFlows } = await import("../../engine/flows.js");
        if (hasFlows(t))
          try {
            await checkDeclaredFlows(t);
          } catch (e) {
            // Without OVS's parser here, the flows are checked by `up` on a host that has it.
            if (!(e instanceof NslabError && e.code === "E_ENV")) throw e;
            if (json) warnings.push(`flows not checked: ${e.message}`);
            else warn(`flows not checked: ${e.message}`);
          }
        if (json) {
          print({ valid: true, file, lab: t.name, nodes: t.nodes.length, links: t.links.length, warnings });
          return;
        }
        const links = t.links.length;
        info(
          `${file === "-" ? "<stdin>" : file}: lab '${t.name}' is valid (${t.nodes.length} nodes, ${links} link${links === 1 ? "" : "s"})`,
        );
      } catch (e) {
        if (!json || !(e instanceof NslabError) || (e.code !== "E_TOPOLOGY" && e.code !== "E_FILE")) throw e;
        const problems = e instanceof TopologyError ? e.problems.map(jsonProblem) : [jsonProblem(e)];
        print({ valid: false, file, problems });
        process.exitCode = EXIT.invalid;
      }
    });
}

function print(v: ValidateJson): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** A problem (or an error without a place) as JSON. */
export function jsonProblem(p: Problem | NslabError): JsonProblem {
  const l = p.location;
  return {
    message: p.message,
    ...(l ? { file: l.file, line: l.line, column: l.column, path: [...l.path] } : {}),
    ...(p.hint ? { hint: p.hint } : {}),
  };
}
