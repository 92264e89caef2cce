/**
 * Flows through `ovs-ofctl`, OVS's own OpenFlow client: checking flows with its parser (no switch
 * needed), adding and deleting them on a bridge with the bridge's OpenFlow versions, and reading a
 * bridge's flow table back with its counters. A bridge is reached by its management socket under
 * the OVS run directory.
 */
import type { Runner } from "../runner/index.js";

/** `-O VERSIONS` when the bridge speaks only some versions (ovs-ofctl's default is OpenFlow 1.0). */
export function versionArgs(protocols: readonly string[]): string[] {
  return protocols.length > 0 ? ["-O", protocols.join(",")] : [];
}

/** The management socket of `bridge`, as ovs-ofctl's `SWITCH` argument. */
export function bridgeTarget(runDir: string, bridge: string): string {
  return `unix:${runDir}/${bridge}.mgmt`;
}

/** What OVS's parser said about one flow of a list. */
export interface FlowProblem {
  /** Index in the list given. */
  index: number;
  message: string;
}

/**
 * Check `flows` with OVS's own parser (`ovs-ofctl parse-flows`, as `add-flows` would read them, with
 * the versions they will be sent with): every bad flow with OVS's words. One process for a good
 * list; a bad one is found by its line, and the rest checked on from there.
 */
export async function checkFlows(
  runner: Runner,
  flows: readonly string[],
  protocols: readonly string[],
): Promise<FlowProblem[]> {
  const problems: FlowProblem[] = [];
  let from = 0;
  while (from < flows.length) {
    const rest = flows.slice(from);
    const res = await runner.run(["ovs-ofctl", ...versionArgs(protocols), "parse-flows", "-"], {
      input: `${rest.join("\n")}\n`,
      allowFailure: true,
      timeoutMs: 30_000,
    });
    if (res.exitCode === 0) break;
    const message = ofctlMessage(res.stderr) || `ovs-ofctl exited with code ${res.exitCode}`;
    const line = /^-:(\d+):\s*/.exec(message);
    if (line) {
      const index = from + Number(line[1]) - 1;
      problems.push({ index, message: message.slice(line[0].length) });
      from = index + 1;
      continue;
    }
    // Said of the list as a whole (e.g. "no usable protocol"): find the flows it is true of.
    for (let i = 0; i < rest.length; i++) {
      const one = await runner.run(["ovs-ofctl", ...versionArgs(protocols), "parse-flow", rest[i]!], {
        allowFailure: true,
        timeoutMs: 30_000,
      });
      if (one.exitCode !== 0)
        problems.push({ index: from + i, message: ofctlMessage(one.stderr) || message });
    }
    if (problems.length === 0) problems.push({ index: from, message });
    break;
  }
  return problems;
}

/** ovs-ofctl's error without its `ovs-ofctl: ` prefix (the last line: earlier ones are warnings). */
export function ofctlMessage(stderr: string): string {
  const lines = stderr.trim().split("\n").filter(Boolean);
  return (lines.at(-1) ?? "").replace(/^ovs-ofctl:\s*/, "").trim();
}

/** One flow of a bridge's table, as `ovs-ofctl dump-flows` reports it. */
export interface FlowEntry {
  table: number;
  priority: number;
  /** The match, as OVS writes it (`icmp,nw_src=10.0.0.1`; empty: every packet). */
  match: string;
  actions: string;
  packets: number;
  bytes: number;
  cookie: string;
  /** Seconds since the flow was added. */
  durationS: number;
  idleTimeout?: number;
  hardTimeout?: number;
}

const STAT =
  /^(cookie|duration|table|n_packets|n_bytes|n_offload_packets|n_offload_bytes|idle_timeout|hard_timeout|idle_age|hard_age|importance)=(\S+)$/;
const FLAGS = new Set([
  "send_flow_rem",
  "check_overlap",
  "reset_counts",
  "no_packet_counts",
  "no_byte_counts",
]);

/** The flows in `ovs-ofctl dump-flows` output. */
export function parseDumpFlows(text: string): FlowEntry[] {
  const out: FlowEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const cut = /(^|[ ,])actions=/.exec(line);
    if (!line.startsWith("cookie=") || !cut) continue;
    const head = line.slice(0, cut.index);
    const actions = line.slice(cut.index + cut[0].length);
    const stats = new Map<string, string>();
    const parts = head.split(", ");
    let i = 0;
    for (; i < parts.length; i++) {
      const m = STAT.exec(parts[i]!.trim().replace(/,$/, ""));
      if (!m) break;
      stats.set(m[1]!, m[2]!);
    }
    const words = parts
      .slice(i)
      .join(", ")
      .split(/[\s,]+/)
      .filter(Boolean);
    let priority = 32768;
    const match: string[] = [];
    for (const w of words) {
      if (FLAGS.has(w)) continue;
      if (w.startsWith("priority=")) priority = Number(w.slice(9));
      else match.push(w);
    }
    const num = (k: string) => Number(stats.get(k) ?? 0);
    out.push({
      table: num("table"),
      priority,
      match: match.join(","),
      actions,
      packets: num("n_packets"),
      bytes: num("n_bytes"),
      cookie: stats.get("cookie") ?? "0x0",
      durationS: Number((stats.get("duration") ?? "0").replace(/s$/, "")),
      ...(stats.has("idle_timeout") ? { idleTimeout: num("idle_timeout") } : {}),
      ...(stats.has("hard_timeout") ? { hardTimeout: num("hard_timeout") } : {}),
    });
  }
  return out;
}

/** The flow table of `bridge` (every table), read with the bridge's versions. */
export async function dumpFlows(
  runner: Runner,
  runDir: string,
  bridge: string,
  protocols: readonly string[],
): Promise<FlowEntry[]> {
  const res = await runner.run(
    ["ovs-ofctl", ...versionArgs(protocols), "dump-flows", bridgeTarget(runDir, bridge)],
    { timeoutMs: 30_000 },
  );
  return parseDumpFlows(res.stdout);
}
