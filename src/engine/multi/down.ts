/**
 * `down` of a lab spread over several machines, from the controller's record: every machine takes
 * its part down at once (waiting a little for an `up` of it that is still rolling back). Machines
 * that cannot be reached are named and stay in the record, so `down LAB` again finishes the job
 * when they are back; the record goes when every machine is clean.
 */
import { NslabError } from "../../errors.js";
import { acquireLock } from "../../state/lock.js";
import { type MultiLabState, readMultiLab, removeMultiLab, saveMultiLab } from "../../state/multi.js";
import { type CommonOptions, logOf } from "../options.js";
import type { DownResult } from "../results.js";
import { failures, Machines, machinesError, sshSettings } from "./machines.js";
import { multiLock, targetOf } from "./up.js";

/** Take multi-machine lab `lab` down on every machine (see the module). */
export async function downMulti(lab: string, options: CommonOptions = {}): Promise<DownResult> {
  const started = performance.now();
  const log = logOf(options);
  const lock = acquireLock(multiLock(lab), `nslab down ${lab}`, (m) => log("warn", m));
  try {
    const state = readMultiLab(lab);
    if (!state)
      return {
        lab,
        found: false,
        removed: [],
        skipped: [],
        leftovers: [],
        durationMs: performance.now() - started,
      };
    if (state.status === "applying")
      log(
        "warn",
        `lab '${lab}' was being brought up by process ${state.pid}, which is gone: removing what it left`,
      );
    saveMultiLab({ ...state, status: "destroying" });
    const pending = state.hosts.filter((h) => !h.done);
    const machines = new Machines(pending.map(targetOf), sshSettings(state.sshConfig), {
      ...(options.runner ? { runner: options.runner } : {}),
      log,
    });
    let outcomes: Awaited<ReturnType<typeof machines.each<DownResult>>>;
    try {
      outcomes = await machines.each((s) =>
        s.request<DownResult>("down", { lab, waitMs: 30_000 }, { timeoutMs: 300_000 }),
      );
    } finally {
      await machines.close();
    }
    const failed = failures(outcomes);
    const hosts = state.hosts.map((h) => {
      const o = outcomes.get(h.name);
      return o?.ok ? { ...h, done: true as const } : h;
    });
    const results = [...outcomes.values()].flatMap((o) => (o.ok ? [o.value] : []));
    if (failed.length > 0) {
      const next: MultiLabState = {
        ...state,
        hosts,
        status: "dirty",
        problem: { message: failed.map((e) => e.message).join("; "), fix: `nslab down ${lab}` },
      };
      saveMultiLab(next);
      const done = hosts.filter((h) => h.done).map((h) => h.name);
      throw machinesError(
        `lab '${lab}' is down on ${done.length > 0 ? done.map((h) => `host ${h}`).join(", ") : "no machine"}, but not everywhere`,
        failed,
        `run 'nslab down ${lab}' again when ${failed.length === 1 ? "it is" : "they are"} back`,
      );
    }
    removeMultiLab(lab);
    return {
      lab,
      found: true,
      removed: results.flatMap((r) => r.removed),
      skipped: results.flatMap((r) => r.skipped),
      leftovers: results.flatMap((r) => r.leftovers ?? []),
      durationMs: performance.now() - started,
      hosts: state.hosts.map((h) => {
        const o = outcomes.get(h.name);
        const r = o?.ok ? o.value : undefined;
        return { name: h.name, ssh: h.ssh, found: r?.found ?? false, removed: r?.removed.length ?? 0 };
      }),
    };
  } catch (e) {
    if (e instanceof NslabError) throw e;
    throw new NslabError("E_REMOTE", `down of lab '${lab}' failed: ${(e as Error).message}`, { cause: e });
  } finally {
    lock.release();
  }
}
