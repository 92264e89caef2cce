/**
 * The operations on running labs as functions of a lab name — the library's classic API and what
 * the CLI calls. Each is one method of a {@link RunningLab}, made for the call (and, like its
 * methods, loads the code of one operation only when it runs).
 */
import type { CommonOptions } from "../engine/options.js";
import type { Shaping } from "../model/types.js";
import type { PingOptions, PingResult } from "../verify/ping-result.js";
import type { CaptureOptions, CaptureResult } from "./capture.js";
import type { ResolvedEndpoint } from "./endpoints.js";
import type { ExecOptions, ExecResult } from "./exec.js";
import type { BridgeFlows } from "./flows.js";
import type { IperfOptions, IperfResult } from "./iperf.js";
import type { ShapingResult } from "./link.js";
import type { LabPingOptions, PingReport } from "./ping.js";
import { RunningLab } from "./running.js";
import type { ServiceReport } from "./services.js";
import type { LabReport } from "./status.js";

/** The running lab `lab`, with the runner, backend and logger of `options` (not its signal). */
function running(lab: string, options: CommonOptions): RunningLab {
  return new RunningLab(lab, {
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

/**
 * Observe lab `lab` in the kernel now. A lab without a record but with objects marked as its own
 * (its record was lost) is reported as `record-missing`; E_NOT_FOUND when there is neither.
 */
export async function status(lab: string, options: CommonOptions = {}): Promise<LabReport> {
  try {
    return await running(lab, options).status(options);
  } catch (e) {
    const [{ NslabError }, { readLab }] = await Promise.all([
      import("../errors.js"),
      import("../state/store.js"),
    ]);
    if (!(e instanceof NslabError && e.code === "E_NOT_FOUND") || readLab(lab)) throw e;
    const [{ withDriver }, { unrecordedLabs }] = await Promise.all([
      import("../engine/driver.js"),
      import("./unrecorded.js"),
    ]);
    const found = await withDriver(options, (driver) => unrecordedLabs(driver, new Set(), new Set()));
    const report = found.find((r) => r.lab === lab);
    if (!report) throw e;
    return report;
  }
}

/** The flow tables of lab `lab`'s OVS bridges (or of `bridge`), with counters and controllers. */
export function flows(lab: string, bridge?: string, options: CommonOptions = {}): Promise<BridgeFlows[]> {
  return running(lab, options).flows(bridge);
}

/**
 * Observe every lab: each recorded one, then those running without a record, found by the markers
 * on their objects (one driver for all of them).
 */
export async function statusAll(options: CommonOptions = {}): Promise<LabReport[]> {
  const [
    { withDriver },
    { listLabs, readLab, readLabShared },
    { observeLab },
    { unrecordedLabs },
    { NslabError },
  ] = await Promise.all([
    import("../engine/driver.js"),
    import("../state/store.js"),
    import("./status.js"),
    import("./unrecorded.js"),
    import("../errors.js"),
  ]);
  return withDriver(options, async (driver) => {
    const out: LabReport[] = [];
    const recorded = new Set<string>();
    const namespaces = new Set<string>();
    for (const lab of listLabs()) {
      recorded.add(lab);
      let record: ReturnType<typeof readLabShared>;
      try {
        // The same parse observeLab uses (a 10,000-host record is 17 MB).
        record = readLabShared(lab);
      } catch {
        record = undefined; // unreadable: observeLab says so below
      }
      for (const n of record?.topology.nodes ?? []) if (n.kind === "netns") namespaces.add(n.netns);
      try {
        out.push(await observeLab(lab, driver));
      } catch (e) {
        // Taken down since the labs were listed: it is simply not up any more.
        if (e instanceof NslabError && e.code === "E_NOT_FOUND" && !readLab(lab)) continue;
        throw e;
      }
    }
    out.push(...(await unrecordedLabs(driver, recorded, namespaces)));
    // Labs this machine spread over several: each machine observes its part.
    const { listMultiLabs, readMultiLab } = await import("../state/multi.js");
    const spread = listMultiLabs().filter((lab) => readMultiLab(lab)?.status === "up");
    if (spread.length > 0) {
      const { statusMulti } = await import("./remote/status.js");
      for (const lab of spread) out.push(await statusMulti(lab, options));
    }
    return out;
  });
}

/**
 * Run `argv` in namespace node `node` of lab `lab` and capture its output. Like
 * `ip netns exec <namespace> argv…`: no shell is involved, and argv[0] is looked up in the system
 * PATH (give an absolute path otherwise, e.g. `process.execPath`). A non-zero exit is a result,
 * not an error, unless `check` is set; `signal` kills the command.
 */
export function exec(
  lab: string,
  node: string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return running(lab, options).exec(node, argv, options);
}

/** Run `argv` in `node` of `lab` attached to this terminal; resolves with its exit code. */
export function execInteractive(
  lab: string,
  node: string,
  argv: readonly string[],
  options: Pick<CommonOptions, "log"> & { here?: boolean } = {},
): Promise<number> {
  // `here`: this machine's part of a lab spread over several (what the controller asks over ssh).
  if (options.here) return import("./exec.js").then(({ execAttached }) => execAttached(lab, node, argv));
  return new RunningLab(lab, options.log ? { log: options.log } : {}).execInteractive(node, argv);
}

/** Ping pairs of lab `lab`: every subnet pair, or in big labs the farthest pair and a sample. */
export function ping(lab: string, options: LabPingOptions = {}): Promise<PingReport> {
  return running(lab, options).ping(options);
}

/**
 * One ping from node `from` of lab `lab` to `to`: another node (an address of it on a subnet the
 * two share, else its first address, IPv4 first) or an address. Never throws for a lost ping.
 */
export function pingFrom(
  lab: string,
  from: string,
  to: string,
  options: CommonOptions & Omit<PingOptions, "parallel" | "onResult"> = {},
): Promise<PingResult> {
  return running(lab, options).pingFrom(from, to, options);
}

/** Measure throughput from node `from` to node `to` of lab `lab`. */
export function iperf(
  lab: string,
  from: string,
  to: string,
  options: IperfOptions = {},
): Promise<IperfResult> {
  return running(lab, options).iperf(from, to, options);
}

/** Capture on `endpoint` (node:interface) of lab `lab`. */
export function capture(lab: string, endpoint: string, options: CaptureOptions = {}): Promise<CaptureResult> {
  return running(lab, options).capture(endpoint, options);
}

/**
 * Set one end (`node:interface`) of a link of lab `lab` administratively up or down, like
 * `ip link set DEV down`; the other end loses carrier, so traffic stops both ways.
 */
export function setLinkState(
  lab: string,
  endpoint: string,
  state: "up" | "down",
  options: CommonOptions = {},
): Promise<ResolvedEndpoint> {
  return running(lab, options).link(endpoint, state, options);
}

/**
 * Shape the egress of one end of a link of a running lab (with `both`, of both ends), or with
 * `null` remove the shaping (back to `noqueue`, a veth's default; clearing twice is fine). Replaces
 * whatever root qdisc the end had; nothing is recreated.
 * Delay, jitter and loss need netem: on a kernel without it this fails before changing anything.
 */
export function setLinkShaping(
  lab: string,
  endpoint: string,
  shaping: Shaping | null,
  options: CommonOptions & { both?: boolean } = {},
): Promise<ShapingResult> {
  return running(lab, options).shape(endpoint, shaping, options);
}

/** The services of lab `lab` and their state. */
export function services(lab: string): Promise<ServiceReport[]> {
  return new RunningLab(lab).services();
}

/**
 * The logs of `node`'s services in lab `lab` (or of `service`); with `follow`, what they write next
 * too (to `write`), until `signal` aborts or the lab goes down.
 */
export function logs(
  lab: string,
  node: string,
  service?: string,
  options: { follow?: boolean; write?: (text: string) => void; signal?: AbortSignal } = {},
): Promise<string> {
  return new RunningLab(lab).logs(node, service, options);
}
