// Builds the native netns agent: native/*.c (and their headers) → dist/native/nsagent, skipped when
// the binary is newer than every native source, header and this script (`--force` rebuilds); and
// the runner's spawn addon, native/addon/spawn.c → dist/native/spawn.node (Node-API, against the
// headers of the Node that runs this; without them it is not built and nslab spawns with fork()).
// Linked statically when the C library allows it, so the binary shipped in the npm package runs on
// any Linux of the same CPU architecture, whatever its libc version. Warnings are errors in a git
// checkout and in CI (where the code is written); an installed package built by a user's newer
// compiler prints them and still builds.
// Without a C compiler it warns once and succeeds: nslab then falls back to iproute2.
import { execFileSync } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const target = join(root, "dist", "native", "nsagent");
const addonSource = join(nativeDir, "addon", "spawn.c");
const addonTarget = join(root, "dist", "native", "spawn.node");
const strict = Boolean(process.env.CI) || existsSync(join(root, ".git"));
const FLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Wshadow", "-Wformat=2", "-Wconversion"];
if (strict) FLAGS.push("-Werror");

/** Modification time in ms, or null when the file does not exist. */
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The agent's C sources and headers, sorted (the compiler gets the sources in a fixed order). */
function nativeFiles() {
  try {
    return readdirSync(nativeDir)
      .filter((name) => name.endsWith(".c") || name.endsWith(".h"))
      .sort()
      .map((name) => join(nativeDir, name));
  } catch {
    return [];
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

/** Node's C headers (node_api.h) for the Node running this, or null. */
function nodeHeaders() {
  for (const dir of [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node"])
    if (existsSync(join(dir, "node_api.h"))) return dir;
  return null;
}

/** Whether `target` is newer than each of `inputs` and this script (never with --force). */
function upToDate(target, inputs) {
  const built = mtime(target);
  const newest = Math.max(...[...inputs, fileURLToPath(import.meta.url)].map((file) => mtime(file) ?? 0));
  return !process.argv.includes("--force") && built !== null && built >= newest;
}

/** Compile into a file beside `target`, then rename it there: a concurrent build never sees half a file. */
function compileTo(target, what, compile) {
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  try {
    compile(temp);
    renameSync(temp, target);
    return 0;
  } catch (error) {
    rmSync(temp, { force: true });
    process.stderr.write(`nslab: compiling ${what} failed: ${error.message}\n`);
    return 1;
  }
}

/** Build dist/native/spawn.node when it is older than its source or this script. */
function buildAddon(cc) {
  if (upToDate(addonTarget, [addonSource])) return 0;
  const headers = nodeHeaders();
  if (!headers) {
    process.stderr.write(
      "nslab: warning: no node_api.h beside this Node; the spawn addon is not built (nslab spawns with fork())\n",
    );
    return 0;
  }
  const flags = ["-shared", "-fPIC", "-s", "-I", headers, "-DNODE_GYP_MODULE_NAME=spawn"];
  return compileTo(addonTarget, addonSource, (temp) =>
    execFileSync(cc, [...FLAGS, ...flags, "-o", temp, addonSource], {
      stdio: ["ignore", "inherit", "inherit"],
    }),
  );
}

function main() {
  const cc = findCompiler();
  const agent = buildAgent(cc);
  return cc && agent === 0 && existsSync(addonSource) ? buildAddon(cc) : agent;
}

function buildAgent(cc) {
  const files = nativeFiles();
  const sources = files.filter((file) => file.endsWith(".c"));
  if (sources.length === 0) {
    process.stderr.write(`nslab: warning: no C sources in ${nativeDir}; the native agent is not built\n`);
    return 0;
  }
  if (upToDate(target, files)) return 0;
  if (!cc) {
    process.stderr.write(
      "nslab: warning: no C compiler in /usr/bin; using iproute2 instead of the native agent\n",
    );
    return 0;
  }
  return compileTo(target, `${nativeDir}/*.c`, (temp) => {
    try {
      execFileSync(cc, [...FLAGS, "-static", "-s", "-o", temp, ...sources], {
        stdio: ["ignore", "ignore", "pipe"],
      });
    } catch {
      // No static C library (libc.a): a dynamically linked agent works where it was built.
      execFileSync(cc, [...FLAGS, "-o", temp, ...sources], { stdio: ["ignore", "inherit", "inherit"] });
    }
  });
}

process.exitCode = main();
