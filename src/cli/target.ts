/** `FILE|LAB` arguments: a topology file when one exists at that path, a lab name otherwise. */
import { existsSync, statSync } from "node:fs";
import { NslabError } from "../errors.js";
import { loadTopology } from "../lab/load.js";
import type { Logger } from "../lab/options.js";
import type { Topology } from "../model/types.js";

export type Target = { kind: "file"; path: string; topology: Topology } | { kind: "lab"; lab: string };

/** Looks like a file name (so a missing one is reported as a missing file, not an unknown lab). */
function looksLikeFile(arg: string): boolean {
  return arg.includes("/") || /\.(ya?ml|json)$/i.test(arg);
}

export async function resolveTarget(
  arg: string,
  options: { name?: string; prefix?: string; log?: Logger } = {},
): Promise<Target> {
  if (existsSync(arg) && statSync(arg).isFile()) {
    const topology = await loadTopology(arg, {
      ...(options.name ? { name: options.name } : {}),
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    return { kind: "file", path: arg, topology };
  }
  if (looksLikeFile(arg))
    throw new NslabError("E_FILE", `no such topology file: ${arg}`, {
      hint: "check the path, or give a lab name",
    });
  return { kind: "lab", lab: arg };
}

/** The lab name a target refers to. */
export function labOf(t: Target): string {
  return t.kind === "file" ? t.topology.name : t.lab;
}
