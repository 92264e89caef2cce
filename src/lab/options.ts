/** Options shared by the lab operations, and the logger type. */
import type { ProgressFn } from "../drivers/apply/types.js";
import type { Backend } from "../drivers/driver.js";
import type { Runner } from "../drivers/runner/index.js";
import type { Logger } from "../util/logger.js";

export type { Logger } from "../util/logger.js";
export { silent } from "../util/logger.js";

/** Options every lab operation takes. */
export interface CommonOptions {
  /** Runs external programs (tests pass a recording runner). */
  runner?: Runner;
  /** `agent` (native, fast) or `iproute2`; default: the agent when built (or `NSLAB_BACKEND`). */
  backend?: Backend | "auto";
  /** Receives progress messages and warnings; silent by default. */
  log?: Logger;
  /** Aborts the operation: `up` stops and undoes what it did; `exec` kills its command. */
  signal?: AbortSignal;
  /** Called as batches of operations complete (`up`). */
  onProgress?: ProgressFn;
}
