/**
 * Flow operations through `ovs-ofctl`: consecutive flows for one bridge (same versions, same kind)
 * travel in one `add-flows` or `--strict del-flows` call reading them from stdin.
 */
import type { Op, OpOf } from "../../plan/ops.js";
import { bridgeTarget, ofctlMessage, versionArgs } from "../ovs/ofctl.js";
import { formatArgv, type Runner } from "../runner/index.js";
import type { Channel, OpOutcome } from "./types.js";

type FlowOp = OpOf<"ovs.flow.add"> | OpOf<"ovs.flow.del">;

/** The ovs-ofctl channel; `runDir` is where the bridges' management sockets are. */
export function ofctlChannel(runner: Runner, runDir: () => string): Channel {
  return {
    name: "ovs-ofctl",
    async apply(ops, mode, signal) {
      const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
      let failed = false;
      for (const run of runs(ops)) {
        if ((failed && mode === "stop") || signal?.aborted) break;
        const first = run[0]!.op;
        const add = first.op === "ovs.flow.add";
        const argv = [
          "ovs-ofctl",
          ...versionArgs(first.protocols),
          ...(add ? ["add-flows"] : ["--strict", "del-flows"]),
          bridgeTarget(runDir(), first.bridge),
          "-",
        ];
        const lines = run.map((r) => (r.op.op === "ovs.flow.add" ? r.op.flow : r.op.match));
        const res = await runner.run(argv, {
          input: `${lines.join("\n")}\n`,
          allowFailure: true,
          timeoutMs: 30_000 + lines.length * 10,
          ...(signal ? { signal } : {}),
        });
        if (res.exitCode === 0) {
          for (const r of run) outcomes[r.index] = { status: "ok" };
          continue;
        }
        failed = true;
        const message = ofctlMessage(res.stderr) || `ovs-ofctl exited with code ${res.exitCode}`;
        const command = `${formatArgv(argv)} <<${lines.length} lines`;
        // A flow the switch refused is named by its line; those before it were sent.
        const line = /^-:(\d+):/.exec(message);
        run.forEach((r, k) => {
          if (line && k < Number(line[1]) - 1) outcomes[r.index] = { status: "ok" };
          else if (!line || k === Number(line[1]) - 1)
            outcomes[r.index] = { status: add && !line ? "partial" : "failed", message, command };
        });
      }
      return outcomes;
    },
  };
}

/** Consecutive flow operations of one kind for one bridge with the same versions. */
function runs(ops: readonly Op[]): { index: number; op: FlowOp }[][] {
  const out: { index: number; op: FlowOp }[][] = [];
  const same = (a: FlowOp, b: FlowOp) =>
    a.op === b.op && a.bridge === b.bridge && a.protocols.join(",") === b.protocols.join(",");
  ops.forEach((op, index) => {
    if (op.op !== "ovs.flow.add" && op.op !== "ovs.flow.del")
      throw new Error(`internal: ${op.op} is not a flow operation`);
    const last = out.at(-1);
    if (last && same(last[0]!.op, op)) last.push({ index, op });
    else out.push([{ index, op }]);
  });
  return out;
}
