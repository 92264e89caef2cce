// Mininet through its Python API (bench/mininet_api.py), with names that cannot clash with anyone's:
// a prefix of letters only (Mininet derives a switch's datapath id from the first number in its
// name), checked unused. After every run: its root-namespace interfaces and host shells are gone.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { have, onCleanup, ROOT, rootLinks, run, waitGone } from "./lib.mjs";

const PY = "/usr/bin/python3";
let available;

/**
 * Mininet 2.3 is importable; installs the Debian package (and bridge-utils for LinuxBridge) once if
 * missing, holding the tests' host-net lock exclusively (installing packages tests use changes what
 * every test on the host depends on). Only the bench installs it, never CI's set-up.
 */
export async function mininetAvailable() {
  if (available !== undefined) return available;
  const probe = () => run([PY, "-c", "import mininet.net, mininet.nodelib"]);
  if ((await probe()).code !== 0 || !have("brctl")) {
    process.stderr.write("bench: installing the Debian packages mininet and bridge-utils…\n");
    mkdirSync("/run/lock/nslab-tests", { recursive: true });
    await run(
      [
        "flock",
        "-x",
        "/run/lock/nslab-tests/host-net.lock",
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "mininet",
        "bridge-utils",
      ],
      { env: { DEBIAN_FRONTEND: "noninteractive" } },
    );
  }
  available = (await probe()).code === 0 && have("brctl");
  return available;
}

function letters(n) {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(Math.random() * 26));
  return s;
}

function uniqueLetterPrefix() {
  for (;;) {
    const p = `m${letters(3)}`;
    if (!rootLinks().some((l) => l.startsWith(p))) return p;
  }
}

/** One Mininet run: build+start ("up"), optional pingAll, stop ("down"). `sw`: bridge, ovs, or ovs-remote:PORT. */
export async function mininetRun(spec, sw, { pingall = false } = {}) {
  const prefix = uniqueLetterPrefix();
  // If the bench is interrupted, the Python process gets SIGTERM and calls net.stop() itself;
  // this waits for its interfaces to go.
  const off = onCleanup(async () => {
    await waitGone(
      rootLinks().filter((l) => l.startsWith(prefix)),
      60_000,
    );
  });
  try {
    const r = await run([
      PY,
      join(ROOT, "bench", "mininet_api.py"),
      spec,
      prefix,
      sw,
      ...(pingall ? ["pingall"] : []),
    ]);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.code !== 0 || !line.startsWith("{"))
      throw new Error(`mininet ${spec}: exit ${r.code}: ${r.stderr.trim().slice(-1500)}`);
    const out = JSON.parse(line);
    // stop() must have removed everything: interfaces and the host shells.
    const left = await waitGone(out.rootIntfs.concat(out.switches), 10_000);
    // nslab's one answer to "is it alive" (a zombie host shell is dead, not left behind).
    const { isAlive } = await import(pathToFileURL(join(ROOT, "dist", "util", "proc.js")).href);
    const alive = out.hostPids.filter((pid) => isAlive(pid));
    if (left.length || alive.length)
      throw new Error(
        `mininet ${spec}: stop() left ${left.length} interfaces and ${alive.length} host processes`,
      );
    return { up: out.upMs, down: out.downMs, pingallMs: out.pingallMs, pingallLossPct: out.pingallLossPct };
  } finally {
    off();
  }
}
