/**
 * Host-wide locks between test processes that share one kernel: test files that may run at the same
 * time (other vitest workers, another checkout's test run, a bench or soak script) serialise on the
 * few things that are global to the host — the walkthrough's fixed names (ns1, ns2, br0 …), the
 * FORWARD policy of the host's firewall, the shared Open vSwitch daemons.
 *
 * A lock is flock(2) on /run/lock/nslab-tests/NAME.lock, held by a small `flock` child process for
 * as long as the test needs it (the kernel releases it when that process dies, so a killed test
 * never leaves a lock behind). `shared` holders run side by side; an `exclusive` holder waits for
 * all of them and keeps new ones out. Shell scripts use the same files:
 *   flock -x /run/lock/nslab-tests/seed-names.lock nslab up examples/seed/bridge.yaml
 *
 * A script that holds `host-net` exclusively around a whole test run (scripts/fresh-machine-check.sh:
 * it removes packages every test uses) sets NSLAB_HOST_NET_LOCK to another file for that run: its
 * tests then serialise among themselves on that file, while everyone else waits on the real one.
 * scripts/setup.sh takes the same file around `apt-get install`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export const LOCK_DIR = "/run/lock/nslab-tests";

/**
 * The locks tests use:
 * - `seed-names`: the walkthrough's names (ns1, ns2, br0, ovs-br …); exclusive.
 * - `host-net`: host-global networking state. Labs take it shared; a test that changes what every
 *   lab depends on (the FORWARD policy, killing the shared OVS daemons, `down --all` without a
 *   filter, installing or removing packages) takes it exclusive.
 */
export type LockName = "seed-names" | "host-net";

/** The file behind lock `name` (`host-net` may be redirected by NSLAB_HOST_NET_LOCK, see above). */
export function lockFile(name: LockName): string {
  if (name === "host-net" && process.env.NSLAB_HOST_NET_LOCK) return process.env.NSLAB_HOST_NET_LOCK;
  return `${LOCK_DIR}/${name}.lock`;
}

export interface HostLock {
  release(): Promise<void>;
}

/** Take `name` in `mode`; resolves once it is held (waits up to `timeoutMs`). */
export async function hostLock(
  name: LockName,
  mode: "shared" | "exclusive",
  timeoutMs = 600_000,
): Promise<HostLock> {
  const file = lockFile(name);
  mkdirSync(dirname(file), { recursive: true });
  // `flock FILE cat`: takes the lock, then runs cat, which holds it until its stdin closes. It says
  // so on stdout first ("held"), so we know the lock is ours before the test goes on.
  const child: ChildProcess = spawn(
    "flock",
    [
      mode === "shared" ? "-s" : "-x",
      "-w",
      String(Math.ceil(timeoutMs / 1000)),
      file,
      "sh",
      "-c",
      "echo held; exec cat",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("held")) resolve();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`could not take the test lock ${file} (${mode}): flock exited with ${code}`)),
    );
  });
  child.removeAllListeners("exit");
  return {
    release: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}

/** Run `fn` while holding `name` in `mode`. */
export async function withHostLock<T>(
  name: LockName,
  mode: "shared" | "exclusive",
  fn: () => Promise<T> | T,
): Promise<T> {
  const lock = await hostLock(name, mode);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** Where integration-setup keeps this test file's shared `host-net` hold (one per test worker). */
export const SHARED_HOLD = Symbol.for("nslab.test.host-net-shared");
type Holder = { [SHARED_HOLD]?: HostLock | undefined };

/**
 * Take `host-net` exclusive from inside a real-kernel test file: give up the file's shared hold
 * first (a flock holder waiting for exclusive would otherwise wait for itself), and take the
 * shared one back on release, so the file's remaining tests hold it as before.
 */
export async function exclusiveHostNet(): Promise<HostLock> {
  const g = globalThis as Holder;
  const shared = g[SHARED_HOLD];
  await shared?.release();
  g[SHARED_HOLD] = undefined;
  const lock = await hostLock("host-net", "exclusive");
  return {
    release: async () => {
      await lock.release();
      if (shared && process.getuid?.() === 0)
        g[SHARED_HOLD] = await hostLock("host-net", "shared", 1_800_000);
    },
  };
}
