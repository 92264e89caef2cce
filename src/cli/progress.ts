/** Progress of long operations on a terminal: "up lab: 1200/4000 operations (nsagent)". */
import type { ProgressFn } from "../engine/options.js";
import { isQuiet } from "./output.js";

/** A progress line on stderr, only when stderr is a terminal, not --quiet, and the work takes a moment. */
export function progress(label: string, unit = "operations"): { update: ProgressFn; done(): void } {
  const tty = process.stderr.isTTY && !isQuiet();
  const start = Date.now();
  let shown = false;
  return {
    update: ({ done, total, phase }) => {
      if (!tty || Date.now() - start < 300) return;
      shown = true;
      process.stderr.write(`\r${label}: ${done}/${total} ${unit} (${phase})\u001b[K`);
    },
    done: () => {
      if (shown) process.stderr.write("\r\u001b[K");
    },
  };
}
