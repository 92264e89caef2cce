/**
 * What a command works on, and the options that choose it, each defined once: `FILE|LAB` arguments
 * (a topology file when one exists at that path, a lab name otherwise), a file or a generated
 * topology (`--topo`, `--switch`, `--ipv6`, `--nat`), and the names a lab gets (`--name`, `--prefix`). The
 * global `-v`/`-q` are on the program (main.ts).
 */
import { Option } from "@commander-js/extra-typings";
import { NslabError } from "../errors.js";
import type { Topology } from "../model/types.js";
import type { GenerateOptions } from "../sources/mininet/index.js";
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

/** Mininet's options of a generated lab, as the command line gives them. */
export interface GeneratedLabTexts {
  topo?: string;
  switch?: string;
  controller?: string[];
  mac?: boolean;
  arp?: boolean;
  ipv6?: boolean;
  /** `--nat [uplink]`: true for the bare flag (the default route's device). */
  nat?: string | boolean;
}

/** The generator's options from the command line's (Mininet's meaning; refused with a reason). */
export async function generateOptions(opts: GeneratedLabTexts): Promise<GenerateOptions> {
  const { generatorOptions } = await import("../sources/mininet/options.js");
  return {
    ...generatorOptions({
      ...(opts.switch !== undefined ? { switch: opts.switch } : {}),
      ...(opts.controller !== undefined ? { controller: opts.controller } : {}),
      ...(opts.mac ? { mac: true } : {}),
      ...(opts.arp ? { arp: true } : {}),
    }),
    ...(opts.ipv6 ? { ipv6: true } : {}),
    ...(opts.nat !== undefined ? { nat: opts.nat === true ? "auto" : String(opts.nat) } : {}),
  };
}

/** The machines of `--hosts a=root@192.0.2.10,b=root@host-b/192.0.2.11` (underlay after `/`, else the address). */
export function parseHosts(
  text: string,
  nslab: string | undefined,
): Record<string, { ssh: string; underlay: string; nslab?: string }> {
  const out: Record<string, { ssh: string; underlay: string; nslab?: string }> = {};
  for (const item of text.split(",")) {
    const m = /^([^=]+)=([^/]+?)(?:\/(.+))?$/.exec(item.trim());
    if (!m)
      throw new NslabError("E_USAGE", `--hosts: '${item}' is not NAME=USER@ADDRESS`, {
        hint: "e.g. --hosts a=root@192.0.2.10,b=root@192.0.2.11 (NAME=DEST/UNDERLAY when DEST is not an address)",
      });
    const [, name, ssh, underlay] = m as unknown as [string, string, string, string | undefined];
    out[name] = {
      ssh,
      underlay: underlay ?? ssh.slice(ssh.lastIndexOf("@") + 1),
      ...(nslab !== undefined ? { nslab } : {}),
    };
  }
  return out;
}

/** Options that spread a generated lab over machines. */
export interface SpreadOptions {
  hosts?: string;
  placement?: string;
  sshConfig?: string;
  nslabCommand?: string;
}

/** The topology of a command that takes a FILE or `--topo SPEC` (exactly one of them). */
export async function fileOrGenerated(
  file: string | undefined,
  options: GeneratedLabTexts & { name?: string; prefix?: string; log?: Logger } & SpreadOptions,
): Promise<Topology> {
  const names = {
    ...(options.name ? { name: options.name } : {}),
    ...(options.prefix ? { prefix: options.prefix } : {}),
  };
  const spread = [options.hosts, options.placement, options.sshConfig, options.nslabCommand].some(
    (x) => x !== undefined,
  );
  if (options.topo !== undefined) {
    if (file !== undefined) throw new NslabError("E_USAGE", "give a topology file or --topo, not both");
    if (spread && options.hosts === undefined)
      throw new NslabError("E_USAGE", "--placement, --ssh-config and --nslab-command go with --hosts");
    const placement = options.placement;
    if (placement !== undefined && placement !== "block" && placement !== "random" && placement !== "auto")
      throw new NslabError("E_USAGE", `--placement: unknown placement '${placement}'`, {
        hint: "use block (Mininet's SwitchBinPlacer, the default), random (RandomPlacer) or auto",
      });
    const { generatedTopology } = await import("../model/generated.js");
    const { resolve } = await import("node:path");
    return generatedTopology(options.topo, {
      ...names,
      ...(options.log ? { log: options.log } : {}),
      ...(await generateOptions(options)),
      ...(options.hosts !== undefined ? { hosts: parseHosts(options.hosts, options.nslabCommand) } : {}),
      ...(placement !== undefined ? { placement } : {}),
      ...(options.sshConfig !== undefined ? { sshConfig: resolve(options.sshConfig) } : {}),
    });
  }
  if (spread)
    throw new NslabError(
      "E_USAGE",
      "--hosts, --placement, --ssh-config and --nslab-command go with --topo (a file says it itself: hosts:, placement:, ssh_config:)",
    );
  if (options.nat !== undefined)
    throw new NslabError("E_USAGE", "--nat goes with --topo (in a file, add a node of kind: nat)");
  const stray = [
    options.switch !== undefined && "--switch",
    options.controller !== undefined && "--controller",
    options.mac && "--mac",
    options.arp && "--arp",
    options.ipv6 && "--ipv6",
  ].find(Boolean);
  if (stray)
    throw new NslabError("E_USAGE", `${stray} goes with --topo (a file says it itself)`, {
      hint:
        stray === "--controller" || stray === "--switch"
          ? "in a file: kind: ovs-bridge with controller:, protocols:, fail-mode:"
          : stray === "--arp"
            ? "in a file: arp: static"
            : "in a file: the interface's mac:",
    });
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
    "with --topo, as Mininet's: lxbr/bridge (Linux bridge; default), ovs|ovsk[,protocols=OpenFlow13][,failMode=secure|standalone][,datapath=user|kernel] (Open vSwitch), ovsbr (OVS without a controller)",
  );

/** `--controller SPEC`, repeatable (with --topo). */
export const controllerOption = () =>
  new Option(
    "--controller <spec>",
    "with --topo, as Mininet's: remote[,ip=IP][,port=PORT] (default 127.0.0.1:6653), default (ovs-testcontroller, run by nslab) or none; repeat for several; makes the switches OVS",
  ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);

/** `--mac` and `--arp` (with --topo). */
export const macOption = () =>
  new Option("--mac", "with --topo, as Mininet's: hosts get MACs 00:00:00:00:00:01, 00:00:00:00:00:02, …");
export const arpOption = () =>
  new Option("--arp", "with --topo, as Mininet's: static ARP entries on every host (arp: static)");

/** `--ipv6` (with --topo). */
export const ipv6Option = () =>
  new Option("--ipv6", "with --topo: keep IPv6 link-local on the hosts (default: IPv4-only hosts)");

/** `--hosts`, `--placement`, `--ssh-config`, `--nslab-command` (with --topo): a generated lab over machines. */
export const spreadOptions = () => [
  new Option(
    "--hosts <list>",
    "with --topo: spread the lab over these machines, NAME=USER@ADDRESS,… (reached over ssh; see docs/multihost.md)",
  ),
  new Option(
    "--placement <how>",
    "with --hosts: block (Mininet's SwitchBinPlacer, default), random (RandomPlacer) or auto (fewest links between machines)",
  ),
  new Option("--ssh-config <file>", "with --hosts: an ssh configuration file for every ssh call (ssh -F)"),
  new Option("--nslab-command <cmd>", "with --hosts: the nslab command on the machines (default: nslab)"),
];

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

/** `-t, --topology FILE`: containerlab's way of naming the topology file (`clab deploy -t lab.yml`). */
export const topologyFileOption = () =>
  new Option(
    "-t, --topology <file>",
    "the topology file (as containerlab's -t); same as giving it as the argument",
  );

/** The file given as the argument or with `-t` (not both). */
export function fileArgument(positional: string | undefined, option: string | undefined): string | undefined {
  if (positional !== undefined && option !== undefined && positional !== option)
    throw new NslabError("E_USAGE", `two topology files given: '${positional}' and -t '${option}'`, {
      hint: "give the file once, as the argument or with -t",
    });
  return positional ?? option;
}

/** `--format json|text`: containerlab's spelling of `--json`. */
export const formatOption = () =>
  new Option("--format <format>", "json (as --json) or text (the default)").choices([
    "json",
    "text",
  ] as const);

/** Whether `--json` or `--format json` was given. */
export function wantsJson(opts: { json?: boolean; format?: string }): boolean {
  return !!opts.json || opts.format === "json";
}

/**
 * `--wait S` / `--no-wait` of `up` and `test` (labs whose routers run FRR) as the library's
 * options: how long to wait for routing to converge, or not to wait.
 */
export function waitChoice(wait: string | boolean | undefined): { wait?: false; waitTimeoutMs?: number } {
  if (wait === false) return { wait: false };
  if (wait === undefined) return {};
  const n = Number(wait);
  if (wait === true || !Number.isFinite(n) || n <= 0)
    throw new NslabError("E_USAGE", `--wait takes a number of seconds, not '${String(wait)}'`, {
      hint: "e.g. --wait 300",
    });
  return { waitTimeoutMs: n * 1000 };
}
