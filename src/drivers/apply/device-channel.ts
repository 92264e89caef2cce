/**
 * The channel for borrowing host interfaces and giving them back (`phys.move`, `phys.return`): each
 * command runs on its own, in order, as `nslab plan` prints it — moving an interface between
 * namespaces and restoring it there must not be reordered or batched per namespace. Giving back is
 * best effort to the end: an address or route that is there already counts as restored, and one
 * that cannot be re-added does not keep the rest from being restored.
 */
import { commandArgv, opCommands } from "../../plan/commands.js";
import { formatArgv, type Runner } from "../runner/index.js";
import { type CommandStatus, outcomeOf } from "./outcomes.js";
import type { Channel, OpOutcome } from "./types.js";

/** `ip addr add` / `ip route add` of something already there. */
const ALREADY = /File exists/;

export function deviceChannel(runner: Runner): Channel {
  return {
    name: "host devices",
    async apply(ops, mode, signal) {
      const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
      for (const [k, op] of ops.entries()) {
        if (signal?.aborted) break;
        const commands = opCommands(op);
        const status: CommandStatus[] = commands.map(() => ({ status: "not-run" }));
        const giving = op.op === "phys.return";
        for (const [i, c] of commands.entries()) {
          if (signal?.aborted) break;
          const r = await runner.run(commandArgv(c), { allowFailure: true, timeoutMs: 30_000 });
          const adds = c.args.includes("add") && (c.args.includes("addr") || c.args.includes("route"));
          if (r.exitCode === 0 || (giving && adds && ALREADY.test(r.stderr))) status[i] = { status: "ok" };
          else {
            status[i] = { status: "failed", message: r.stderr.trim() || `exit ${r.exitCode}` };
            // Moving in stops at the first failure; giving back restores all it can.
            if (!giving) break;
          }
        }
        outcomes[k] = outcomeOf(status, (i) => formatArgv(commandArgv(commands[i]!)));
        const failed = outcomes[k]!.status === "failed" || outcomes[k]!.status === "partial";
        if (failed && mode === "stop") break;
      }
      return outcomes;
    },
  };
}
