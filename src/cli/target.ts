/**
 * What a command works on, and the options that choose it, each defined once: `FILE|LAB` arguments
 * (a topology file when one exists at that path, a lab name otherwise), a file or a generated
 * topology (`--topo`, `--switch`, `--ipv6`), and the names a lab gets (`--name`, `--prefix`). The
 * global `-v`/`-q` are on the program (main.ts).
 */
import { Option } from "@commander-js/extra-typings";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import type { SwitchKind } from "../sources/mininet/index.js";
import { readTopologyFileIfPresent } from "../sources/read.js";
import type { Logger } from "../util/logger.js";

export type Target = { kind: "file"; path: string; topology: Topology } | { kind: "lab"; lab: string };

/** Looks like a file name (so a missing one is reported as a missing file, not an unknown lab). */
function looksLikeFile(arg: string): boolean {
  return arg.includes("/") || /\.(ya?ml|json)$/i.test(arg);
}

export async function resolveTarget(
  arg: string,
  options: { name?: string; prefix?: string; log?: Logger } = {},
): Promise<Target> {
  // One stat and one read; the file's format is detected from that text.
  const text = await readTopologyFileIfPresent(arg);
  if (text !== undefined) {
    // Imported here: commands that take a lab name (down, status, ping) start without YAML and zod.
    const { topologyFromFile } = await import("../model/load.js");
    const topology = topologyFromFile(arg, text, {
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

/** `--switch` as given on the command line. */
export function switchKind(text: string): SwitchKind {
  if (text === "bridge" || text === "lxbr") return "bridge";
  if (text === "ovs") return "ovs";
  throw new NslabError("E_USAGE", `--switch: unknown switch '${text}'`, {
    hint: "use bridge (a Linux bridge, Mininet's lxbr) or ovs (Open vSwitch)",
  });
}

/** The topology of a command that takes a FILE or `--topo SPEC` (exactly one of them). */
export async function fileOrGenerated(
  file: string | undefined,
  options: {
    topo?: string;
    switch?: string;
    ipv6?: boolean;
    nat?: string | boolean;
    name?: string;
    prefix?: string;
    log?: Logger;
  },
): Promise<Topology> {
  const names = {
    ...(options.name ? { name: options.name } : {}),
    ...(options.prefix ? { prefix: options.prefix } : {}),
  };
  if (options.topo !== undefined) {
    if (file !== undefined) throw new NslabError("E_USAGE", "give a topology file or --topo, not both");
    const { generatedTopology } = await import("../model/generated.js");
    return generatedTopology(options.topo, {
      ...names,
      switch: switchKind(options.switch ?? "bridge"),
      ...(options.ipv6 ? { ipv6: true } : {}),
      ...(options.nat !== undefined ? { nat: options.nat === true ? "auto" : String(options.nat) } : {}),
    });
  }
  if (options.nat !== undefined)
    throw new NslabError("E_USAGE", "--nat goes with --topo (in a file, add a node of kind: nat)");
  if (options.switch !== undefined || options.ipv6)
    throw new NslabError(
      "E_USAGE",
      `${options.ipv6 ? "--ipv6" : "--switch"} goes with --topo (a file says it itself)`,
    );
  if (file === undefined)
    throw new NslabError("E_USAGE", "give a topology file, or --topo SPEC to generate one", {
      hint: "e.g. nslab up lab.yaml, or nslab up --topo linear,4",
    });
  const target = await resolveTarget(file, { ...names, ...(options.log ? { log: options.log } : {}) });
  if (target.kind !== "file") throw new NslabError("E_FILE", `no such topology file: ${file}`);
  return target.topology;
}

/** `--topo SPEC`: a Mininet-style generated topology instead of a file. */
export const topoOption = () =>
  new Option(
    "--topo <spec>",
    "a generated topology, as Mininet's --topo: single,K | linear,K[,N] | tree,D,F (tree,depth=D,fanout=F) | torus,X,Y",
  );

/** `--switch KIND` (with --topo). */
export const switchOption = () =>
  new Option(
    "--switch <kind>",
    "with --topo: bridge (Linux bridge, Mininet's lxbr; default) or ovs (Open vSwitch)",
  );

/** `--ipv6` (with --topo). */
export const ipv6Option = () =>
  new Option("--ipv6", "with --topo: keep IPv6 link-local on the hosts (default: IPv4-only hosts)");

/** `--nat [UPLINK]` (with --topo): Mininet's NAT gateway. */
export const natOption = () =>
  new Option(
    "--nat [uplink]",
    "with --topo: a NAT gateway nat0 on the first switch, hosts routed through it, out of UPLINK (default: auto, the host's default route device)",
  );

/** `--name LAB`. */
export const nameOption = () =>
  new Option("--name <lab>", "the lab name, instead of the file's (or the one derived from --topo)");

/** `--prefix PREFIX`. */
export const prefixOption = () =>
  new Option(
    "--prefix <prefix>",
    "prefix of namespace and root-namespace interface names (run copies side by side)",
  );
