/**
 * Simulated machines on one host, for the multi-machine tests. A machine is a network namespace
 * plus a mount namespace in which /run (so /run/netns, /run/nslab, /run/lock, the OVS run
 * directory, /run/sshd), /etc/netns (empty, as on a machine of its own: not the host's), what it
 * writes to /etc (an overlay), the OVS database and log directories and /sys are its own, running
 * its own sshd (Debian's openssh-server, never on the real root namespace) on an underlay bridge
 * that lives in a namespace of its own; a controller namespace sits on the same underlay. Nothing
 * is created in the real root namespace. Tests reach the machines with a key made for the run: from the
 * controller namespace directly (`sshConfig`, for the CLI run there), or from this process through
 * a relay into the controller namespace (`proxyConfig`, for the library in-process).
 * Removal: by PID and by namespace identity (machines-cleanup.mjs), also by a detached watchdog
 * if the test process dies.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const HERE = import.meta.dirname;
const CLEANUP = join(HERE, "machines-cleanup.mjs");
const RELAY = join(HERE, "tcp-relay.mjs");
/** The checkout's built CLI: every machine runs the same (the filesystem is shared). */
export const CLI = join(HERE, "..", "..", "dist", "cli", "main.js");
/** The nslab command on a simulated machine. */
export const MACHINE_NSLAB = `${process.execPath} ${CLI}`;

export interface Machine {
  name: string;
  /** Its underlay address (198.18.0.0/15, inside the run's namespaces only). */
  ip: string;
  net: string;
  mnt: string;
  dir: string;
  sshdPid: number;
}

export interface SpawnResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Machines {
  tag: string;
  run: string;
  machines: Machine[];
  /** The controller's network namespace (a file). */
  controllerNet: string;
  /** ssh configuration for ssh run inside the controller namespace. */
  sshConfig: string;
  /** ssh configuration for ssh run from here (a relay into the controller namespace). */
  proxyConfig: string;
  /** A private nslab state directory for the controller. */
  stateDir: string;
  machine(name: string): Machine;
  /** Run `argv` on machine `name` (its namespaces), as root there. */
  on(name: string, argv: string[], timeoutMs?: number): SpawnResult;
  /** Run `argv` inside namespace `ns` of machine `name` (`ip netns exec`). */
  inNode(name: string, ns: string, argv: string[], timeoutMs?: number): SpawnResult;
  /** Run the CLI in the controller namespace (ssh straight to the machines, `ssh_config` of the lab). */
  nslab(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): SpawnResult;
  /** Start the CLI in the controller namespace without waiting (nsenter execs it: its PID is node's). */
  startNslab(args: string[], env?: Record<string, string>): ChildProcess;
  /** Drop (or accept again) new ssh connections to machine `name` in its own firewall. */
  blockSsh(name: string, blocked: boolean): void;
  /**
   * Refuse (or accept again) ssh to machine `name` in its own firewall, at once: new connections are
   * refused and the packets of established ones (a multiplexed master) answered with a reset.
   */
  refuseSsh(name: string, refused: boolean): void;
  /** The nslab state a machine holds: its lab records. */
  records(name: string): string[];
  /**
   * What a machine has that a lab could leave: named namespaces, links besides lo/ul0, /etc/netns
   * entries, records.
   */
  leftovers(name: string): string[];
  cleanup(): void;
}

function run(argv: string[], options: { timeoutMs?: number; input?: string } = {}): SpawnResult {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 30_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function must(argv: string[], input?: string): string {
  const r = run(argv, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const MACHINE_SETUP = `set -e
mount -t tmpfs -o mode=755,size=64m nslab-mh-run /run
mkdir -p /run/netns /run/nslab /run/lock /run/openvswitch /run/sshd /run/.etc/upper /run/.etc/work
chmod 700 /run/nslab
mount -t overlay -o lowerdir=/etc,upperdir=/run/.etc/upper,workdir=/run/.etc/work nslab-mh-etc /etc
mkdir -p /etc/netns
mount -t tmpfs -o mode=755,size=4m nslab-mh-netns /etc/netns
for d in /etc/openvswitch /var/lib/openvswitch /var/log/openvswitch; do
  mount -t tmpfs -o mode=755,size=64m nslab-mh-ovs "$d"
done
mount -t sysfs nslab-mh-sys /sys
if [ -e /root/.bashrc ]; then mount --bind /dev/null /root/.bashrc; fi
ip link set lo up`;

/** Make `count` machines (m1, m2, …) at 198.18.N.11, .12, … and a controller at .1. */
export function startMachines(count: number, options: { watchdog?: boolean } = {}): Machines {
  const tag = `m${randomBytes(2).toString("hex")}`;
  const runDir = mkdtempSync(`/tmp/nslab-${tag}-`);
  const subnet = `198.18.${1 + (randomBytes(1)[0]! % 200)}`;
  const manifest = {
    tag,
    machines: [] as { name: string; net: string; mnt: string }[],
    controllerNet: join(runDir, "C.net"),
    underlayNet: join(runDir, "U.net"),
    pids: [] as number[],
    controlDirs: [join(runDir, "state", "ssh"), join(runDir, "cm")],
  };
  const save = () => writeFileSync(join(runDir, "manifest.json"), JSON.stringify(manifest));
  save();
  let watchdog: ChildProcess | undefined;
  const machines: Machine[] = [];
  const cleanup = () => {
    spawnSync(process.execPath, [CLEANUP, runDir], { stdio: "inherit", timeout: 120_000 });
    if (watchdog?.pid) {
      try {
        process.kill(watchdog.pid, "SIGTERM");
      } catch {}
    }
  };
  try {
    if (options.watchdog !== false) {
      watchdog = spawn(process.execPath, [CLEANUP, "--watch", String(process.pid), runDir], {
        detached: true,
        stdio: "ignore",
      });
      watchdog.unref();
    }
    // Namespace files must live on a private mount (a mount namespace bound into a shared mount
    // would make a propagation loop).
    must(["mount", "--bind", runDir, runDir]);
    must(["mount", "--make-private", runDir]);
    const U = manifest.underlayNet;
    const C = manifest.controllerNet;
    for (const f of [U, C]) {
      writeFileSync(f, "");
      must(["unshare", `--net=${f}`, "--", "true"]);
    }
    const inU = (argv: string[]) => must(["nsenter", `--net=${U}`, "--", ...argv]);
    inU(["ip", "link", "add", "ul", "type", "bridge"]);
    inU(["sysctl", "-qw", "net.ipv6.conf.ul.disable_ipv6=1"]);
    inU(["ip", "link", "set", "ul", "up"]);
    const plug = (name: string, ns: string, ip: string) => {
      must([
        "ip",
        "link",
        "add",
        `${tag}${name}`,
        "netns",
        U,
        "type",
        "veth",
        "peer",
        "name",
        "ul0",
        "netns",
        ns,
      ]);
      inU(["sysctl", "-qw", `net.ipv6.conf.${tag}${name}.disable_ipv6=1`]);
      inU(["ip", "link", "set", `${tag}${name}`, "master", "ul", "up"]);
      const inNs = ["nsenter", `--net=${ns}`, "--"];
      must([...inNs, "ip", "link", "set", "lo", "up"]);
      must([...inNs, "ip", "addr", "add", `${ip}/24`, "dev", "ul0"]);
      // One kernel carries every machine: checksums left to the "NIC" would cross the simulated wire
      // unfinished (a real wire never carries those). Make ul0 finish them.
      must([...inNs, "ethtool", "-K", "ul0", "tx", "off"]);
      must([...inNs, "ip", "link", "set", "ul0", "up"]);
    };
    plug("c", C, `${subnet}.1`);

    // The test's key, known hosts and ssh configurations.
    must([
      "ssh-keygen",
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      `nslab-test-${tag}`,
      "-f",
      join(runDir, "id"),
    ]);
    writeFileSync(join(runDir, "authorized_keys"), readFileSync(join(runDir, "id.pub")));
    mkdirSync(join(runDir, "cm"), { mode: 0o700 });
    const common = [
      "Host *",
      "  User root",
      `  IdentityFile ${join(runDir, "id")}`,
      "  IdentitiesOnly yes",
      "  IdentityAgent none",
      `  UserKnownHostsFile ${join(runDir, "known_hosts")}`,
      "  GlobalKnownHostsFile /dev/null",
      "  StrictHostKeyChecking yes",
      "  UpdateHostKeys no",
      "  PasswordAuthentication no",
      "  KbdInteractiveAuthentication no",
      `  ControlPath ${join(runDir, "cm")}/%C`,
      "  ConnectTimeout 3",
      "  ServerAliveInterval 2",
      "  ServerAliveCountMax 2",
    ];
    const sshConfig = join(runDir, "ssh_config");
    const proxyConfig = join(runDir, "ssh_config.proxy");
    writeFileSync(sshConfig, `${common.join("\n")}\n`);
    writeFileSync(
      proxyConfig,
      `${[common[0], `  ProxyCommand /usr/bin/nsenter --net=${C} -- ${process.execPath} ${RELAY} %h %p`, ...common.slice(1)].join("\n")}\n`,
    );
    writeFileSync(join(runDir, "known_hosts"), "");

    for (let i = 1; i <= count; i++) {
      const name = `m${i}`;
      const dir = join(runDir, name);
      mkdirSync(dir);
      const net = join(runDir, `${name}.net`);
      const mnt = join(runDir, `${name}.mnt`);
      writeFileSync(net, "");
      writeFileSync(mnt, "");
      must([
        "unshare",
        `--net=${net}`,
        `--mount=${mnt}`,
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        MACHINE_SETUP,
      ]);
      manifest.machines.push({ name, net, mnt });
      save();
      const ip = `${subnet}.${10 + i}`;
      plug(name, net, ip);
      must([
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        `host-${name}-${tag}`,
        "-f",
        join(dir, "hostkey"),
      ]);
      const hostKey = readFileSync(join(dir, "hostkey.pub"), "utf8").split(" ").slice(0, 2).join(" ");
      writeFileSync(
        join(runDir, "known_hosts"),
        `${readFileSync(join(runDir, "known_hosts"), "utf8")}${ip} ${hostKey}\n`,
      );
      writeFileSync(
        join(dir, "sshd_config"),
        [
          `ListenAddress ${ip}:22`,
          `HostKey ${join(dir, "hostkey")}`,
          `PidFile ${join(dir, "sshd.pid")}`,
          `AuthorizedKeysFile ${join(runDir, "authorized_keys")}`,
          "PermitRootLogin prohibit-password",
          "PubkeyAuthentication yes",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "UseDNS no",
          // The run directory is under /tmp (world-writable): not a home directory to guard.
          "StrictModes no",
          "PrintMotd no",
          "PrintLastLog no",
          "X11Forwarding no",
          "AllowTcpForwarding no",
          "AllowAgentForwarding no",
          "PermitTunnel no",
          "MaxStartups 64:30:128",
          "LogLevel ERROR",
          "",
        ].join("\n"),
      );
      const inM = ["nsenter", `--net=${net}`, `--mount=${mnt}`, "--"];
      must([...inM, "/usr/sbin/sshd", "-t", "-f", join(dir, "sshd_config")]);
      // -D keeps sshd in the foreground and nsenter execs it: the PID is sshd's own.
      const sshd = spawn(
        "setsid",
        [...inM, "/usr/sbin/sshd", "-D", "-f", join(dir, "sshd_config"), "-E", join(dir, "sshd.log")],
        { stdio: "ignore", detached: true },
      );
      sshd.unref();
      manifest.pids.push(sshd.pid!);
      save();
      for (let w = 0; w < 200 && !existsSync(join(dir, "sshd.pid")); w++) sleep(25);
      if (!existsSync(join(dir, "sshd.pid")))
        throw new Error(`sshd of ${name} did not start: ${readLog(dir)}`);
      machines.push({ name, ip, net, mnt, dir, sshdPid: sshd.pid! });
    }
  } catch (e) {
    cleanup();
    throw e;
  }

  const machine = (name: string) => {
    const m = machines.find((x) => x.name === name);
    if (!m) throw new Error(`no machine ${name}`);
    return m;
  };
  const on = (name: string, argv: string[], timeoutMs?: number) => {
    const m = machine(name);
    return run(
      ["nsenter", `--net=${m.net}`, `--mount=${m.mnt}`, "--", ...argv],
      timeoutMs ? { timeoutMs } : {},
    );
  };
  const stateDir = join(runDir, "state");
  mkdirSync(stateDir, { mode: 0o700 });
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    NO_COLOR: "1",
    NSLAB_STATE_DIR: stateDir,
    ...extra,
  });
  return {
    tag,
    run: runDir,
    machines,
    controllerNet: manifest.controllerNet,
    sshConfig: join(runDir, "ssh_config"),
    proxyConfig: join(runDir, "ssh_config.proxy"),
    stateDir,
    machine,
    on,
    inNode: (name, ns, argv, timeoutMs) => on(name, ["ip", "netns", "exec", ns, ...argv], timeoutMs),
    nslab(args, options = {}) {
      const r = spawnSync(
        "nsenter",
        [`--net=${manifest.controllerNet}`, "--", process.execPath, CLI, ...args],
        {
          encoding: "utf8",
          env: env(options.env),
          timeout: options.timeoutMs ?? 180_000,
        },
      );
      return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    },
    startNslab(args, extra = {}) {
      return spawn("nsenter", [`--net=${manifest.controllerNet}`, "--", process.execPath, CLI, ...args], {
        env: env(extra),
      });
    },
    blockSsh(name, blocked) {
      const r = on(name, [
        "iptables",
        blocked ? "-I" : "-D",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        "22",
        "-j",
        "DROP",
      ]);
      if (r.code !== 0) throw new Error(`iptables in ${name}: ${r.stderr}`);
    },
    refuseSsh(name, refused) {
      const r = on(name, [
        "iptables",
        refused ? "-I" : "-D",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        "22",
        "-j",
        "REJECT",
        "--reject-with",
        "tcp-reset",
      ]);
      if (r.code !== 0) throw new Error(`iptables in ${name}: ${r.stderr}`);
    },
    records(name) {
      const r = on(name, ["sh", "-c", "ls /run/nslab/labs 2>/dev/null"]);
      return r.stdout.split("\n").filter(Boolean);
    },
    leftovers(name) {
      const netns = on(name, ["ip", "netns", "list"]).stdout.split("\n").filter(Boolean);
      const links = JSON.parse(on(name, ["ip", "-j", "link", "show"]).stdout || "[]") as { ifname: string }[];
      const extra = links.map((l) => l.ifname).filter((n) => n !== "lo" && n !== "ul0");
      const etc = on(name, ["ls", "-A", "/etc/netns"]).stdout.split("\n").filter(Boolean);
      return [
        ...netns.map((n) => `netns ${n}`),
        ...etc.map((n) => `/etc/netns/${n}`),
        ...extra.map((l) => `link ${l}`),
        ...this.records(name).map((f) => `record ${f}`),
      ];
    },
    cleanup,
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, "sshd.log"), "utf8");
  } catch {
    return "";
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether this host can simulate machines (root, sshd, nsenter, unshare, iptables). */
export function canSimulateMachines(): boolean {
  if (process.getuid?.() !== 0) return false;
  for (const bin of ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/nsenter", "/usr/bin/unshare"])
    if (!existsSync(bin)) return false;
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return false;
  }
  return true;
}
