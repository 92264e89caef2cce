/**
 * How nslab reaches another machine: OpenSSH, with the user's own configuration and keys (or the
 * lab's `ssh_config`, as `ssh -F`), never a password prompt (`BatchMode=yes`), one multiplexed
 * connection per machine kept for a minute (`ControlMaster`/`ControlPersist`, sockets in a 0700
 * directory of nslab's state), and a remote command built from an argv with every word quoted for
 * the remote shell (sshd always hands the command to the remote user's shell as one string).
 */
import { shellQuote } from "../../util/quote.js";

/** A machine as ssh sees it. */
export interface SshTarget {
  /** The lab's name for the machine (in messages). */
  host: string;
  /** ssh destination: `user@address` or a Host of the ssh configuration. */
  ssh: string;
  /** The nslab command there, as words (`["nslab"]`, `["sudo", "-n", "nslab"]`). */
  nslab: readonly string[];
}

/** How every ssh call is made. */
export interface SshSettings {
  /** `ssh -F FILE` (the lab's `ssh_config:`); otherwise the user's own configuration applies. */
  configFile?: string;
  /** Directory of the multiplexing sockets; without it, no multiplexing. */
  controlDir?: string;
  /** Seconds to wait for a connection (default 5). */
  connectTimeoutSeconds?: number;
  /** Seconds a master connection stays after its last use (default 60). */
  persistSeconds?: number;
}

/** Longest unix socket path (sun_path, with its NUL), less what ssh appends while it binds. */
const SOCKET_PATH_MAX = 107 - 17;

/** The `-o` options nslab adds to every call (the user's configuration supplies the rest). */
export function sshOptions(settings: SshSettings): string[] {
  const o = (kv: string) => ["-o", kv];
  // %C is a 40-character hash of the connection (local host, remote host, port, user).
  const control =
    settings.controlDir !== undefined && settings.controlDir.length + 41 <= SOCKET_PATH_MAX
      ? [
          ...o("ControlMaster=auto"),
          ...o(`ControlPath=${settings.controlDir}/%C`),
          ...o(`ControlPersist=${settings.persistSeconds ?? 60}`),
        ]
      : o("ControlMaster=no");
  return [
    ...(settings.configFile !== undefined ? ["-F", settings.configFile] : []),
    ...o("BatchMode=yes"),
    ...control,
    ...o(`ConnectTimeout=${settings.connectTimeoutSeconds ?? 5}`),
    ...o("ServerAliveInterval=3"),
    ...o("ServerAliveCountMax=2"),
  ];
}

/**
 * The remote command line: the nslab command's words (a leading `NAME=value` word stays an
 * assignment for the remote shell, with its value quoted), then `args`, every word quoted.
 */
export function remoteCommand(nslab: readonly string[], args: readonly string[]): string {
  let assigning = true;
  const words = nslab.map((w) => {
    const m = assigning ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w) : null;
    if (!m) {
      assigning = false;
      return shellQuote(w);
    }
    return `${m[1]}=${shellQuote(m[2]!)}`;
  });
  return [...words, ...args.map(shellQuote)].join(" ");
}

/**
 * The argv that runs `nslab ARGS…` on `target`: `tty` asks for a terminal (an interactive `exec`),
 * otherwise none is allocated.
 */
export function sshArgv(
  target: SshTarget,
  args: readonly string[],
  settings: SshSettings,
  options: { tty?: boolean } = {},
): string[] {
  return [
    "ssh",
    ...sshOptions(settings),
    options.tty ? "-t" : "-T",
    "--",
    target.ssh,
    remoteCommand(target.nslab, args),
  ];
}

/** The argv that asks the master connection to `target` to exit (`ssh -O exit`). */
export function sshExitArgv(target: SshTarget, settings: SshSettings): string[] {
  return ["ssh", ...sshOptions(settings), "-O", "exit", "--", target.ssh];
}

/** ssh exits 255 for its own failures (nslab never does): the machine was not reached. */
export const SSH_FAILED = 255;

/** ssh's own account of a failure: its last line on stderr that says something. */
export function sshReason(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: Permanently added/.test(l));
  return lines[lines.length - 1] ?? "ssh failed without saying why";
}
