// Removes simulated machines (see machines.ts) from their manifest, by PID and by namespace
// identity only (never by name): ssh masters asked to exit, each sshd by its PID, then every process
// still inside one of the run's network namespaces — a machine's own, one named inside a machine
// (ip netns exec …), the controller's or the underlay's — then the mounts and the run directory.
//   node machines-cleanup.mjs RUN_DIR               clean up now
//   node machines-cleanup.mjs --watch PID RUN_DIR   clean up when process PID ends (a detached
//                                                   watchdog: the test process may be killed)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const say = (m) => process.stderr.write(`machines-cleanup: ${m}\n`);

function alive(pid) {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function stopPid(pid) {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 40 && alive(pid); i++) sleep(50);
  if (alive(pid))
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
}

function inode(path) {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

export function cleanup(run) {
  const manifestFile = join(run, "manifest.json");
  if (!existsSync(manifestFile)) {
    if (existsSync(run)) rmSync(run, { recursive: true, force: true });
    return;
  }
  const m = JSON.parse(readFileSync(manifestFile, "utf8"));
  // 1. Multiplexed ssh connections the tests made (nslab's sockets, and the fixture's own).
  for (const dir of m.controlDirs ?? []) {
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {}
    for (const s of names)
      spawnSync("ssh", ["-o", `ControlPath=${join(dir, s)}`, "-O", "exit", "nslab-cleanup"], {
        stdio: "ignore",
        timeout: 5000,
      });
  }
  // 2. Each sshd by its PID.
  for (const pid of m.pids ?? []) stopPid(pid);
  // 3. Everything left inside the run's network namespaces (found by inode, ended by PID).
  const inodes = new Set();
  for (const f of [...(m.machines ?? []).map((x) => x.net), m.controllerNet, m.underlayNet]) {
    const ino = f && inode(f);
    if (ino) inodes.add(ino);
  }
  for (const x of m.machines ?? []) {
    const r = spawnSync(
      "nsenter",
      [
        `--net=${x.net}`,
        `--mount=${x.mnt}`,
        "--",
        "sh",
        "-c",
        'for f in /run/netns/*; do [ -e "$f" ] && stat -L -c %i "$f"; done',
      ],
      { encoding: "utf8", timeout: 10_000 },
    );
    for (const line of (r.stdout ?? "").split("\n")) if (line.trim()) inodes.add(Number(line.trim()));
  }
  for (let round = 0; round < 3; round++) {
    let found = 0;
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
      let link;
      try {
        link = readlinkSync(`/proc/${d}/ns/net`);
      } catch {
        continue;
      }
      const ino = Number(/\[(\d+)\]/.exec(link)?.[1]);
      if (!inodes.has(ino)) continue;
      found++;
      stopPid(Number(d));
    }
    if (found === 0) break;
  }
  // 4. Mounts, then the directory.
  for (const x of m.machines ?? []) {
    spawnSync("umount", [x.mnt], { stdio: "ignore" });
    spawnSync("umount", [x.net], { stdio: "ignore" });
  }
  for (const f of [m.controllerNet, m.underlayNet]) if (f) spawnSync("umount", [f], { stdio: "ignore" });
  spawnSync("umount", [run], { stdio: "ignore" });
  rmSync(run, { recursive: true, force: true });
}

const args = process.argv.slice(2);
if (args[0] === "--watch") {
  const [, pidText, run] = args;
  const pid = Number(pidText);
  const timer = setInterval(() => {
    if (alive(pid)) return;
    clearInterval(timer);
    say(`process ${pid} is gone: removing the simulated machines of ${run}`);
    cleanup(run);
  }, 500);
} else if (args[0]) {
  cleanup(args[0]);
}
