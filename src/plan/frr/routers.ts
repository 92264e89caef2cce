/**
 * The FRR of each router, as data: the files of its own /etc/frr (the configuration nslab writes,
 * or the user's frr.conf and daemons file), the daemons to start in order (zebra first, each ready
 * when its socket appears in the router's own /var/run/frr), and, for a user's frr.conf, the
 * `vtysh -b` that loads it once they run. Made from the topology, the host's FRR and the text of
 * the files the topology names (read by the caller). Pure.
 */
import type { Problem, SourceLocation } from "../../errors.js";
import type { NetnsNode, Topology } from "../../model/types.js";
import { bgpBlocks } from "./bgp.js";
import { configDaemons, type RouterConfig, renderForDaemon, renderIntegrated } from "./config.js";
import { daemonsToRun, defaultOptions, parseDaemonsFile } from "./daemons.js";
import { ospfBlocks } from "./ospf.js";
import { frrRouters, type Port, routerPorts } from "./ports.js";

/** The host's FRR installation (probed by drivers/frr). */
export interface FrrHost {
  /** Directory of the daemon binaries (Debian: /usr/lib/frr). */
  dir: string;
  /** `vtysh`'s path. */
  vtysh: string;
  /** FRR's version, e.g. 8.4.4 (unknown: undefined). */
  version?: string;
  /** The daemons installed in `dir`. */
  daemons: string[];
}

/** One daemon of a router. */
export interface FrrDaemon {
  name: string;
  /** The command, run in the router (argv, no shell). */
  argv: string[];
  /** Ready when this file exists in the router's view (its vty socket; zebra's API socket). */
  readyFile: string;
  /** The daemon that must be ready first (zebra; mgmtd where it runs). */
  after?: string;
}

/** How FRR runs in one router. */
export interface FrrRouterPlan {
  node: string;
  netns: string;
  /** The configuration: written by nslab (`ospf`, `bgp`; `none`: only the hostname) or the user's file. */
  config: { kind: "generated"; routing: "ospf" | "bgp" | "none" } | { kind: "file"; path: string };
  /** Files of the router's own /etc/frr (owner frr:frr, mode 640), by name. */
  files: { name: string; content: string }[];
  daemons: FrrDaemon[];
  /** Run in the router once every daemon is ready: loads the user's frr.conf (`vtysh -b`). */
  load?: string[];
}

/** The text of a file the topology names, or why it could not be read. */
export type FileText = string | { error: string };

/** Every router's FRR, with the problems (the lab cannot run) and warnings found. */
export interface FrrPlan {
  routers: FrrRouterPlan[];
  problems: Problem[];
  warnings: Problem[];
}

/** The files of the topology that FRR routers name (frr.conf, daemons files), absolute paths. */
export function frrFilesNamed(t: Topology): { path: string; src?: SourceLocation }[] {
  const out: { path: string; src?: SourceLocation }[] = [];
  for (const r of frrRouters(t)) {
    const f = r.frr!;
    if (f.config) out.push({ path: f.config, ...(f.at?.config ? { src: f.at.config } : {}) });
    if (f.daemons.kind === "file")
      out.push({ path: f.daemons.path, ...(f.at?.daemons ? { src: f.at.daemons } : {}) });
  }
  return out;
}

/** Whether the lab routes IPv6 with OSPF: some router running the generated OSPF has an IPv6 address. */
export function labRoutesIpv6(t: Topology): boolean {
  return frrRouters(t).some(
    (r) => r.frr!.generated && r.interfaces.some((i) => i.addresses.some((a) => a.family === 6)),
  );
}

/** The configuration nslab writes for router `r` (only its hostname when there is no `routing:` to write). */
export function generatedConfig(t: Topology, r: NetnsNode, ports: readonly Port[]): RouterConfig {
  const routing = r.frr!.generated;
  return {
    hostname: r.name,
    title: routing
      ? `router ${r.name} of lab ${t.name}: written by nslab (routing: ${routing})`
      : `router ${r.name} of lab ${t.name}: no routing configured (configure it with vtysh)`,
    blocks:
      routing === "ospf"
        ? ospfBlocks(r, ports, labRoutesIpv6(t))
        : routing === "bgp"
          ? bgpBlocks(r, ports)
          : [],
  };
}

/** Plan FRR for every router of `t` that runs it. */
export function planFrr(
  t: Topology,
  host: FrrHost | undefined,
  files: ReadonlyMap<string, FileText>,
): FrrPlan {
  const out: FrrPlan = { routers: [], problems: [], warnings: [] };
  const routers = frrRouters(t);
  if (routers.length === 0) return out;
  if (!host) {
    out.problems.push({
      message: `FRR is not installed, and ${routers.length === 1 ? `router ${names(routers)} runs` : `routers ${names(routers)} run`} it`,
      location: routers[0]!.frr!.src,
      hint: "install it (Debian: apt-get install frr; or nslab doctor --install)",
    });
    return out;
  }
  const installed = new Set(host.daemons);
  const ports = routerPorts(t);
  for (const r of routers) {
    const frr = r.frr!;
    const plan = routerPlan(t, r, ports.get(r.name) ?? [], host, files, out);
    if (!plan) continue;
    const missing = plan.daemons.map((d) => d.name).filter((d) => !installed.has(d));
    if (missing.length > 0) {
      out.problems.push({
        message: `router '${r.name}' needs ${missing.join(", ")}, which this host's FRR${host.version ? ` (${host.version})` : ""} does not have in ${host.dir}`,
        location: frr.at?.daemons ?? frr.src,
        hint: "remove the daemon, or install an FRR that has it",
      });
      continue;
    }
    out.routers.push(plan);
  }
  return out;
}

function routerPlan(
  t: Topology,
  r: NetnsNode,
  ports: readonly Port[],
  host: FrrHost,
  files: ReadonlyMap<string, FileText>,
  out: FrrPlan,
): FrrRouterPlan | undefined {
  const frr = r.frr!;
  const text = (path: string, src: SourceLocation | undefined): string | undefined => {
    const f = files.get(path);
    if (typeof f === "string") return f;
    out.problems.push({
      message: `cannot read ${path}: ${f?.error ?? "not read"}`,
      location: src ?? frr.src,
      hint: "the path is relative to the topology file",
    });
    return undefined;
  };
  const etc: { name: string; content: string }[] = [];
  let wanted: string[] = [];
  let options: Record<string, string[]> = {};
  let global: string[] = [];
  if (frr.daemons.kind === "file") {
    const content = text(frr.daemons.path, frr.at?.daemons);
    if (content === undefined) return undefined;
    const parsed = parseDaemonsFile(content);
    wanted = parsed.enabled;
    options = parsed.options;
    global = parsed.global;
    for (const x of parsed.ignored)
      out.warnings.push({
        message: `router '${r.name}': ${frr.daemons.path}:${x.line}: '${x.text}' is ignored: ${x.reason}`,
        location: frr.at?.daemons ?? frr.src,
      });
    etc.push({ name: "daemons", content });
  } else wanted = [...frr.daemons.names];

  let config: FrrRouterPlan["config"];
  let generated: RouterConfig | undefined;
  if (frr.config) {
    const content = text(frr.config, frr.at?.config);
    if (content === undefined) return undefined;
    config = { kind: "file", path: frr.config };
    etc.push({ name: "frr.conf", content });
    const newer = newerConfig(content, host.version);
    if (newer)
      out.warnings.push({
        message: `router '${r.name}': ${frr.config} was written for FRR ${newer}; this host runs FRR ${host.version} (its commands were checked with this host's vtysh)`,
        location: frr.at?.config ?? frr.src,
      });
  } else {
    generated = generatedConfig(t, r, ports);
    config = { kind: "generated", routing: frr.generated ?? "none" };
    for (const d of configDaemons(generated)) if (!wanted.includes(d)) wanted.push(d);
    etc.push({ name: "frr.conf", content: renderIntegrated(generated) });
  }
  const run = daemonsToRun(wanted, new Set(host.daemons));
  if (frr.daemons.kind !== "file")
    etc.push({ name: "daemons", content: `${run.map((d) => `${d}=yes`).join("\n")}\n` });
  if (generated) for (const d of run) etc.push({ name: `${d}.conf`, content: renderForDaemon(generated, d) });
  etc.push({ name: "vtysh.conf", content: "service integrated-vtysh-config\n" });

  const hub = run.includes("mgmtd") ? "mgmtd" : "zebra";
  const daemons: FrrDaemon[] = run.map((d) => ({
    name: d,
    argv: [
      `${host.dir}/${d}`,
      ...(options[d] ?? defaultOptions(d)),
      ...global,
      "--log",
      "stdout",
      "--log-level",
      "informational",
      ...(generated ? ["-f", `/etc/frr/${d}.conf`] : []),
    ],
    // /run/frr, not /var/run/frr: readiness looks through /proc/PID/root, where /var/run → /run would resolve on the host.
    readyFile: d === "zebra" ? "/run/frr/zserv.api" : `/run/frr/${d}.vty`,
    ...(d === "zebra" ? {} : { after: d === "mgmtd" ? "zebra" : hub }),
  }));
  const plan: FrrRouterPlan = { node: r.name, netns: r.netns, config, files: etc, daemons };
  if (frr.config) plan.load = [host.vtysh, "-b"];
  return plan;
}

/** The `frr version` a configuration was written for, when it is newer than the host's (major.minor). */
function newerConfig(text: string, hostVersion: string | undefined): string | undefined {
  const m = /^frr version (\d+)\.(\d+)\S*/m.exec(text);
  const h = hostVersion ? /^(\d+)\.(\d+)/.exec(hostVersion) : null;
  if (!m || !h) return undefined;
  const [cMaj, cMin, hMaj, hMin] = [m[1], m[2], h[1], h[2]].map(Number) as [number, number, number, number];
  return cMaj > hMaj || (cMaj === hMaj && cMin > hMin) ? m[0].slice("frr version ".length) : undefined;
}

function names(routers: readonly NetnsNode[]): string {
  const shown = routers.slice(0, 5).map((r) => r.name);
  return `${shown.join(", ")}${routers.length > 5 ? ` and ${routers.length - 5} more` : ""}`;
}
