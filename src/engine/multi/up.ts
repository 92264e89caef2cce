/**
 * `up` of a lab spread over several machines: one transaction. Every machine is probed (same nslab
 * version, its underlay, VXLAN identifiers in use) and the tunnels are planned; every machine then
 * plans its part and checks its names (nothing changed yet); the controller records the lab; every
 * machine applies its part and waits; only when all have applied does the controller commit them.
 * If any machine fails — or the controller is interrupted — every machine rolls back, and the error
 * names each machine that failed with its own message. If the controller dies (kill -9), the
 * machines see their session end and roll back by themselves; `down LAB` from here finds the record.
 */
import { NslabError } from "../../errors.js";
import type { Host, Topology } from "../../model/types.js";
import type { MachineFacts } from "../../plan/multihost/facts.js";
import { planMultiHost, usedHosts } from "../../plan/multihost/index.js";
import { acquireLock } from "../../state/lock.js";
import { type MultiLabState, readMultiLab, removeMultiLab, saveMultiLab } from "../../state/multi.js";
import { sameTopology } from "../fingerprint.js";
import { withInterrupts } from "../interrupts.js";
import { logOf, type UpOptions } from "../options.js";
import type { UpResult } from "../results.js";
import { failures, Machines, machinesError, type Outcome, sshSettings } from "./machines.js";
import { factProblems, factsError, probeMachines, takenOn } from "./probe.js";

/** The lock the controller holds on a multi-machine lab (never a lab name: ':' is not allowed in those). */
export const multiLock = (lab: string) => `multi:${lab}`;

/** The ssh target of a machine. */
export const targetOf = (h: Pick<Host, "name" | "ssh" | "nslab">) => ({
  host: h.name,
  ssh: h.ssh,
  nslab: h.nslab,
});

/** Bring up `t`, a lab whose nodes are on the machines of `t.hosts`. */
export async function upMulti(t: Topology, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const log = logOf(options);
  const lab = t.name;
  const lock = acquireLock(multiLock(lab), `nslab up ${lab}`, (m) => log("warn", m));
  try {
    const existing = readMultiLab(lab);
    if (existing) {
      if (existing.status === "up" && sameTopology(existing.topology, t) && !options.exclusive)
        return {
          lab,
          alreadyUp: true,
          updated: false,
          operations: 0,
          owned: [],
          startedOvs: false,
          durationMs: performance.now() - started,
          hosts: existing.hosts.map((h) => ({ name: h.name, ssh: h.ssh, operations: 0, durationMs: 0 })),
        };
      throw new NslabError(
        "E_CONFLICT",
        existing.status === "up"
          ? `lab '${lab}' is up over ${existing.hosts.length} machines with another topology; a lab spread over machines is not changed in place`
          : `lab '${lab}' has a record in state '${existing.status}' from an earlier run`,
        { hint: `take it down first: nslab down ${lab}` },
      );
    }
    const hosts = usedHosts(t);
    const machines = new Machines(hosts.map(targetOf), sshSettings(t.sshConfig), {
      ...(options.runner ? { runner: options.runner } : {}),
      log,
    });
    try {
      return await withInterrupts(log, options.signal, (signal) =>
        transaction(t, hosts, machines, signal, log, started),
      );
    } finally {
      await machines.close();
    }
  } finally {
    lock.release();
  }
}

/** `p`, or E_INTERRUPTED as soon as `signal` aborts. */
function until<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
const interrupted = () => new NslabError("E_INTERRUPTED", "interrupted");

async function transaction(
  t: Topology,
  hosts: readonly Host[],
  machines: Machines,
  signal: AbortSignal,
  log: NonNullable<UpOptions["log"]>,
  started: number,
): Promise<UpResult> {
  const lab = t.name;
  // 1. Probe every machine; stop (nothing changed) when one cannot be reached or is not fit.
  const probed = await until(probeMachines(t, hosts, machines), signal);
  const unanswered = failures(probed);
  if (unanswered.length > 0)
    throw machinesError(
      `cannot bring up lab '${lab}': ${unanswered.length} of ${hosts.length} machines did not answer`,
      unanswered,
      "nothing was changed on any machine",
    );
  const facts = new Map([...probed].map(([h, o]) => [h, (o as { value: MachineFacts }).value]));
  const problems = factProblems(t, facts);
  if (problems.length > 0) throw factsError(lab, problems);
  const taken = takenOn(t, facts);
  if (taken.length > 0)
    throw new NslabError(
      "E_CONFLICT",
      `a lab named '${lab}' exists already on ${taken.map((h) => `host ${h}`).join(", ")}`,
      { hint: `take it down there first (nslab down ${lab} on that machine); nothing was changed` },
    );

  // 2. Plan the tunnels and the parts.
  const plan = planMultiHost(t, facts);
  if (plan.errors.length > 0) throw factsError(lab, plan.errors);
  for (const w of plan.warnings) log("warn", w);

  // 3. Every machine plans its part and checks its names; nothing is changed yet.
  const planned = await until(
    machines.each((s, h) => s.request<{ operations: number }>("up", { topology: plan.parts.get(h)! })),
    signal,
  );
  const notPlanned = failures(planned);
  if (notPlanned.length > 0)
    throw machinesError(`lab '${lab}' was not brought up (nothing was changed on any machine)`, notPlanned);

  // 4. The record, before any machine changes anything: `down LAB` works from here on.
  const now = new Date().toISOString();
  const state: MultiLabState = {
    version: 1,
    kind: "multi",
    lab,
    status: "applying",
    topology: t,
    hosts: hosts.map((h) => ({ name: h.name, ssh: h.ssh, nslab: h.nslab })),
    ...(t.sshConfig !== undefined ? { sshConfig: t.sshConfig } : {}),
    tunnels: plan.tunnels.map((x) => ({
      a: `${x.a.end.node}:${x.a.end.iface}`,
      b: `${x.b.end.node}:${x.b.end.iface}`,
      aHost: x.a.host,
      bHost: x.b.host,
      vni: x.vni,
      mtu: x.mtu,
    })),
    pid: process.pid,
    createdAt: now,
    updatedAt: now,
  };
  saveMultiLab(state);

  // 5. Every machine applies its part, then waits for the commit.
  let applied: Map<string, Outcome<{ operations: number; durationMs: number }>>;
  try {
    applied = await until(
      machines.each((s) => s.request<{ operations: number; durationMs: number }>("apply")),
      signal,
    );
  } catch (e) {
    await undo(state, machines, [...machines.sessions.keys()], log);
    throw new NslabError(
      "E_INTERRUPTED",
      `interrupted: lab '${lab}' was not brought up; every machine rolled back`,
      {
        cause: e,
      },
    );
  }
  const notApplied = failures(applied);
  if (notApplied.length > 0) {
    const ok = [...applied].filter(([, o]) => o.ok).map(([h]) => h);
    const left = await undo(
      state,
      machines,
      ok,
      log,
      notApplied.filter((e) => e.code === "E_ROLLBACK"),
    );
    throw machinesError(
      `lab '${lab}' was not brought up; ${left ? "the rollback failed on some machines" : "every machine rolled back"}`,
      notApplied,
      left ? `finish the cleanup with: nslab down ${lab}` : undefined,
    );
  }

  // 6. Commit.
  const committed = await machines.each((s) => s.request<{ durationMs: number }>("commit"));
  const notCommitted = failures(committed);
  if (notCommitted.length > 0) {
    saveMultiLab({
      ...state,
      status: "dirty",
      problem: {
        message: notCommitted.map((e) => e.message).join("; "),
        fix: `nslab down ${lab}`,
      },
    });
    throw machinesError(
      `lab '${lab}' may be only partly up: some machines did not confirm`,
      notCommitted,
      `take it down: nslab down ${lab}`,
    );
  }
  saveMultiLab({ ...state, status: "up" });
  const result = (h: Host) => {
    const a = applied.get(h.name);
    const value = a?.ok ? a.value : { operations: 0, durationMs: 0 };
    return { name: h.name, ssh: h.ssh, operations: value.operations, durationMs: value.durationMs };
  };
  const perHost = hosts.map(result);
  return {
    lab,
    alreadyUp: false,
    updated: false,
    operations: perHost.reduce((s, h) => s + h.operations, 0),
    owned: [],
    startedOvs: false,
    durationMs: performance.now() - started,
    hosts: perHost,
  };
}

/**
 * Tell `hosts` to roll back and wait for them; forget the record when every machine is clean, else
 * mark it dirty. Returns whether something was left.
 */
async function undo(
  state: MultiLabState,
  machines: Machines,
  hosts: readonly string[],
  log: NonNullable<UpOptions["log"]>,
  alreadyFailed: readonly Error[] = [],
): Promise<boolean> {
  log("warn", `rolling back lab '${state.lab}' on ${hosts.length} machine${hosts.length === 1 ? "" : "s"}`);
  const undone = await machines.each((s) => s.request("abort"), hosts);
  const failed = [...failures(undone), ...alreadyFailed];
  if (failed.length === 0) {
    removeMultiLab(state.lab);
    return false;
  }
  saveMultiLab({
    ...state,
    status: "dirty",
    problem: { message: failed.map((e) => e.message).join("; "), fix: `nslab down ${state.lab}` },
  });
  return true;
}
