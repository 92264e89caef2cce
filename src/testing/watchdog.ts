/**
 * The watchdog behind withLab's last guarantee: one small detached process per test process,
 * told over a pipe which labs are up. When the pipe closes — the test process exited, crashed,
 * was killed (SIGKILL included) or its worker was terminated — it takes down every lab still
 * listed, with `nslab down LAB` (the same library call, through the CLI). It runs in its own
 * session, so a Ctrl-C at the terminal does not kill it before it has done its work.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";

/** The watchdog itself (CommonJS, run with `node -e`; it needs no file of its own). */
const SCRIPT = `
const { spawnSync } = require("node:child_process");
const cli = JSON.parse(process.env.NSLAB_WATCHDOG_CLI);
const live = new Set();
let buf = "";
let done = false;
for (const s of ["SIGINT", "SIGHUP", "SIGPIPE"]) process.on(s, () => {});
process.stderr.on("error", () => {});
const say = (m) => { try { process.stderr.write("nslab watchdog: " + m + "\\n"); } catch {} };
const finish = () => {
  if (done) return;
  done = true;
  for (const lab of live) {
    const r = spawnSync(cli[0], [...cli.slice(1), "down", lab], {
      encoding: "utf8", timeout: 120000, env: { ...process.env, NO_COLOR: "1" },
    });
    say(r.status === 0
      ? "the process that brought lab '" + lab + "' up has ended; took the lab down"
      : "could not take lab '" + lab + "' down (" + ((r.stderr || String(r.error || "")).trim()) + "); run: nslab down " + lab);
  }
  process.exit(0);
};
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  for (let i = buf.indexOf("\\n"); i >= 0; i = buf.indexOf("\\n")) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    if (line[0] === "+") live.add(line.slice(1));
    else if (line[0] === "-") live.delete(line.slice(1));
  }
});
process.stdin.on("end", finish);
process.stdin.on("error", finish);
`;

let child: ChildProcess | undefined;
const live = new Set<string>();

/** Put lab `lab` under the watchdog's care (before bringing it up). */
export function watch(lab: string): void {
  live.add(lab);
  send(`+${lab}`);
}

/** Take lab `lab` out of the watchdog's care (after it is down). */
export function unwatch(lab: string): void {
  live.delete(lab);
  send(`-${lab}`);
}

function send(line: string): void {
  const c = ensure();
  (c?.stdin as Writable | null)?.write(`${line}\n`);
}

function ensure(): ChildProcess | undefined {
  if (child && child.exitCode === null && child.signalCode === null && child.stdin?.writable) return child;
  const cli = cliCommand();
  const c = spawn(process.execPath, ["-e", SCRIPT], {
    cwd: cli.cwd,
    detached: true,
    stdio: ["pipe", "ignore", "inherit"],
    env: { ...process.env, NSLAB_WATCHDOG_CLI: JSON.stringify(cli.argv) },
  });
  c.on("error", () => {});
  c.on("exit", () => {
    if (child === c) child = undefined;
  });
  c.stdin?.on("error", () => {});
  // Neither the process nor its pipe keeps this process alive: the watchdog is for when it ends.
  c.unref();
  (c.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child = c;
  // A new watchdog (the first, or after the last one died) learns every lab that is up.
  for (const lab of live) c.stdin?.write(`+${lab}\n`);
  return c;
}

/** How to run this package's CLI: the built one, or the TypeScript source through tsx in a checkout. */
function cliCommand(): { argv: string[]; cwd: string } {
  const here = fileURLToPath(import.meta.url);
  const root = join(dirname(here), "..", "..");
  if (here.endsWith(".ts"))
    return { argv: [process.execPath, "--import", "tsx", join(root, "src", "cli", "main.ts")], cwd: root };
  return { argv: [process.execPath, join(root, "dist", "cli", "main.js")], cwd: root };
}
