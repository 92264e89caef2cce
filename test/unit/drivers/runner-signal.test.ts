/** The runner's abort signal: a running command is killed, an aborted one never starts. */
import { describe, expect, it } from "vitest";
import { CommandError, systemRunner } from "../../../src/drivers/runner/index.js";
import { NslabError } from "../../../src/errors.js";

describe("systemRunner with a signal", () => {
  it("kills the command when the signal aborts", async () => {
    const abort = new AbortController();
    const started = performance.now();
    const run = systemRunner.run(["sleep", "10"], { signal: abort.signal, allowFailure: true });
    setTimeout(() => abort.abort(new Error("test over")), 50);
    const e = await run.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandError);
    expect(e).toMatchObject({ signal: "SIGKILL", exitCode: null, timedOut: false });
    expect((e as CommandError).cause).toEqual(new Error("test over"));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("does not start a command whose signal has aborted already", async () => {
    const abort = new AbortController();
    abort.abort();
    const e = await systemRunner.run(["true"], { signal: abort.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NslabError);
    expect((e as NslabError).code).toBe("E_INTERRUPTED");
  });

  it("leaves a command alone when the signal never aborts", async () => {
    const r = await systemRunner.run(["true"], { signal: new AbortController().signal });
    expect(r.exitCode).toBe(0);
  });
});
