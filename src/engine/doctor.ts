/**
 * `doctor`: what this host can and cannot do for nslab, each with an explanation and a fix.
 * Kernel features are probed for real (drivers/host/probe.ts) inside a scratch namespace that is
 * removed afterwards.
 */
import { readFileSync } from "node:fs";
import { hasTun, isRoot, ovsKernelModule, procNumber } from "../drivers/host/facts.js";
import { attemptFeatures } from "../drivers/host/probe.js";
import { findAgentBinary } from "../drivers/nsagent/index.js";
import {
  clearBinaryCache,
  findBinary,
  PACKAGE_OF,
  type Runner,
  systemRunner,
} from "../drivers/runner/index.js";
import { SERVICES } from "./services/index.js";

export type CheckStatus = "ok" | "warn" | "missing";

/** One finding. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it (for warn/missing). */
  fix?: string;
  /** Debian package that provides it, when installing one fixes it. */
  package?: string;
}

const PROGRAMS: { bin: string; why: string; required: boolean }[] = [
  { bin: "ip", why: "creates namespaces, veth pairs and bridges", required: true },
  { bin: "ping", why: "nslab ping and reachability checks", required: true },
  { bin: "nsenter", why: "runs commands inside namespaces", required: true },
  {
    bin: "ethtool",
    why: "turns off TX checksum offload for the OVS userspace datapath (iproute2 backend)",
    required: false,
  },
  { bin: "ovs-vsctl", why: "Open vSwitch bridges", required: false },
  { bin: "ovsdb-server", why: "Open vSwitch database daemon", required: false },
  { bin: "ovs-vswitchd", why: "Open vSwitch switching daemon", required: false },
  { bin: "ovsdb-tool", why: "creates the Open vSwitch database", required: false },
  { bin: "iperf3", why: "nslab iperf (throughput)", required: false },
  { bin: "tcpdump", why: "nslab capture", required: false },
  { bin: "tc", why: "link shaping (rate)", required: false },
];

/** Run every check. */
export async function runDoctor(runner: Runner = systemRunner): Promise<Check[]> {
  const checks: Check[] = [];
  const root = isRoot();
  const caps = capEff();
  const netAdmin = caps !== undefined && (caps & (1n << 12n)) !== 0n;
  const sysAdmin = caps !== undefined && (caps & (1n << 21n)) !== 0n;
  checks.push({
    name: "root and capabilities",
    status: root && netAdmin && sysAdmin ? "ok" : "missing",
    detail: `uid ${process.getuid?.()}; CAP_NET_ADMIN ${netAdmin ? "yes" : "no"}, CAP_SYS_ADMIN ${sysAdmin ? "yes" : "no"}`,
    ...(root && netAdmin && sysAdmin
      ? {}
      : { fix: "run nslab as root (sudo); namespaces need CAP_SYS_ADMIN, links CAP_NET_ADMIN" }),
  });
  for (const p of PROGRAMS) {
    const path = findBinary(p.bin);
    const pkg = PACKAGE_OF[p.bin];
    checks.push({
      name: `program ${p.bin}`,
      status: path ? "ok" : p.required ? "missing" : "warn",
      detail: path ? `${path} (${p.why})` : `not installed — needed for: ${p.why}`,
      ...(path ? {} : { fix: `apt-get install ${pkg ?? p.bin}`, ...(pkg ? { package: pkg } : {}) }),
    });
  }
  const agent = findAgentBinary();
  checks.push({
    name: "native agent",
    status: agent ? "ok" : "warn",
    detail: agent
      ? `${agent} (configures namespaces without a process per namespace)`
      : "not built (or built for another CPU): nslab falls back to iproute2, which is slower for big labs",
    ...(agent
      ? {}
      : {
          fix: "build it (needs a C compiler: apt-get install gcc): npm run build in a checkout, or node scripts/build-native.mjs --force in the installed package",
        }),
  });
  const tun = hasTun();
  checks.push({
    name: "TUN device",
    status: tun ? "ok" : "warn",
    detail: tun
      ? "/dev/net/tun present (the OVS userspace datapath uses it)"
      : "/dev/net/tun missing: OVS userspace-datapath bridges cannot be created",
    ...(tun ? {} : { fix: "modprobe tun" }),
  });
  const kmod = ovsKernelModule();
  checks.push({
    name: "OVS kernel datapath",
    status: kmod ? "ok" : "warn",
    detail: kmod
      ? "openvswitch module loaded: OVS bridges use the kernel datapath"
      : "openvswitch module not loaded: OVS bridges use the userspace datapath (datapath_type=netdev), slower but complete",
    ...(kmod ? {} : { fix: "optional: modprobe openvswitch (if your kernel has it)" }),
  });
  // The shared host services labs use (the OVS daemons), as each reports itself.
  for (const service of SERVICES) {
    const health = await service.health();
    if (health)
      checks.push({
        name: health.name,
        status: health.status,
        detail: health.detail,
        ...(health.fix ? { fix: health.fix } : {}),
      });
  }
  if (root && findBinary("ip")) checks.push(...(await probeKernel(runner)));
  const nsMax = procNumber("/proc/sys/user/max_net_namespaces");
  const gc3 = procNumber("/proc/sys/net/ipv4/neigh/default/gc_thresh3");
  checks.push({
    name: "limits",
    status: "ok",
    detail: `max network namespaces ${nsMax ?? "?"}; neighbour table gc_thresh3 ${gc3 ?? "?"} (one table shared by every namespace); open files ${openFiles()}`,
  });
  return checks;
}

/** Probe netem, bridge VLAN filtering and the dummy and macvlan drivers for real, in a scratch namespace. */
async function probeKernel(runner: Runner): Promise<Check[]> {
  const out: Check[] = [];
  const tried = await attemptFeatures(
    ["netem", "bridgeVlanFiltering", "dummy", "macvlan"],
    runner,
    "nslab-doctor",
  );
  const netem = tried.netem;
  if (netem)
    out.push({
      name: "netem (delay/loss/jitter)",
      status: netem.ok ? "ok" : "warn",
      detail: netem.ok
        ? "available: links can have delay, loss and jitter"
        : `not available in this kernel (${netem.message}): labs asking for delay/loss/jitter are refused at plan time; rate limits (tbf) still work`,
      ...(netem.ok ? {} : { fix: "use a kernel with sch_netem (CONFIG_NET_SCH_NETEM)" }),
    });
  const vf = tried.bridgeVlanFiltering;
  if (vf)
    out.push({
      name: "bridge VLAN filtering",
      status: vf.ok ? "ok" : "warn",
      detail: vf.ok
        ? "available on Linux bridges"
        : `not available in this kernel (${vf.message}): use an ovs-bridge for VLANs (access ports with a tag)`,
      ...(vf.ok ? {} : { fix: "use a kernel with CONFIG_BRIDGE_VLAN_FILTERING, or OVS bridges for VLANs" }),
    });
  const drivers = (["dummy", "macvlan"] as const).flatMap((k) => (tried[k] ? [[k, tried[k]] as const] : []));
  if (drivers.length > 0) {
    const missing = drivers.filter(([, r]) => !r.ok).map(([k]) => k);
    out.push({
      name: "kernel interfaces",
      status: missing.length === 0 ? "ok" : "warn",
      detail:
        missing.length === 0
          ? "dummy and macvlan drivers available (`dummy` and `macvlan:` endpoints)"
          : `no ${missing.join(" or ")} driver in this kernel: ${missing.map((k) => `\`${k === "dummy" ? "dummy" : "macvlan:"}\``).join(" and ")} endpoints are refused at plan time${missing.includes("dummy") ? " (use an address on lo instead)" : ""}`,
      ...(missing.length === 0
        ? {}
        : {
            fix: `use a kernel with ${missing.map((k) => (k === "dummy" ? "CONFIG_DUMMY" : "CONFIG_MACVLAN")).join(" and ")}`,
          }),
    });
  }
  return out;
}

/** Install the Debian packages behind missing checks (or all, with `all`). */
export async function installMissing(
  checks: Check[],
  runner: Runner = systemRunner,
  log: (m: string) => void = () => {},
): Promise<string[]> {
  const pkgs = [...new Set(checks.filter((c) => c.status !== "ok" && c.package).map((c) => c.package!))];
  if (pkgs.length === 0) return [];
  if (!findBinary("apt-get"))
    throw new Error(`apt-get is not available; install these packages yourself: ${pkgs.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  log(`installing: ${pkgs.join(" ")}`);
  const first = await runner.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...pkgs], {
    env,
    allowFailure: true,
    timeoutMs: 600_000,
  });
  if (first.exitCode !== 0) {
    log("refreshing the package lists (apt-get update)");
    await runner.run(["apt-get", "update", "-q"], { env, timeoutMs: 600_000 });
    await runner.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...pkgs], {
      env,
      timeoutMs: 600_000,
    });
  }
  clearBinaryCache();
  return pkgs;
}

function capEff(): bigint | undefined {
  try {
    const m = readFileSync("/proc/self/status", "utf8").match(/^CapEff:\s*([0-9a-f]+)/m);
    return m ? BigInt(`0x${m[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

function openFiles(): string {
  try {
    const m = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\S+)/m);
    return m?.[1] ?? "?";
  } catch {
    return "?";
  }
}
