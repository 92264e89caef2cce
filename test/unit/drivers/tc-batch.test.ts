/** Shaping operations travel as `tc -batch` per namespace, and tc's failures map back to operations. */
import { describe, expect, it } from "vitest";
import { iprouteChannel } from "../../../src/drivers/apply/iproute-channel.js";
import type { Runner, RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import type { Op } from "../../../src/plan/ops.js";
import { runResult } from "../../support/recording-runner.js";

const tbf = { kind: "tbf", rateBps: 10e6, burst: 12500, latencyMs: 50 } as const;

describe("tc through the iproute2 channel", () => {
  it("batches a namespace's tc lines into one tc -batch, and reports the failed line's operation", async () => {
    const calls: { argv: readonly string[]; input?: string }[] = [];
    const runner: Runner = {
      async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
        calls.push({ argv, ...(options.input !== undefined ? { input: options.input } : {}) });
        const failing = argv.includes("tc") && options.input?.includes("dev missing");
        return runResult(argv, failing ? 'Cannot find device "missing"\nCommand failed -:2\n' : undefined);
      },
      start() {
        throw new Error("not used");
      },
    };
    const ops: Op[] = [
      { op: "qdisc.set", ns: "n1", dev: "e0", qdisc: tbf },
      { op: "qdisc.set", ns: "n1", dev: "missing", qdisc: tbf },
      { op: "qdisc.set", ns: null, dev: "port1", qdisc: { kind: "noqueue" } },
    ];
    const outcomes = await iprouteChannel(runner).apply(ops, "continue");
    expect(calls.map((c) => c.argv.join(" "))).toEqual([
      "tc -force -batch -",
      "nsenter --net=/run/netns/n1 -- tc -force -batch -",
    ]);
    expect(calls[0]!.input).toBe("qdisc replace dev port1 root noqueue\n");
    expect(calls[1]!.input).toBe(
      "qdisc replace dev e0 root tbf rate 10mbit burst 12500 latency 50ms\nqdisc replace dev missing root tbf rate 10mbit burst 12500 latency 50ms\n",
    );
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "failed", "ok"]);
    expect(outcomes[1]).toMatchObject({
      command: "tc -n n1 qdisc replace dev missing root tbf rate 10mbit burst 12500 latency 50ms",
      message: 'Cannot find device "missing"',
    });
  });
});
