/**
 * A lab spread over several machines, as the operations on a running lab meet it: its controller
 * record (it must be up), the machine each node is on, sessions with the machines an operation
 * needs, and how a machine that cannot be reached is reported (named, with what to do) while the
 * others still answer.
 */
import type { RemoteSession } from "../../drivers/remote/session.js";
import { Machines, type Outcome, sshSettings } from "../../engine/multi/machines.js";
import { targetOf } from "../../engine/multi/up.js";
import type { CommonOptions } from "../../engine/options.js";
import { NslabError } from "../../errors.js";
import type { Node } from "../../model/types.js";
import { type MultiHost, type MultiLabState, readMultiLab } from "../../state/multi.js";
import { listSome } from "../../util/listing.js";

/** The record of multi-machine lab `lab`, which must be up (E_NOT_FOUND otherwise). */
export function upMultiRecord(lab: string): MultiLabState {
  const state = readMultiLab(lab);
  if (state?.status !== "up")
    throw new NslabError(
      "E_NOT_FOUND",
      state ? `lab '${lab}' is ${state.status}, not up` : `no lab named '${lab}' is up`,
      state ? { hint: state.problem?.fix ?? `nslab down ${lab}` } : {},
    );
  return state;
}

/** Node `name` of the lab and its machine (E_NOT_FOUND naming the nodes there are). */
export function nodeOn(state: MultiLabState, name: string): { node: Node; host: MultiHost } {
  const node = state.topology.nodes.find((n) => n.name === name);
  if (!node)
    throw new NslabError("E_NOT_FOUND", `lab '${state.lab}' has no node '${name}'`, {
      hint: `its namespace nodes: ${listSome(
        state.topology.nodes.filter((n) => n.kind === "netns").map((n) => n.name),
      )}`,
    });
  const host = state.hosts.find((h) => h.name === node.host);
  if (!host) throw new Error(`internal: node '${name}' of lab '${state.lab}' is on no recorded machine`);
  return { node, host };
}

/** Sessions with `hosts` (names) of the lab's machines (all of them by default). */
export function openMachines(
  state: MultiLabState,
  options: Pick<CommonOptions, "runner" | "log">,
  hosts?: Iterable<string>,
): Machines {
  const wanted = hosts ? new Set(hosts) : undefined;
  return new Machines(
    state.hosts.filter((h) => !wanted || wanted.has(h.name)).map(targetOf),
    sshSettings(state.sshConfig),
    { ...(options.runner ? { runner: options.runner } : {}), ...(options.log ? { log: options.log } : {}) },
  );
}

/** Ask `hosts` at once with `fn`, then end the sessions; each machine's outcome. */
export async function askMachines<T>(
  state: MultiLabState,
  options: Pick<CommonOptions, "runner" | "log">,
  hosts: Iterable<string>,
  fn: (s: RemoteSession, host: string) => Promise<T>,
): Promise<Map<string, Outcome<T>>> {
  const names = [...hosts];
  const machines = openMachines(state, options, names);
  try {
    return await machines.each(fn, names);
  } finally {
    await machines.close();
  }
}

/** What to do about a machine that did not answer. */
export function unreachableFix(lab: string, host: MultiHost): string {
  return `check that 'ssh ${host.ssh}' works without a password and that nslab runs there, then run the command again (nslab down ${lab} removes what can be reached)`;
}
