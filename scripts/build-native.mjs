// Builds the native netns agent: native/nsagent.c → dist/native/nsagent, skipped when up to date
// (`--force` rebuilds). Linked statically when the C library allows it, so the binary shipped in
// the npm package runs on any Linux of the same CPU architecture, whatever its libc version.
// Without a C compiler it warns once and succeeds: nslab then falls back to iproute2.
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "native", "nsagent.c");
const target = join(root, "dist", "native", "nsagent");
const FLAGS = ["-O2", "-Wall", "-Wextra", "-std=gnu11"];

/** Modification time in ms, or null when the file does not exist. */
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The first C compiler in /usr/bin (never the caller's PATH: this may run as root). */
function findCompiler() {
  for (const name of ["cc", "gcc"]) {
    const path = `/usr/bin/${name}`;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return null;
}

function main() {
  const sourceTime = mtime(source);
  if (sourceTime === null) {
    process.stderr.write(`nslab: warning: ${source} is missing; the native agent is not built\n`);
    return 0;
  }
  const targetTime = mtime(target);
  if (!process.argv.includes("--force") && targetTime !== null && targetTime >= sourceTime) return 0;
  const cc = findCompiler();
  if (!cc) {
    process.stderr.write(
      "nslab: warning: no C compiler in /usr/bin; using iproute2 instead of the native agent\n",
    );
    return 0;
  }
  mkdirSync(dirname(target), { recursive: true });
  // Compile beside the target and rename: a concurrent build never sees a half-written binary.
  const temp = `${target}.${process.pid}.tmp`;
  try {
    try {
      execFileSync(cc, [...FLAGS, "-static", "-s", "-o", temp, source], {
        stdio: ["ignore", "ignore", "pipe"],
      });
    } catch {
      // No static C library (libc.a): a dynamically linked agent works where it was built.
      execFileSync(cc, [...FLAGS, "-o", temp, source], { stdio: ["ignore", "inherit", "inherit"] });
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    process.stderr.write(`nslab: compiling ${source} failed: ${error.message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
