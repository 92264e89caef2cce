/**
 * Kernel features a lab may need (netem for delay/loss/jitter, Linux-bridge VLAN filtering), probed
 * once and cheaply before anything is created: first the kernel's own configuration
 * (/proc/config.gz), and only when that cannot tell, a real attempt inside a scratch namespace that is
 * removed at once. The result is a host fact that planning takes as input.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { findBinary, type Runner, systemRunner } from "../drivers/runner/index.js";
import { netemFeatures } from "../model/shaping.js";
import type { Topology } from "../model/types.js";
import type { HostFacts } from "../plan/build.js";
import { isRoot, ovsKernelModule } from "./facts.js";

/** A kernel feature nslab may need. */
export type KernelFeature = "netem" | "bridgeVlanFiltering";

const CONFIG: Record<KernelFeature, { option: string; module: string }> = {
  netem: { option: "CONFIG_NET_SCH_NETEM", module: "sch_netem" },
  bridgeVlanFiltering: { option: "CONFIG_BRIDGE_VLAN_FILTERING", module: "" },
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

/** The running kernel's build configuration, when it exposes it. */
export function kernelConfig(): string | undefined {
  if (configCache === undefined) {
    try {
      configCache = gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
    } catch {
      configCache = null;
    }
  }
  return configCache ?? undefined;
}

/** Probe `features`: the configuration first, a scratch namespace (as root) for what it leaves open. */
export async function probeFeatures(
  features: readonly KernelFeature[],
  runner: Runner = systemRunner,
): Promise<Partial<Record<KernelFeature, boolean>>> {
  const out: Partial<Record<KernelFeature, boolean>> = {};
  const open: KernelFeature[] = [];
  for (const f of features) {
    const known = featureFromConfig(f, kernelConfig());
    if (known === undefined) open.push(f);
    else out[f] = known;
  }
  if (open.length === 0 || !isRoot() || !findBinary("ip")) return out;
  const ns = `nslab-probe-${randomBytes(3).toString("hex")}`;
  await runner.run(["ip", "netns", "add", ns]);
  try {
    for (const f of open) {
      if (f === "netem") {
        if (!findBinary("tc")) continue;
        await runner.run(["ip", "-n", ns, "link", "set", "dev", "lo", "up"]);
        const r = await runner.run(
          ["tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
          {
            allowFailure: true,
          },
        );
        out.netem = r.exitCode === 0;
      } else {
        const r = await runner.run(
          ["ip", "-n", ns, "link", "add", "name", "vfprobe", "type", "bridge", "vlan_filtering", "1"],
          { allowFailure: true },
        );
        out.bridgeVlanFiltering = r.exitCode === 0;
      }
    }
  } finally {
    await runner.run(["ip", "netns", "del", ns], { allowFailure: true });
  }
  return out;
}

/** The kernel features `t` needs beyond the basics (none for most labs: then nothing is probed). */
export function featuresNeeded(t: Topology): KernelFeature[] {
  const out: KernelFeature[] = [];
  if (t.links.some((l) => l.shaping && netemFeatures(l.shaping).length > 0)) out.push("netem");
  if (t.nodes.some((n) => n.kind === "bridge" && n.interfaces.some((i) => i.vlan !== undefined)))
    out.push("bridgeVlanFiltering");
  return out;
}

/** The host facts planning `t` needs, probing only what `t` asks for. */
export async function hostFactsFor(t: Topology, runner: Runner = systemRunner): Promise<HostFacts> {
  const features = await probeFeatures(featuresNeeded(t), runner);
  return { ovsKernelDatapath: ovsKernelModule(), ...features };
}
