/**
 * A lock held by a zombie is stale (issue 10, part 2): `nslab up` killed with -9 while it holds its
 * lab's lock, under a parent that never reaps it (a container whose PID 1 does not reap orphans), is
 * a zombie — and `kill` can do nothing to a zombie. `nslab down` recovers at once, says the holder
 * is a zombie, and never tells the user to kill it.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readProcess } from "../../../src/util/proc.js";
import { canTouchKernel, mustRun, nslab, scopedSnapshot, uniqueTag } from "../../support/kernel.js";
import { makeZombie, type Zombie } from "../../support/zombie.js";

const CLI = join(import.meta.dirname, "..", "..", "..", "dist", "cli", "main.js");
const labs: string[] = [];
const zombies: Zombie[] = [];
afterAll(() => {
  for (const z of zombies) z.release();
  for (const lab of labs) nslab(["down", lab]);
});

function writeLab(name: string): string {
  const file = join(tmpdir(), `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nnodes:\n  br: {kind: bridge}\n  a: {interfaces: {e0: 10.61.0.1/24}}\n  b: {interfaces: {e0: 10.61.0.2/24}}\nlinks:\n  - [a:e0, br:pa]\n  - [b:e0, br:pb]\n`,
  );
  return file;
}

describe.skipIf(!canTouchKernel && !mustRun)("a lock held by a zombie", () => {
  it("down recovers at once, names the zombie, and never says 'kill'", async () => {
    const tag = uniqueTag().slice(1, 5);
    const lab = `zmb-${tag}`;
    const prefix = `z${tag}-`;
    labs.push(lab);
    const file = writeLab(lab);
    const before = scopedSnapshot(prefix, lab);
    const z = await makeZombie([process.execPath, CLI, "up", file, "--prefix", prefix], {
      env: { NSLAB_TEST_FAULTS: "pause-op=5", NO_COLOR: "1" },
      ready: "paused before operation 5",
    });
    zombies.push(z);
    expect(readProcess(z.pid)?.state).toBe("Z"); // killed, not reaped: it still "holds" the lock

    const started = performance.now();
    const down = nslab(["down", lab]);
    const tookMs = performance.now() - started;
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(
      `reclaimed the lock on '${lab}' left by process ${z.pid} (nslab up ${lab}), which is no longer running (a zombie: it ended and its parent, process ${z.parentPid}, has not reaped it)`,
    );
    expect(down.stderr).not.toMatch(/\bkill\b/);
    expect(down.stdout + down.stderr).toMatch(/is down: removed \d+ object/);
    expect(tookMs).toBeLessThan(10_000); // at once: no waiting for the zombie
    expect(readProcess(z.pid)?.state).toBe("Z"); // still a zombie: nslab did not need it gone
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
  });

  it("up of the same lab takes over a zombie's lock too (and says what is left to do)", async () => {
    const tag = uniqueTag().slice(1, 5);
    const lab = `zmu-${tag}`;
    const prefix = `y${tag}-`;
    labs.push(lab);
    const file = writeLab(lab);
    const before = scopedSnapshot(prefix, lab);
    const z = await makeZombie([process.execPath, CLI, "up", file, "--prefix", prefix], {
      env: { NSLAB_TEST_FAULTS: "pause-op=3", NO_COLOR: "1" },
      ready: "paused before operation 3",
    });
    zombies.push(z);
    const again = nslab(["up", file, "--prefix", prefix]);
    // Not E_LOCKED ("busy … kill PID"): the lock is reclaimed, and the half-made lab's record says
    // what to do.
    expect(again.stderr).toContain(`reclaimed the lock on '${lab}'`);
    expect(again.stderr).not.toMatch(/\bkill\b|is busy/);
    expect(again.stderr).toContain(`hint: take it down first: nslab down ${lab}`);
    expect(nslab(["down", lab]).code).toBe(0);
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
  });
});
