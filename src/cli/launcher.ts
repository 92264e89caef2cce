#!/usr/bin/env node
/**
 * The launcher (dist/bin/nslab.js, run by the installed command dist/bin/nslab, a few lines of sh
 * that scripts/bundle-cli.mjs writes): starts the bundled command (dist/bin/cli.cjs, see
 * scripts/bundle-cli.mjs; the function Node would wrap a CommonJS module in) from V8's code cache.
 * Node 20 has no compile cache of its own (module.enableCompileCache is Node 22), so every start
 * would parse and compile the functions a command runs — commander's, the YAML parser's, nslab's —
 * again; here the bytecode V8 made at the end of the last run of the same command is handed back to
 * it (vm.Script's cachedData), which takes ~25 ms off each start of `validate` on the development
 * VM.
 *
 * The cache is a file per command and build in the user's cache directory (NSLAB_CACHE_DIR, else
 * $XDG_CACHE_HOME/nslab, else ~/.cache/nslab), used only when that directory belongs to the user
 * and no one else can write to it (bytecode runs as the user: root's must be root's). A cache V8
 * rejects (another Node, other flags) is rewritten, by the next run that succeeds; the build's id
 * (a hash of cli.cjs, written in here by the bundler) names the files, so a rebuilt bundle never
 * meets an old cache. NSLAB_COMPILE_CACHE=0 turns it off. Only Node built-ins here: this runs
 * before anything else of nslab.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

/** Replaced by the bundler with a hash of the bundles. */
const BUILD = "__NSLAB_BUILD__";
/** Replaced by the bundler: the commands with a bundle of their own (cli-<command>.cjs), space-separated. */
const OWN_BUNDLE: string = "__NSLAB_OWN_BUNDLE__";

const here = import.meta.dirname;
const args = process.argv.slice(2);
/** The command, as the bundle's own main finds it: the first word that is not an option (all of them are flags). */
const first = args.find((a) => !a.startsWith("-")) ?? "";
const command = /^[a-z]{1,16}$/.test(first) ? first : "other";
// A command's own bundle holds that command only: for anything else (help, aliases, the rest) the whole one.
const file = join(here, OWN_BUNDLE.split(" ").includes(command) ? `cli-${command}.cjs` : "cli.cjs");
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // The commonest look at nslab answered without the bundle (as the bundle would: the package's version).
  process.stdout.write(
    `${(JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8")) as { version: string }).version}\n`,
  );
} else start();

/** Run the bundled command, from the code cache when there is one. */
function start(): void {
  // What the installed command (dist/bin/nslab, see scripts/bundle-cli.mjs) kept from Node's start,
  // back in the environment of the programs nslab runs.
  const extraCa = process.env.NSLAB_NODE_EXTRA_CA_CERTS;
  if (extraCa !== undefined) {
    process.env.NODE_EXTRA_CA_CERTS = extraCa;
    delete process.env.NSLAB_NODE_EXTRA_CA_CERTS;
  }
  const cacheFile = cachePath();
  const { source, cached } = readBundle(file, cacheFile);

  // The bundle is the function Node would wrap a CommonJS module in (the bundler writes it so):
  // compiled as it is read, with no wrapped copy of it made first.
  const script = new Script(source, { filename: file, ...(cached ? { cachedData: cached } : {}) });
  if (cacheFile !== undefined && (cached === undefined || script.cachedDataRejected === true))
    // At exit, so that the cache holds every function this command compiled, not only the top level;
    // of a run that succeeded only: one that stopped at an error (a mistyped file, a missing
    // package) compiled a fraction of the command, and its cache would be every later run's.
    process.once("exit", (code) => {
      if (code === 0) save(cacheFile, script);
    });

  // Once the command has nothing left to do (the event loop is empty: no child, timer, socket or
  // pending write), end the process there. A natural end then frees the Node environment and the
  // whole V8 heap, work no one sees: 3–10 ms of every command's wall and CPU time on the development
  // VM. process.exit still emits "exit" (the code cache above is saved) and keeps the exit code.
  process.once("beforeExit", (code) => process.exit(code));

  const req = createRequire(file);
  const mod = { exports: {}, filename: file, id: file, loaded: false, require: req };
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, req, mod, file, dirname(file));
}

/**
 * The bundle's text and this command's code cache (undefined: none, or unreadable), read through
 * one buffer: first the bundle, whose text is then copied out as a string, then the cache over it.
 * Memory a process touches for the first time is what costs at start (on the development VM ~10 µs
 * a page, ~2.5 ms a megabyte), and the bundle and its cache are most of what the launcher reads.
 * ASCII only (esbuild escapes the rest; the bundler checks): read as latin1, no UTF-8 decoding.
 */
function readBundle(path: string, cachePath: string | undefined): { source: string; cached?: Buffer } {
  const fd = openSync(path, "r");
  let cacheFd: number | undefined;
  try {
    const size = fstatSync(fd).size;
    let cacheSize = 0;
    if (cachePath !== undefined)
      try {
        cacheFd = openSync(cachePath, "r");
        cacheSize = fstatSync(cacheFd).size;
      } catch {
        // none yet: made at the end of this run
      }
    const buffer = Buffer.allocUnsafeSlow(Math.max(size, cacheSize));
    const source = buffer.toString("latin1", 0, readAll(fd, buffer, size));
    if (cacheFd === undefined || cacheSize === 0) return { source };
    try {
      return { source, cached: buffer.subarray(0, readAll(cacheFd, buffer, cacheSize)) };
    } catch {
      return { source }; // unreadable: compiled afresh and written again at the end
    }
  } finally {
    closeSync(fd);
    if (cacheFd !== undefined) closeSync(cacheFd);
  }
}

/** Read up to `size` bytes of `fd` into the start of `buffer`; the number read. */
function readAll(fd: number, buffer: Buffer, size: number): number {
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buffer, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** This run's cache file, or undefined when there is no directory of the user's own to keep it in. */
function cachePath(): string | undefined {
  if (process.env.NSLAB_COMPILE_CACHE === "0") return undefined;
  try {
    const dir =
      process.env.NSLAB_CACHE_DIR ||
      join(process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), ".cache"), "nslab");
    // Never make a directory in someone else's: root under a sudo that kept the user's HOME.
    const parent = dirname(dir);
    const owner = statSync(existsSync(parent) ? parent : dirname(parent)).uid;
    if (owner !== process.getuid?.()) return undefined;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) return undefined;
    return join(dir, `${BUILD}-${process.version}-${process.arch}-${command}.v8`);
  } catch {
    return undefined;
  }
}

/**
 * Write the cache beside its final name and rename it there (runs started together never read half
 * a file); drop other builds' caches unused for a week (two installs side by side keep theirs).
 */
function save(path: string, s: Script): void {
  try {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, s.createCachedData(), { mode: 0o600 });
    renameSync(tmp, path);
    const dir = dirname(path);
    const week = Date.now() - 7 * 24 * 3600_000;
    for (const f of readdirSync(dir))
      if (f.endsWith(".v8") && !f.startsWith(`${BUILD}-`) && statSync(join(dir, f)).atimeMs < week)
        unlinkSync(join(dir, f));
  } catch {
    // a cache is an optimisation: a full disk or a read-only home only costs the next start its compile
  }
}
