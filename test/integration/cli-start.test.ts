/**
 * What the installed command does as it starts (dist/bin: the launcher nslab.js and the bundles
 * cli.cjs and cli-<command>.cjs that `npm pack` ships): which bundle a command starts from, which
 * heavy libraries' module code runs, read from V8's own coverage of the bundle (NODE_V8_COVERAGE: the function around a library's first statements ran or
 * not), and that the launcher keeps and reuses V8's code cache. `--version`, `status` and `down` of
 * a lab that is not up never initialise the YAML parser or zod (the bulk of a start), `validate` of
 * a valid file never initialises zod (only a file with problems does, for its messages); `--help`
 * and `completion` run no other command's module (they answer from what the bundler wrote down).
 * Counts and facts, not times: it holds on a loaded machine. Needs no root; it uses the built CLI (dist/).
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "bin", "nslab.js");
const BIN_DIR = join(ROOT, "dist", "bin");
const dir = mkdtempSync(join(tmpdir(), "nslab-cli-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: Range[];
}

let runs = 0;
/** Run the command with V8's coverage on; the bundle it ran from, and its functions with their call counts. */
function run(args: string[], env: Record<string, string> = {}) {
  const cov = join(dir, `cov-${++runs}`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NO_COLOR: "1",
      NODE_V8_COVERAGE: cov,
      NSLAB_STATE_DIR: join(dir, "state"),
      NSLAB_CACHE_DIR: join(dir, "cache"),
      ...env,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  const bundles = readdirSync(BIN_DIR).filter((f) => /^cli(-[a-z]+)?\.cjs$/.test(f));
  const scripts = readdirSync(cov).flatMap(
    (f) =>
      (
        JSON.parse(readFileSync(join(cov, f), "utf8")) as {
          result: { url: string; functions: FunctionCoverage[] }[];
        }
      ).result,
  );
  /** The bundle a covered script is (V8 names it by path or by file URL), if it is one. */
  const bundleOf = (url: string) =>
    bundles.find((b) => url === join(BIN_DIR, b) || url === pathToFileURL(join(BIN_DIR, b)).href);
  const ran = [...new Set(scripts.flatMap((s) => bundleOf(s.url) ?? []))];
  expect(ran.length, `at most one bundle ran: ${ran}`).toBeLessThanOrEqual(1);
  const bundle = ran[0];
  const functions = scripts
    .filter((s) => bundle !== undefined && bundleOf(s.url) === bundle)
    .flatMap((s) => s.functions);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, bundle, functions };
}

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
/** Text that only each library's module code holds (in its first statements). */
const MARKERS = { yaml: 'Symbol.for("yaml.alias")', zod: '"$ZodObject"' } as const;

/**
 * The libraries whose module code ran: the innermost function around each marker was called. A
 * library the bundle does not hold at all (a command's own bundle may leave one out) did not run.
 */
function initialised(ran: { bundle: string | undefined; functions: FunctionCoverage[] }): string[] {
  expect(ran.bundle, "a bundle ran").toBeDefined();
  const source = readFileSync(join(BIN_DIR, ran.bundle!), "utf8");
  return Object.entries(MARKERS).flatMap(([lib, marker]) => {
    const at = source.indexOf(marker);
    if (at < 0) return [];
    // The bundle is the script V8 ran (the wrapper function is in the file): offsets match as they are.
    const offset = at;
    let inner: Range | undefined;
    for (const f of ran.functions) {
      const r = f.ranges[0]!;
      if (
        r.startOffset <= offset &&
        offset < r.endOffset &&
        (!inner || r.endOffset - r.startOffset < inner.endOffset - inner.startOffset)
      )
        inner = r;
    }
    expect(inner, `${lib}: a function around its marker`).toBeDefined();
    return inner!.count > 0 ? [lib] : [];
  });
}

describe("what the nslab command runs at start", () => {
  it("nslab --version answers without running the bundle at all", () => {
    const r = run(["--version"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.bundle).toBeUndefined();
    expect(r.functions).toEqual([]);
  });

  it("a busy command starts from its own bundle, help and aliases from the whole one", () => {
    expect(run(["status"]).bundle).toBe("cli.cjs");
    expect(run(["-q", "down", "nslab-never-up"]).bundle).toBe("cli-down.cjs");
    expect(run(["validate", "--help"]).bundle).toBe("cli-validate.cjs");
    const help = run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.bundle).toBe("cli.cjs");
    expect(help.stdout).toMatch(/^ {2}validate /m);
    expect(help.stdout).toMatch(/^ {2}graph /m);
    // containerlab's name for `down`: the whole bundle knows it.
    const alias = run(["destroy", "nslab-never-up"]);
    expect(alias.code, alias.stderr).toBe(0);
    expect(alias.bundle).toBe("cli.cjs");
    expect(alias.stderr).toContain("is not up");
    // A command's own bundle holds no other command: its code is not in there.
    const own = readFileSync(join(BIN_DIR, "cli-validate.cjs"), "utf8");
    const whole = readFileSync(join(BIN_DIR, "cli.cjs"), "utf8");
    expect(own.length).toBeLessThan(whole.length * 0.7);
    const generate = "print a Mininet-style topology as YAML"; // `generate`'s description
    expect(whole).toContain(generate);
    expect(own).not.toContain(generate);
  });

  it.each([[["--help"]], [["-h", "status"]], [["completion", "bash"]], [["completion", "fish"]]])(
    "nslab %j answers from what the bundler wrote down: no other command's module runs",
    (args) => {
      const r = run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(initialised(r)).toEqual([]);
      // The same text as the unbundled program, which loads every command to list it.
      const unbundled = spawnSync(process.execPath, [join(ROOT, "dist", "cli", "main.js"), ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" },
        encoding: "utf8",
      });
      expect(unbundled.status, unbundled.stderr).toBe(0);
      expect(r.stdout).toBe(unbundled.stdout);
      expect(r.stdout).toMatch(/validate/);
    },
  );

  it("a command's own help still comes from the command", () => {
    expect(run(["help", "status"]).stdout).toMatch(/^ {2}--json /m);
  });

  it.each([[["status"]], [["down", "nslab-never-up"]]])(
    "nslab %j initialises neither yaml nor zod",
    (args) => {
      const r = run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.functions.length).toBeGreaterThan(100);
      expect(initialised(r)).toEqual([]);
    },
  );

  it("nslab validate of a valid file initialises the YAML parser but not zod", () => {
    const r = run(["validate", join(ROOT, "examples", "seed", "bridge.yaml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(initialised(r)).toEqual(["yaml"]);
  });

  it("nslab validate of a file with problems initialises zod then, and says where each is", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: x\nnodes:\n  h1: {kind: netnz}\n  h2: {interfacez: {}}\n");
    const r = run(["validate", bad]);
    expect(r.code).toBe(2);
    expect(initialised(r)).toEqual(["yaml", "zod"]);
    expect(r.stderr).toContain(`${bad}:3:14 (nodes.h1.kind): unknown node kind 'netnz'`);
    expect(r.stderr).toContain("did you mean 'netns'?");
    expect(r.stderr).toContain(`${bad}:4:8 (nodes.h2.interfacez): unknown field 'interfacez'`);
    expect(r.stderr).not.toMatch(/Warning|TypeError|at file:/);
  });
});

describe("the bundle in its place", () => {
  it("finds the package's native agent (dist/bin's own package.json is not the package's)", () => {
    const r = spawnSync(process.execPath, [CLI, "doctor"], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      encoding: "utf8",
    });
    expect(`${r.stdout}${r.stderr}`).toMatch(
      new RegExp(`ok +native agent: ${join(ROOT, "dist", "native", "nsagent")}`),
    );
  });

  // The launcher ends the process as soon as the event loop is empty (process.exit at beforeExit):
  // nothing a command wrote or meant to return may be lost by that.
  it("ends with all of a command's output and the exit code it set", () => {
    const opts = { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" as const };
    // Far more than a pipe holds (64 KiB): the reader is still reading when the command is done.
    const big = spawnSync(process.execPath, [CLI, "generate", "--topo", "single,3000"], opts);
    expect(big.status, big.stderr).toBe(0);
    expect(big.stdout.length).toBeGreaterThan(256 * 1024);
    const lines = big.stdout.split("\n");
    expect(lines.filter((l) => /^ {2}- \[h\d+:/.test(l))).toHaveLength(3000);
    expect(lines.at(-2)).toBe("  - [h3000:h3000-eth0, s1:s1-eth3000]");
    // `validate --json` of a file with problems sets process.exitCode and returns (no process.exit).
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: bad\nnodes:\n  a: {kind: nothing-such}\n");
    const r = spawnSync(process.execPath, [CLI, "validate", "--json", bad], opts);
    expect(r.status, r.stderr).toBe(2);
    expect((JSON.parse(r.stdout) as { valid: boolean }).valid).toBe(false);
  });
});

describe("the code cache", () => {
  const cache = join(dir, "own-cache");
  const files = () => readdirSync(cache).filter((f) => f.endsWith(".v8"));
  const validate = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [CLI, "validate", join(ROOT, "examples", "seed", "bridge.yaml")], {
      env: { ...process.env, NSLAB_CACHE_DIR: cache, ...env },
      encoding: "utf8",
    });

  it("is written at the first run of a command, reused after, and rewritten when V8 rejects it", () => {
    expect(validate().status).toBe(0);
    expect(files()).toHaveLength(1);
    const [name] = files();
    expect(name).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}-validate\\.v8$`));
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const path = join(cache, name!);
    const first = statSync(path);
    expect(first.size).toBeGreaterThan(10_000);
    expect(validate().stderr).toContain("is valid");
    expect(statSync(path).mtimeMs).toBe(first.mtimeMs); // accepted: not written again
    writeFileSync(path, "not V8's cache");
    expect(validate().stderr).toContain("is valid"); // rejected: compiled afresh, then rewritten
    expect(statSync(path).size).toBeGreaterThan(10_000);
  });

  it("is written by a run that succeeds, not by one that stopped at an error", () => {
    const own = join(dir, "error-first-cache");
    const missing = spawnSync(process.execPath, [CLI, "validate", join(dir, "no-such-file.yaml")], {
      env: { ...process.env, NSLAB_CACHE_DIR: own },
      encoding: "utf8",
    });
    expect(missing.status).not.toBe(0);
    expect(readdirSync(own).filter((f) => f.endsWith(".v8"))).toEqual([]);
    expect(validate({ NSLAB_CACHE_DIR: own }).status).toBe(0);
    expect(readdirSync(own).filter((f) => f.endsWith(".v8"))).toHaveLength(1);
  });

  it("is not used in a directory others can write to, nor with NSLAB_COMPILE_CACHE=0", () => {
    const open = join(dir, "open-cache");
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(validate({ NSLAB_CACHE_DIR: open }).stderr).toContain("is valid");
    expect(readdirSync(open)).toEqual([]);
    const off = join(dir, "off-cache");
    expect(validate({ NSLAB_CACHE_DIR: off, NSLAB_COMPILE_CACHE: "0" }).stderr).toContain("is valid");
    expect(() => readdirSync(off)).toThrow();
  });

  it.skipIf(process.getuid?.() !== 0)(
    "is not made in another user's home (root under a sudo that kept HOME)",
    () => {
      const home = join(dir, "someone");
      mkdirSync(home);
      chownSync(home, 65534, 65534);
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
      delete env.XDG_CACHE_HOME;
      delete env.NSLAB_CACHE_DIR;
      const r = spawnSync(
        process.execPath,
        [CLI, "validate", join(ROOT, "examples", "seed", "bridge.yaml")],
        {
          env,
          encoding: "utf8",
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(home)).toEqual([]);
    },
  );
});

describe("the installed command (dist/bin/nslab, package.json's bin)", () => {
  const BIN = join(ROOT, "dist", "bin", "nslab");
  const NO_CA = "Ignoring extra certs";
  /** The command linked the way npm links it, and a PATH that finds it by name. */
  const linked = join(dir, "npm-bin");
  mkdirSync(linked, { recursive: true });
  symlinkSync(BIN, join(linked, "nslab"));

  it("runs through npm's link, by path and by name", () => {
    const byPath = spawnSync(join(linked, "nslab"), ["--version"], { encoding: "utf8" });
    expect(byPath.status, byPath.stderr).toBe(0);
    expect(byPath.stdout).toBe(`${VERSION}\n`);
    const byName = spawnSync("nslab", ["validate", join(ROOT, "examples", "seed", "bridge.yaml")], {
      cwd: dir,
      env: { ...process.env, PATH: `${linked}:${process.env.PATH}` },
      encoding: "utf8",
    });
    expect(byName.status, byName.stderr).toBe(0);
    expect(byName.stderr).toContain("is valid");
  });

  it("starts Node without NODE_EXTRA_CA_CERTS and gives it back to what nslab runs", () => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "no-such-bundle.pem") };
    // Control: Node itself loads the file at start (and warns that it cannot).
    const node = spawnSync(process.execPath, [CLI, "--version"], { env, encoding: "utf8" });
    expect(node.stderr).toContain(NO_CA);
    const bin = spawnSync(join(linked, "nslab"), ["--version"], { env, encoding: "utf8" });
    expect(bin.status, bin.stderr).toBe(0);
    expect(bin.stderr).not.toContain(NO_CA);
    // What Node started with, and what the programs nslab starts would get: read by a preload.
    const seen = join(dir, "env-seen.json");
    const probe = join(dir, "env-probe.cjs");
    writeFileSync(
      probe,
      `const pick = () => ({ ca: process.env.NODE_EXTRA_CA_CERTS, kept: process.env.NSLAB_NODE_EXTRA_CA_CERTS });
const start = pick();
process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ start, exit: pick() })));`,
    );
    const r = spawnSync(join(linked, "nslab"), ["validate", join(ROOT, "examples", "seed", "bridge.yaml")], {
      env: { ...env, NODE_OPTIONS: `--require ${probe}` },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(NO_CA);
    expect(JSON.parse(readFileSync(seen, "utf8"))).toEqual({
      start: { kept: env.NODE_EXTRA_CA_CERTS },
      exit: { ca: env.NODE_EXTRA_CA_CERTS },
    });
  });
});
