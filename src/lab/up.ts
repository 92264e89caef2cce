/**
 * `up`: create a lab. Checks the host and every name first, writes the lab's record (its intent)
 * before creating anything, applies the plan in batches, and on any failure or interrupt removes
 * what this run created — so a failed `up` leaves the host as it found it.
 */
import { applyOps } from "../drivers/apply/executor.js";
import { Driver } from "../drivers/driver.js";
import { ensureOvs, releaseOvs } from "../drivers/ovs-service.js";
import { linuxStpPending, ovsStpPending, waitSettled } from "../drivers/stp.js";
import { NslabError } from "../errors.js";
import { ovsKernelModule } from "../host/facts.js";
import { hostLimits } from "../host/limits.js";
import type { Topology } from "../model/types.js";
import { planUp } from "../plan/build.js";
import { checkHostLimits } from "../plan/limits.js";
import { acquireLock } from "../state/lock.js";
import { newLabState, type OwnedObject, readLab, removeLab, saveLab } from "../state/store.js";
import { sameTopology } from "./fingerprint.js";
import { createdObjects } from "./inventory.js";
import { type CommonOptions, type Logger, silent } from "./options.js";
import { checkEnvironment, conflictError, findConflicts } from "./preflight.js";
import { teardown } from "./teardown.js";

export interface UpOptions extends CommonOptions {
  /** Test hook: make operation N (1-based) fail, to exercise the rollback. Also `NSLAB_FAULT_AT`. */
  faultAt?: number;
}

/** What `up` did. */
export interface UpResult {
  lab: string;
  /** The lab was already up with this very topology; nothing was done. */
  alreadyUp: boolean;
  /** Number of operations applied. */
  operations: number;
  /** Objects the lab now owns (namespaces, root links, OVS bridges). */
  owned: OwnedObject[];
  /** The OVS datapath used, when the lab has OVS bridges. */
  datapath?: "netdev" | "system";
  /** nslab started the OVS daemons for this lab. */
  startedOvs: boolean;
  durationMs: number;
}

/** Bring `topology` up. */
export async function up(topology: Topology, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const log = options.log ?? silent;
  const driver = new Driver({
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  const lab = topology.name;
  try {
    const ops = planUp(topology, { ovsKernelDatapath: ovsKernelModule() });
    const usesOvs = ops.some((o) => o.op.startsWith("ovs."));
    const datapath = ops.find((o) => o.op === "ovs.bridge.add")?.datapath;
    checkEnvironment(ops, driver);
    const limits = checkHostLimits(topology, hostLimits());
    if (limits.errors.length > 0)
      throw new NslabError(
        "E_ENV",
        limits.errors.length === 1
          ? limits.errors[0]!.message
          : `this host cannot hold the lab:\n  - ${limits.errors.map((e) => e.message).join("\n  - ")}`,
        { hint: limits.errors.map((e) => e.hint).join("; ") },
      );
    for (const w of limits.warnings) log("warn", `${w.message}\n  hint: ${w.hint}`);
    const lock = acquireLock(lab, `nslab up ${lab}`, (m) => log("warn", m));
    try {
      const existing = readLab(lab);
      if (existing) {
        if (existing.status === "up" && sameTopology(existing.topology, topology))
          return {
            lab,
            alreadyUp: true,
            operations: 0,
            owned: existing.owned,
            startedOvs: false,
            durationMs: performance.now() - started,
            ...(datapath ? { datapath } : {}),
          };
        throw new NslabError(
          "E_CONFLICT",
          existing.status === "up"
            ? `lab '${lab}' is already up with a different topology`
            : `lab '${lab}' has a record in state '${existing.status}' from an earlier run`,
          { hint: `take it down first: nslab down ${lab}` },
        );
      }
      let startedOvs = false;
      if (usesOvs) {
        const info = await ensureOvs(driver.runner, (m) => log("info", m));
        startedOvs = info.startedNow;
        log(
          "info",
          `Open vSwitch datapath: ${datapath === "netdev" ? "netdev (userspace; the openvswitch kernel module is not loaded)" : "system (kernel module)"}`,
        );
      }
      const conflicts = await findConflicts(ops, driver, usesOvs ? await driver.ovsdb() : undefined);
      if (conflicts.length > 0) {
        if (startedOvs) await releaseOvs(driver.runner, (m) => log("info", m));
        throw conflictError(lab, conflicts);
      }

      const owned = createdObjects(ops);
      const state = newLabState(topology, owned);
      saveLab(state); // the intent: if this process dies, `down` knows what to look for

      const abort = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        if (abort.signal.aborted) {
          log("warn", `${sig} again: still rolling back, please wait`);
          return;
        }
        log("warn", `${sig}: stopping and undoing what this run created`);
        abort.abort();
      };
      options.signal?.addEventListener("abort", () => abort.abort(), { once: true });
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        const faultAt =
          options.faultAt ?? (process.env.NSLAB_FAULT_AT ? Number(process.env.NSLAB_FAULT_AT) : undefined);
        const report = await applyOps(ops, driver.route, {
          mode: "stop",
          signal: abort.signal,
          ...(faultAt !== undefined ? { faultAt } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
        if (!report.error && !report.interrupted) {
          await settleSpanningTrees(topology, driver, log);
          saveLab({ ...state, status: "up" });
          return {
            lab,
            alreadyUp: false,
            operations: ops.length,
            owned,
            startedOvs,
            durationMs: performance.now() - started,
            ...(datapath ? { datapath } : {}),
          };
        }

        // Undo exactly what this run changed: objects of operations that succeeded or half-succeeded.
        const touched = ops.filter((_, i) => {
          const s = report.outcomes[i]!.status;
          return s === "ok" || s === "partial";
        });
        const cause: NslabError =
          report.error ?? new NslabError("E_INTERRUPTED", `interrupted: lab '${lab}' was not brought up`);
        log(
          "warn",
          `${report.error ? "an operation failed" : "interrupted"}: removing what this run created`,
        );
        const rb = await teardown(lab, createdObjects(touched), driver, {
          acceptUnaliasedLinks: true,
          ovs: () => driver.ovsdb(),
        });
        if (rb.failures.length > 0) {
          const fix = `nslab down ${lab}`;
          saveLab({
            ...state,
            status: "dirty",
            problem: {
              message: `rollback after a failed up left ${rb.failures.length} object(s): ${rb.failures.map((f) => `${f.object.name} (${f.message})`).join("; ")}`,
              fix,
            },
          });
          throw new NslabError(
            "E_ROLLBACK",
            `${cause.message}\nthe rollback failed too: ${rb.failures.map((f) => `${f.object.kind} ${f.object.name}: ${f.message}`).join("; ")}`,
            {
              hint: `finish the cleanup with: ${fix}`,
              cause,
            },
          );
        }
        removeLab(lab);
        if (usesOvs) await releaseOvs(driver.runner, (m) => log("info", m), lab);
        throw cause;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    } finally {
      lock.release();
    }
  } finally {
    await driver.close();
  }
}

/**
 * A lab with loops runs STP on its bridges; their ports listen, then learn, for the forward delay
 * each (30 s in all by default) before they forward or block. Wait for that, so the lab works when
 * `up` returns (`nslab ping` right after succeeds). Not an error if it takes longer: said, and done.
 */
async function settleSpanningTrees(t: Topology, driver: Driver, log: Logger): Promise<void> {
  const linux = t.nodes.flatMap((n) => (n.kind === "bridge" && n.stp ? [n.ifname] : []));
  const ovs = t.nodes.filter((n) => n.kind === "ovs-bridge" && n.stp);
  if (linux.length === 0 && ovs.length === 0) return;
  const ovsPorts = new Set(
    ovs.flatMap((n) => (n.kind === "ovs-bridge" ? n.interfaces.map((i) => i.ifname) : [])),
  );
  const pending = async () => [
    ...linuxStpPending(linux),
    ...(ovs.length > 0 ? await ovsStpPending(await driver.ovsdb(), ovsPorts) : []),
  ];
  let said = false;
  const left = await waitSettled(pending, 90_000, (n) => {
    if (said) return;
    said = true;
    log(
      "info",
      `waiting for the spanning tree: ${n} bridge ports still listening or learning (forward delay)`,
    );
  });
  if (left.length > 0)
    log("warn", `the spanning tree has not settled yet: ${left.length} ports still listening or learning`);
}
