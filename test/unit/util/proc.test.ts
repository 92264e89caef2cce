/** The one answer to "is this process alive": PIDs, start times, names, and zombies (which are dead). */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAlive, liveProcess, readProcess, selfId, whyGone } from "../../../src/util/proc.js";
import { makeZombie, type Zombie } from "../../support/zombie.js";

const zombies: Zombie[] = [];
afterEach(() => {
  for (const z of zombies.splice(0)) z.release();
});

describe("processes by PID", () => {
  it("reads this process: alive, its name and start time", () => {
    const self = readProcess(process.pid)!;
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(self.state).not.toMatch(/[ZX]/);
    expect(self.startTime).toBeGreaterThan(0);
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(selfId())).toBe(true);
    expect(isAlive({ ...selfId(), comm: self.comm })).toBe(true);
  });

  it("a reused PID (another start time or name) is not the same process", () => {
    const id = selfId();
    expect(isAlive({ ...id, startTime: id.startTime + 1 })).toBe(false);
    expect(isAlive({ ...id, comm: "ovs-vswitchd" })).toBe(false);
    expect(isAlive({ pid: id.pid, startTime: 0 })).toBe(true); // start time unknown: any
  });

  it("no such PID, or nonsense, is not alive", () => {
    expect(readProcess(0)).toBeUndefined();
    expect(readProcess(-5)).toBeUndefined();
    expect(readProcess(2 ** 22 + 1)).toBeUndefined(); // above pid_max's ceiling
    expect(isAlive(2 ** 22 + 1)).toBe(false);
    expect(whyGone(2 ** 22 + 1)).toBe("is no longer running");
  });

  it("reads a command name with spaces and parentheses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nslab-proc-"));
    const odd = join(dir, "x) (y");
    symlinkSync("/bin/sleep", odd);
    const child = spawn(odd, ["30"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const p = readProcess(child.pid!);
      expect(p?.comm).toBe("x) (y");
      expect(p?.state).toMatch(/^[RS]$/);
      expect(isAlive({ pid: child.pid!, startTime: p!.startTime, comm: "x) (y" })).toBe(true);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a zombie (killed, never reaped) is dead, and says whose it is", async () => {
    const z = await makeZombie(["sleep", "600"]);
    zombies.push(z);
    const p = readProcess(z.pid)!;
    expect(p.state).toBe("Z");
    expect(p.ppid).toBe(z.parentPid);
    expect(liveProcess(z.pid)).toBeUndefined();
    expect(isAlive(z.pid)).toBe(false);
    expect(isAlive({ pid: z.pid, startTime: p.startTime })).toBe(false);
    expect(whyGone(z.pid)).toBe(
      `is no longer running (a zombie: it ended and its parent, process ${z.parentPid}, has not reaped it)`,
    );
  });
});
