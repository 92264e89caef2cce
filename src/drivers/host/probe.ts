/**
 * Kernel features a lab may need (netem for delay/loss/jitter, Linux-bridge VLAN filtering): the one
 * probe `up`, `plan`, `link` and `doctor` all use. Cheap first — the kernel's own configuration
 * (/proc/config.gz) — and only when that cannot tell (or `doctor` asks), a real attempt inside a
 * scratch namespace that is removed at once. The results are plan's data types (HostFacts).
 */
import { existsSync, readFileSync } from "node:fs";
import type { Topology } from "../../model/types.js";
import { featuresNeeded, type HostFacts, hostReadsNeeded, type KernelFeature } from "../../plan/host.js";
import { devicesNamed, type HostDevice, touchesHost } from "../../plan/host-devices.js";
import { findBinary, type Runner, systemRunner } from "../runner/index.js";
import { listDevices, probeDevice, probeRootRoutes } from "./devices.js";
import { isRoot, ovsKernelModule } from "./facts.js";
import { type FirewallReadOptions, readFirewall } from "./firewall.js";
import { nodeEnvFacts } from "./node-env-facts.js";
import { defaultUplink } from "./uplink.js";

const CONFIG: Record<KernelFeature, { option: string; module: string }> = {
  netem: { option: "CONFIG_NET_SCH_NETEM", module: "sch_netem" },
  bridgeVlanFiltering: { option: "CONFIG_BRIDGE_VLAN_FILTERING", module: "" },
  dummy: { option: "CONFIG_DUMMY", module: "dummy" },
  macvlan: { option: "CONFIG_MACVLAN", module: "macvlan" },
};

/** The `ip link add` that tries a link type in the scratch namespace. */
const LINK_ATTEMPT: Partial<Record<KernelFeature, string[]>> = {
  bridgeVlanFiltering: ["name", "vfprobe", "type", "bridge", "vlan_filtering", "1"],
  dummy: ["name", "dprobe", "type", "dummy"],
  macvlan: ["name", "mvprobe", "link", "lo", "type", "macvlan", "mode", "bridge"],
};

/** What the kernel's build configuration says: true/false, or undefined when it cannot tell. */
export function featureFromConfig(feature: KernelFeature, config: string | undefined): boolean | undefined {
  if (config === undefined) return undefined;
  const { option, module } = CONFIG[feature];
  const m = config.match(new RegExp(`^${option}=(y|m)$`, "m"));
  if (!m) return config.includes(`# ${option} is not set`) || !config.includes(option) ? false : undefined;
  if (m[1] === "y") return true;
  // Built as a module: usable if it is loaded; otherwise only a real attempt can tell.
  return module && existsSync(`/sys/module/${module}`) ? true : undefined;
}

let configCache: string | null | undefined;

/**
 * The running kernel's build configuration, when it exposes it. node:zlib is loaded here, when a
 * lab needs a feature checked: it is most of 10 ms of every start otherwise (this module is on `up`'s path).
 */
async function kernelConfig(): Promise<string | undefined> {
  if (configCache === undefined) {
    const { gunzipSync } = await import("node:zlib");
    try {
      configCache = gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
    } catch {
      configCache = null;
    }
  }
  return configCache ?? undefined;
}

/** A real attempt at a feature: whether the kernel accepted it, and its words when it refused. */
export interface FeatureAttempt {
  ok: boolean;
  /** What the kernel (through `tc`/`ip`) said, trimmed; empty when it accepted. */
  message: string;
}

/**
 * Try `features` for real inside a scratch namespace (`<label>-xxxxxx`, removed afterwards). Needs
 * root and `ip`; netem is only tried when `tc` is installed (left out otherwise).
 */
export async function attemptFeatures(
  features: readonly KernelFeature[],
  runner: Runner,
  label = "nslab-probe",
): Promise<Partial<Record<KernelFeature, FeatureAttempt>>> {
  const out: Partial<Record<KernelFeature, FeatureAttempt>> = {};
  // node:crypto only here (a few ms of every start otherwise: this module is on up's path).
  const { randomBytes } = await import("node:crypto");
  const ns = `${label}-${randomBytes(3).toString("hex")}`;
  await runner.run(["ip", "netns", "add", ns]);
  try {
    for (const f of features) {
      if (f === "netem") {
        if (!findBinary("tc")) continue;
        await runner.run(["ip", "-n", ns, "link", "set", "dev", "lo", "up"]);
        const r = await runner.run(
          ["tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
          { allowFailure: true },
        );
        out.netem = { ok: r.exitCode === 0, message: r.stderr.trim() };
      } else {
        const r = await runner.run(["ip", "-n", ns, "link", "add", ...LINK_ATTEMPT[f]!], {
          allowFailure: true,
        });
        // A macvlan cannot hang off lo: the kernel knows the type when it says so rather than "Unknown device type".
        const ok =
          r.exitCode === 0 || (f === "macvlan" && !/Unknown device type|not supported/i.test(r.stderr));
        out[f] = { ok, message: ok ? "" : r.stderr.trim() };
      }
    }
  } finally {
    await runner.run(["ip", "netns", "del", ns], { allowFailure: true });
  }
  return out;
}

/** Probe `features`: the configuration first, a scratch namespace (as root) for what it leaves open. */
export async function probeFeatures(
  features: readonly KernelFeature[],
  runner: Runner = systemRunner,
): Promise<Partial<Record<KernelFeature, boolean>>> {
  const out: Partial<Record<KernelFeature, boolean>> = {};
  const open: KernelFeature[] = [];
  const config = features.length > 0 ? await kernelConfig() : undefined;
  for (const f of features) {
    const known = featureFromConfig(f, config);
    if (known === undefined) open.push(f);
    else out[f] = known;
  }
  if (open.length === 0 || !isRoot() || !findBinary("ip")) return out;
  const tried = await attemptFeatures(open, runner);
  for (const f of open) {
    const a = tried[f];
    if (a) out[f] = a.ok;
  }
  return out;
}

/**
 * The host facts planning `t` needs, probing only what `t` asks for: kernel features; for Linux
 * bridges and NAT nodes the host's forward chains (not as non-root: nothing can be read then);
 * for `uplink: auto` the default route's device; for labs that reach into the host its interfaces
 * and routes (read-only). With `stateRoot` (where nslab keeps its state), also what nodes' own
 * environments need. `ownRules`: also nslab's rules already in iptables-nft's tables (to repair a
 * running lab). `borrowed`: host interfaces the running lab of that name has moved into its nodes,
 * as they were before (from its record): they count as they were, not as absent. `nftTables`: how
 * the firewall's tables are first looked at (see readFirewall).
 */
export async function hostFactsFor(
  t: Topology,
  runner: Runner = systemRunner,
  stateRoot?: string,
  options: {
    ownRules?: boolean;
    borrowed?: Readonly<Record<string, HostDevice>>;
    nftTables?: FirewallReadOptions["nftTables"];
  } = {},
): Promise<HostFacts> {
  const reads = hostReadsNeeded(t);
  const { ownRules = false, nftTables } = options;
  const [features, firewall, uplink] = await Promise.all([
    probeFeatures(featuresNeeded(t), runner),
    reads.firewall && isRoot()
      ? readFirewall(runner, { ownRules, ...(nftTables ? { nftTables } : {}) })
      : undefined,
    reads.defaultUplink ? defaultUplink(runner) : undefined,
  ]);
  const facts: HostFacts = {
    ovsKernelDatapath: ovsKernelModule(),
    ...features,
    ...(stateRoot !== undefined ? nodeEnvFacts(t, stateRoot) : {}),
    ...(firewall ? { firewall } : {}),
    ...(uplink !== undefined ? { defaultUplink: uplink } : {}),
  };
  // The host's interfaces and routes (read-only), read only for labs that reach into the host.
  if (touchesHost(t) && findBinary("ip")) {
    const borrowed = options.borrowed ?? {};
    const names = devicesNamed(t);
    const devices = await Promise.all(names.map((n) => probeDevice(runner, n)));
    facts.devices = Object.fromEntries(names.map((n, i) => [n, devices[i] ?? borrowed[n] ?? null]));
    facts.rootRoutes = await probeRootRoutes(runner);
    facts.rootLinks = Object.fromEntries((await listDevices(runner, null)).map((d) => [d.name, d.alias]));
  }
  return facts;
}
