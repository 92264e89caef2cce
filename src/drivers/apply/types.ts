/** The contract between the executor and the channels that carry operations to the kernel/OVS. */
import type { Op } from "../../plan/ops.js";

/** What happened to one operation. */
export type OpOutcome =
  | { status: "ok" }
  /** Failed without changing anything (nothing to undo). */
  | { status: "failed"; message: string; command: string }
  /** Failed after changing something (undo it). */
  | { status: "partial"; message: string; command: string }
  | { status: "skipped" };

/** `stop`: stop at the first failure (building). `continue`: do everything possible (tearing down). */
export type FailureMode = "stop" | "continue";

/** Carries a list of operations to the kernel or OVS, as few requests as it can. */
export interface Channel {
  readonly name: string;
  /**
   * Its operations need only what comes before them, and nothing after them in a plan needs them
   * (nodes' own file systems and mount namespaces: made after the namespaces, used by the services
   * started once the plan is applied). With `overlap`, the executor lets such a channel work while
   * the others go on; it must then be carried by a process of its own.
   */
  readonly independent?: boolean;
  /** Apply `ops` in order; one outcome per op. Must not throw for an operation's failure. */
  apply(ops: readonly Op[], mode: FailureMode, signal?: AbortSignal): Promise<OpOutcome[]>;
}

/** Progress of a long apply: `done` of `total` operations, in phase `phase`. */
export type ProgressFn = (p: { done: number; total: number; phase: string }) => void;
