// The host-wide test locks (test/support/host-lock.ts) for scripts: flock(1) on
// /run/lock/nslab-tests/NAME.lock held by a child process for as long as the script needs it.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** The lock file of `name` (`host-net` may be redirected by NSLAB_HOST_NET_LOCK, as in the tests). */
export function lockFile(name) {
  if (name === "host-net" && process.env.NSLAB_HOST_NET_LOCK) return process.env.NSLAB_HOST_NET_LOCK;
  return `/run/lock/nslab-tests/${name}.lock`;
}

/** Take lock `name` in `mode` ("shared" | "exclusive"); resolves to { release() } once held. */
export async function hostLock(name, mode, { onWait } = {}) {
  const file = lockFile(name);
  mkdirSync(dirname(file), { recursive: true });
  const child = spawn("flock", [mode === "shared" ? "-s" : "-x", file, "sh", "-c", "echo held; exec cat"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = setTimeout(() => onWait?.(file), 1000);
  await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("held")) resolve();
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`could not take ${file} (${mode}): flock exited ${code}`)));
  });
  clearTimeout(waiting);
  child.removeAllListeners("exit");
  return {
    release: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
      }),
  };
}
