/** Options shared by the lab operations, and the logger type. */
import type { ProgressFn } from "../drivers/apply/types.js";
import type { Backend } from "../drivers/driver.js";
import type { Runner } from "../drivers/runner/index.js";

/** Receives what a lab operation has to say along the way. */
export type Logger = (level: "info" | "warn", message: string) => void;

export interface CommonOptions {
  /** Runs external programs (tests pass a recording runner). */
  runner?: Runner;
  /** `agent` (native, fast) or `iproute2`; default: the agent when built. */
  backend?: Backend | "auto";
  log?: Logger;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

export const silent: Logger = () => {};
