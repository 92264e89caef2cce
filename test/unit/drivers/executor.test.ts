/** The executor: batching by channel, exact outcomes, injected faults, transient retries. */
import { describe, expect, it } from "vitest";
import { ApplyError, applyOps } from "../../../src/drivers/apply/executor.js";
import type { Channel, FailureMode, OpOutcome } from "../../../src/drivers/apply/types.js";
import type { Op } from "../../../src/plan/ops.js";

/** A channel that records batches and answers from a script. */
function fakeChannel(
  name: string,
  answer: (op: Op, attempt: number) => OpOutcome = () => ({ status: "ok" }),
) {
  const batches: Op[][] = [];
  const attempts = new Map<Op, number>();
  const ch: Channel & { batches: Op[][] } = {
    name,
    batches,
    async apply(ops: readonly Op[], mode: FailureMode) {
      batches.push([...ops]);
      const out: OpOutcome[] = [];
      let failed = false;
      for (const op of ops) {
        if (failed && mode === "stop") {
          out.push({ status: "skipped" });
          continue;
        }
        const n = (attempts.get(op) ?? 0) + 1;
        attempts.set(op, n);
        const r = answer(op, n);
        if (r.status === "failed" || r.status === "partial") failed = true;
        out.push(r);
      }
      return out;
    },
  };
  return ch;
}

const ns = (n: string): Op => ({ op: "netns.add", ns: n, marker: "nslab:t" });
const br = (n: string): Op => ({ op: "bridge.add", dev: n, marker: "nslab:t", group: 1, stp: false });

describe("applyOps", () => {
  it("sends consecutive operations of one channel as one batch", async () => {
    const a = fakeChannel("a");
    const b = fakeChannel("b");
    const ops = [ns("1"), ns("2"), br("x"), br("y"), ns("3")];
    const r = await applyOps(ops, (op) => (op.op === "netns.add" ? a : b), { mode: "stop" });
    expect(r.error).toBeUndefined();
    expect(a.batches.map((x) => x.length)).toEqual([2, 1]);
    expect(b.batches.map((x) => x.length)).toEqual([2]);
    expect(r.outcomes.every((o) => o.status === "ok")).toBe(true);
  });

  it("stops at the first failure and says which operation, with its command", async () => {
    const a = fakeChannel("a", (op) =>
      op.op === "netns.add" && op.ns === "2"
        ? { status: "failed", message: "File exists", command: "ip netns add 2" }
        : { status: "ok" },
    );
    const r = await applyOps([ns("1"), ns("2"), ns("3")], () => a, { mode: "stop" });
    expect(r.outcomes.map((o) => o.status)).toEqual(["ok", "failed", "skipped"]);
    expect(r.error).toBeInstanceOf(ApplyError);
    expect(r.error?.message).toBe("operation 2 of 3 failed: ip netns add 2\n  error: File exists");
  });

  it("injects a fault at operation N: earlier ones run, later ones do not", async () => {
    const a = fakeChannel("a");
    const r = await applyOps([ns("1"), ns("2"), ns("3"), ns("4")], () => a, { mode: "stop", faultAt: 3 });
    expect(a.batches.flat().length).toBe(2);
    expect(r.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "failed", "skipped"]);
    expect(r.error?.message).toMatch(/^operation 3 of 4 failed: ip netns add 3\n {2}error: injected fault/);
  });

  it("retries transient refusals a few times, then gives up", async () => {
    const busyTwice = fakeChannel("a", (op, n) =>
      op.op === "netns.add" && op.ns === "2" && n <= 2
        ? { status: "failed", message: "Device or resource busy", command: "x" }
        : { status: "ok" },
    );
    const r = await applyOps([ns("1"), ns("2"), ns("3")], () => busyTwice, { mode: "stop" });
    expect(r.error).toBeUndefined();
    const always = fakeChannel("a", (op) =>
      op.op === "netns.add" && op.ns === "2"
        ? { status: "failed", message: "EBUSY", command: "x" }
        : { status: "ok" },
    );
    const r2 = await applyOps([ns("1"), ns("2")], () => always, { mode: "stop" });
    expect(r2.error?.message).toMatch(/EBUSY/);
    expect(always.batches.length).toBe(4); // the first try and three retries
  });

  it("in continue mode retries only the refused operations and reports every failure", async () => {
    const ch = fakeChannel("a", (op, n) => {
      if (op.op === "netns.add" && op.ns === "2" && n === 1)
        return { status: "failed", message: "Device or resource busy", command: "x" };
      if (op.op === "netns.add" && op.ns === "3")
        return { status: "failed", message: "No such file", command: "y" };
      return { status: "ok" };
    });
    const r = await applyOps([ns("1"), ns("2"), ns("3")], () => ch, { mode: "continue" });
    expect(r.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "failed"]);
    expect(ch.batches.map((b) => b.length)).toEqual([3, 1]);
  });

  it("notices an abort between batches", async () => {
    const ac = new AbortController();
    const a = fakeChannel("a", () => {
      ac.abort();
      return { status: "ok" };
    });
    const b = fakeChannel("b");
    const r = await applyOps([ns("1"), br("x")], (op) => (op.op === "netns.add" ? a : b), {
      mode: "stop",
      signal: ac.signal,
    });
    expect(r.interrupted).toBe(true);
    expect(r.outcomes.map((o) => o.status)).toEqual(["ok", "skipped"]);
  });
});

describe("applyOps with overlap: an independent channel beside the rest", () => {
  const mnt = (n: string): Op => ({ op: "nodefs.dir", path: `/x/${n}`, mode: 0o755 });
  /** A channel that holds its batch until `release` is called, recording when it ran. */
  function heldChannel(log: string[], fail?: string) {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const ch: Channel = {
      name: "env",
      independent: true,
      async apply(ops: readonly Op[]) {
        log.push(`env start ${ops.length}`);
        await held;
        log.push("env end");
        return ops.map((op) =>
          op.op === "nodefs.dir" && op.path === `/x/${fail}`
            ? { status: "failed" as const, message: "No space left on device", command: "mkdir" }
            : { status: "ok" as const },
        );
      },
    };
    return { ch, release: () => release() };
  }
  const route = (env: Channel, a: Channel, b: Channel) => (op: Op) =>
    op.op === "nodefs.dir" ? env : op.op === "netns.add" ? a : b;

  it("applies the runs after the independent one while it works, and waits for it before returning", async () => {
    const log: string[] = [];
    const env = heldChannel(log);
    const a = fakeChannel("a");
    const b: Channel = {
      name: "b",
      async apply(ops) {
        log.push(`b ${ops.length}`);
        env.release(); // only reached because the env run did not block the way
        return ops.map(() => ({ status: "ok" as const }));
      },
    };
    const r = await applyOps([ns("1"), mnt("1"), mnt("2"), br("x"), br("y")], route(env.ch, a, b), {
      mode: "stop",
      overlap: true,
    });
    expect(r.error).toBeUndefined();
    expect(r.outcomes.every((o) => o.status === "ok")).toBe(true);
    expect(log).toEqual(["env start 2", "b 2", "env end"]);
  });

  it("without overlap (or when tearing down) the independent channel is waited for as any other", async () => {
    const log: string[] = [];
    const env = heldChannel(log);
    const b: Channel = {
      name: "b",
      async apply(ops) {
        log.push(`b ${ops.length}`);
        return ops.map(() => ({ status: "ok" as const }));
      },
    };
    const p = applyOps([mnt("1"), br("x")], route(env.ch, b, b), { mode: "stop" });
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(["env start 1"]);
    env.release();
    await p;
    expect(log).toEqual(["env start 1", "env end", "b 1"]);
  });

  it("a failure beside the rest stops what has not started and is the error", async () => {
    const log: string[] = [];
    const env = heldChannel(log, "2");
    const a = fakeChannel("a");
    const b: Channel = {
      name: "b",
      async apply(ops) {
        log.push(`b ${ops.length}`);
        env.release();
        await new Promise((r) => setTimeout(r, 10)); // the env run fails meanwhile
        return ops.map(() => ({ status: "ok" as const }));
      },
    };
    const r = await applyOps([ns("1"), mnt("1"), mnt("2"), br("x"), ns("2"), br("y")], route(env.ch, a, b), {
      mode: "stop",
      overlap: true,
    });
    expect(r.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "failed", "ok", "skipped", "skipped"]);
    expect(r.error?.index).toBe(2);
    expect(r.error?.message).toMatch(/No space left on device/);
  });

  it("a failure of the rest waits for the independent run and keeps its outcomes (to undo them)", async () => {
    const log: string[] = [];
    const env = heldChannel(log);
    const b = fakeChannel("b", () => {
      setTimeout(() => env.release(), 10);
      return { status: "failed", message: "File exists", command: "ip link add x" };
    });
    const r = await applyOps([mnt("1"), br("x"), br("y")], route(env.ch, b, b), {
      mode: "stop",
      overlap: true,
    });
    expect(log).toEqual(["env start 1", "env end"]);
    expect(r.outcomes.map((o) => o.status)).toEqual(["ok", "failed", "skipped"]);
    expect(r.error?.index).toBe(1);
  });

  it("an abort while the independent channel waits its turn leaves its run undone and says so", async () => {
    const ac = new AbortController();
    const log: string[] = [];
    const env = heldChannel(log);
    const a = fakeChannel("a");
    const r = applyOps([mnt("1"), ns("1"), mnt("2")], route(env.ch, a, a), {
      mode: "stop",
      overlap: true,
      signal: ac.signal,
    });
    await new Promise((res) => setTimeout(res, 10));
    ac.abort();
    env.release();
    const report = await r;
    expect(report.interrupted).toBe(true);
    expect(report.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "skipped"]);
  });
});
