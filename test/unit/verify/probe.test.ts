/** The probes' retries: a failed address resolution is tried again while time is left; other answers are final. */
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Runner, RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import { pingProbe, tcpProbe } from "../../../src/verify/probe.js";

/** Answers each run with the next of `answers` (the last one again once they run out). */
class ScriptedRunner implements Runner {
  readonly calls: (readonly string[])[] = [];
  constructor(private readonly answers: Partial<RunResult>[]) {}
  async run(argv: readonly string[], _options: RunOptions = {}): Promise<RunResult> {
    const a = this.answers[Math.min(this.calls.length, this.answers.length - 1)]!;
    this.calls.push(argv);
    return { argv, exitCode: 0, stdout: "", stderr: "", durationMs: 1, ...a };
  }
  start(): ChildProcess {
    throw new Error("not used");
  }
}

const UNRESOLVED = {
  exitCode: 1,
  stdout:
    "From 10.31.0.1 icmp_seq=1 Destination Host Unreachable\n\n1 packets transmitted, 0 received, +1 errors\n",
};
const ANSWERED = { exitCode: 0, stdout: "64 bytes from 10.31.0.2: icmp_seq=1 ttl=64 time=0.051 ms\n" };

describe("pingProbe", () => {
  it("tries again after a failed address resolution, and passes on the answer that follows", async () => {
    const runner = new ScriptedRunner([UNRESOLVED, UNRESOLVED, ANSWERED]);
    expect(await pingProbe(runner, "n-a", "10.31.0.2", { family: 4, deadlineSeconds: 3 })).toEqual({
      ok: true,
      ms: 0.051,
    });
    expect(runner.calls).toHaveLength(3);
    // Each try gets what is left of the deadline.
    expect(runner.calls[0]).toContain("3");
  });

  it("reports the failed resolution once the deadline is spent", async () => {
    const runner = new ScriptedRunner([UNRESOLVED]);
    const r = await pingProbe(runner, "n-a", "10.31.0.2", { family: 4, deadlineSeconds: 1 });
    expect(r).toEqual({ ok: false, error: "Destination Host Unreachable" });
    expect(runner.calls.length).toBeGreaterThan(1);
    expect(runner.calls.length).toBeLessThan(12);
  });

  it("takes any other answer as final: a rejecting firewall is not asked twice", async () => {
    const runner = new ScriptedRunner([
      { exitCode: 1, stdout: "From 10.31.0.254 icmp_seq=1 Destination Port Unreachable\n" },
    ]);
    const r = await pingProbe(runner, "n-a", "10.31.0.2", { family: 4, deadlineSeconds: 3 });
    expect(r).toEqual({ ok: false, error: "Destination Port Unreachable" });
    expect(runner.calls).toHaveLength(1);
  });
});

describe("tcpProbe", () => {
  it("tries again after EHOSTUNREACH; other errors are final", async () => {
    const again = new ScriptedRunner([
      { exitCode: 1, stderr: "EHOSTUNREACH" },
      { exitCode: 0, stdout: "2" },
    ]);
    expect(await tcpProbe(again, "n-a", "10.31.0.2", 5001, { timeoutMs: 3000 })).toEqual({ ok: true, ms: 2 });
    expect(again.calls).toHaveLength(2);
    const refused = new ScriptedRunner([{ exitCode: 1, stderr: "ECONNREFUSED" }]);
    expect(await tcpProbe(refused, "n-a", "10.31.0.2", 5001, { timeoutMs: 3000 })).toEqual({
      ok: false,
      error: "ECONNREFUSED",
    });
    expect(refused.calls).toHaveLength(1);
  });
});
