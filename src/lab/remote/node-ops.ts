/**
 * Operations on one node or link end of a lab spread over several machines, each sent to the
 * machine that holds it over that machine's `nslab remote` session: one ping from a node (on the
 * node's machine), one link end taken down or up (on the end's machine). And the list of such labs
 * this machine controls, for the web view. A machine that cannot be reached is named in the error.
 */
import { NslabError } from "../../errors.js";
import { listMultiLabs, readMultiLab } from "../../state/multi.js";
import type { PingOptions, PingResult } from "../../verify/ping-result.js";
import type { ResolvedEndpoint } from "../endpoints.js";
import { pingPair } from "../ping.js";
import type { LabSummary } from "../status.js";
import { nodeOn, openMachines, upMultiRecord } from "./lab.js";

/** One ping from node `from` to `to` (a node or an address) of multi-machine lab `lab`. */
export async function pingFromMulti(
  lab: string,
  from: string,
  to: string,
  options: Pick<PingOptions, "waitSeconds" | "attempts"> & Parameters<typeof openMachines>[1] = {},
): Promise<PingResult> {
  const state = upMultiRecord(lab);
  const pair = pingPair(state.topology, from, to);
  const { host } = nodeOn(state, from);
  const machines = openMachines(state, options, [host.name]);
  try {
    const wire = {
      ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
      ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    };
    const [r] = await machines
      .get(host.name)
      .request<PingResult[]>("ping", { lab, pairs: [pair], options: wire }, { timeoutMs: 120_000 });
    if (!r) throw new NslabError("E_REMOTE", `host ${host.name} answered no ping from ${from}`);
    return r;
  } finally {
    await machines.close();
  }
}

/** Take one end (`node:interface`) of a link of multi-machine lab `lab` down or up, on its machine. */
export async function linkMulti(
  lab: string,
  endpoint: string,
  state: "up" | "down",
  options: Parameters<typeof openMachines>[1] = {},
): Promise<ResolvedEndpoint> {
  const record = upMultiRecord(lab);
  const node = endpoint.split(":", 1)[0]!;
  const { host } = nodeOn(record, node);
  const machines = openMachines(record, options, [host.name]);
  try {
    return await machines
      .get(host.name)
      .request<ResolvedEndpoint>("link", { lab, endpoint, state }, { timeoutMs: 60_000 });
  } finally {
    await machines.close();
  }
}

/** The labs this machine spread over several, from their records (no machine is asked). */
export function multiLabSummaries(): LabSummary[] {
  const out: LabSummary[] = [];
  for (const lab of listMultiLabs()) {
    let state: ReturnType<typeof readMultiLab>;
    try {
      state = readMultiLab(lab);
    } catch {
      continue;
    }
    if (state?.status !== "up") continue;
    out.push({
      lab,
      status: "up",
      ...(state.topology.file ? { source: state.topology.file } : {}),
      createdAt: state.createdAt,
      nodes: state.topology.nodes.length,
      links: state.topology.links.length,
    });
  }
  return out;
}
