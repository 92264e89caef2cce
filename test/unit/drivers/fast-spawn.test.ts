/**
 * The runner's posix_spawn (native/addon/spawn.c, src/drivers/runner/fast-spawn.ts): built where
 * the tests run, and a child that behaves as child_process's does for the runner's callers —
 * output, input, exit code, signal, a session of its own, default signals, a program that cannot
 * start.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fastSpawn, spawnAddon } from "../../../src/drivers/runner/fast-spawn.js";
import { systemRunner } from "../../../src/drivers/runner/index.js";

const ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };
const ROOT = join(import.meta.dirname, "..", "..", "..");

/** Run a child to its end: its output, and how it ended. */
function finish(child: NonNullable<ReturnType<typeof fastSpawn>>, input?: string) {
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => out.push(d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => err.push(d));
  // As the runner does: a program that ends before reading its input closes its stdin (EPIPE).
  child.stdin.on("error", () => {});
  child.stdin.end(input ?? "");
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) =>
      child.once("close", (code, signal) =>
        resolve({ code, signal, stdout: out.join(""), stderr: err.join("") }),
      ),
  );
}

describe("the runner's posix_spawn", () => {
  it("is built where the tests run (npm run build), so they exercise it", () => {
    expect(spawnAddon()).not.toBeNull();
  });

  it("runs a program with its arguments, environment and directory, and its exit code", async () => {
    const child = fastSpawn(
      "/bin/sh",
      ["-c", 'echo "$0 $X $(pwd)"; echo oops >&2; exit 3', "a1"],
      { ...ENV, X: "x1" },
      "/tmp",
    )!;
    expect(child.pid).toBeGreaterThan(0);
    expect(await finish(child)).toEqual({ code: 3, signal: null, stdout: "a1 x1 /tmp\n", stderr: "oops\n" });
    expect(child.exitCode).toBe(3);
  });

  it("gives the program its input and then end of file", async () => {
    const child = fastSpawn("/bin/cat", [], ENV)!;
    expect(await finish(child, "line 1\nline 2\n")).toMatchObject({ code: 0, stdout: "line 1\nline 2\n" });
  });

  it("reports the signal that ended it, and kill does nothing once it is reaped", async () => {
    const child = fastSpawn("/bin/sleep", ["30"], ENV)!;
    const done = finish(child);
    expect(child.kill("SIGKILL")).toBe(true);
    expect(await done).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(child.signalCode).toBe("SIGKILL");
    expect(child.kill("SIGKILL")).toBe(false);
  });

  it("names a signal as child_process does (SIGABRT, not its alias SIGIOT)", async () => {
    const child = fastSpawn("/bin/sh", ["-c", "kill -ABRT $$"], ENV)!;
    expect(await finish(child)).toMatchObject({ code: null, signal: "SIGABRT" });
  });

  it("waits for a program that closed its output but is still running", async () => {
    const started = performance.now();
    const child = fastSpawn("/bin/sh", ["-c", "exec >&- 2>&-; sleep 0.3; exit 5"], ENV)!;
    expect(await finish(child)).toMatchObject({ code: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("starts it in a session of its own, with no signal blocked or ignored", async () => {
    // Node itself ignores SIGPIPE: a child must not inherit that.
    const child = fastSpawn(
      "/bin/sh",
      ["-c", "cat /proc/self/stat; grep -E '^Sig(Blk|Ign)' /proc/self/status"],
      ENV,
    )!;
    const r = await finish(child);
    const stat = r.stdout
      .split("\n")[0]!
      .replace(/^.*\) /, "")
      .split(" ");
    expect(Number(stat[3])).toBe(child.pid); // session id (field 6 of /proc/PID/stat)
    expect(r.stdout).toMatch(/^SigBlk:\s+0+$/m);
    expect(r.stdout).toMatch(/^SigIgn:\s+0+$/m);
  });

  it("leaves a program that cannot start to child_process (undefined)", () => {
    expect(fastSpawn("/nonexistent/program", [], ENV)).toBeUndefined();
  });

  it("is what the system runner runs commands with: Node's pages are not write-protected after it", async () => {
    // After fork(), each page Node writes takes a fault (copy-on-write); after posix_spawn, none.
    const memory = Buffer.alloc(8 * 1024 * 1024, 1);
    const faultsWriting = () => {
      const before = process.resourceUsage().minorPageFault;
      for (let i = 0; i < memory.length; i += 4096) memory[i] = (memory[i]! + 1) & 0xff;
      return process.resourceUsage().minorPageFault - before;
    };
    spawnSync("/bin/true");
    const afterFork = faultsWriting();
    await systemRunner.run(["true"]);
    const afterRunner = faultsWriting();
    expect(afterFork, `${afterRunner} faults after the runner`).toBeGreaterThan(0);
    expect(afterRunner * 4).toBeLessThan(afterFork);
  });

  it("is left alone with NSLAB_SPAWN=fork", () => {
    const module = join(ROOT, "dist", "drivers", "runner", "fast-spawn.js");
    const probe = `import(${JSON.stringify(module)}).then((m) => console.log(m.spawnAddon() === null))`;
    for (const [value, off] of [
      ["fork", "true"],
      ["", "false"],
    ] as const) {
      const r = spawnSync(process.execPath, ["-e", probe], {
        env: { ...process.env, NSLAB_SPAWN: value },
        encoding: "utf8",
      });
      expect(r.stdout.trim(), r.stderr).toBe(off);
    }
  });
});
