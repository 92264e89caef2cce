/**
 * `exec` in a node of a lab spread over several machines: the command runs over ssh on the node's
 * machine, as `nslab exec LAB NODE -- argv…` there (that machine's nslab finds the node's namespaces
 * in its own record of its part). The argv travels word by word, each quoted for the remote shell;
 * attached to a terminal, ssh is given one (`-t`). `--here` makes the machine use its own part even
 * when it is this controller too (it then also holds the record of the lab spread over machines). ssh's own failure (exit 255 and its message) names
 * the machine and what to do; any other exit code is the command's.
 */

import { SSH_FAILED, sshArgv, sshReason } from "../../drivers/remote/ssh.js";
import { type Runner, systemRunner } from "../../drivers/runner/index.js";
import { sshEnv, sshSettings } from "../../engine/multi/machines.js";
import { targetOf } from "../../engine/multi/up.js";
import { NslabError } from "../../errors.js";
import { type AttachedOptions, attached, type ExecOptions, type ExecResult } from "../exec.js";
import { nodeOn, unreachableFix, upMultiRecord } from "./lab.js";

/** The ssh argv that runs `argv` in `node` of multi-machine lab `lab`, and the node's machine. */
function remoteExec(
  lab: string,
  node: string,
  argv: readonly string[],
  env: ExecOptions["env"],
  tty: boolean,
) {
  if (argv.length === 0) throw new NslabError("E_USAGE", "no command given");
  const state = upMultiRecord(lab);
  const on = nodeOn(state, node);
  if (on.node.kind !== "netns")
    throw new NslabError(
      "E_USAGE",
      `node '${node}' is a ${on.node.kind} in the root namespace; exec runs commands in namespace nodes`,
    );
  // Variables for the command: `env` (in the system PATH on every machine) sets them in the node.
  const words =
    env && Object.keys(env).length > 0
      ? ["env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), "--", ...argv]
      : [...argv];
  const ssh = sshArgv(
    targetOf(on.host),
    ["exec", "--here", lab, node, "--", ...words],
    sshSettings(state.sshConfig),
    {
      tty,
    },
  );
  return { ssh, host: on.host, lab: state.lab };
}

/** Run `argv` in `node` of multi-machine lab `lab` on its machine and capture its output. */
export async function execMulti(
  lab: string,
  node: string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { ssh, host } = remoteExec(lab, node, argv, options.env, false);
  const agent = sshEnv();
  const res = await (options.runner ?? systemRunner).run(ssh, {
    allowFailure: true,
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(agent ? { env: agent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (
    res.exitCode === SSH_FAILED &&
    /^(ssh|kex_|Permission denied|Connection|Host key)|: (Connection|No route|Permission)/m.test(res.stderr)
  )
    throw new NslabError(
      "E_UNREACHABLE",
      `host ${host.name} (${host.ssh}) of node '${node}' cannot be reached: ${sshReason(res.stderr)}`,
      { hint: unreachableFix(lab, host) },
    );
  if (options.check && res.exitCode !== 0)
    throw new NslabError(
      "E_COMMAND",
      `${argv.join(" ")} exited ${res.exitCode} in node '${node}' of lab '${lab}' (host ${host.name}): ${res.stderr.trim()}`,
    );
  return { exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr };
}

/** Run `argv` in `node` of multi-machine lab `lab` attached to this terminal; its exit code. */
export async function execAttachedMulti(
  lab: string,
  node: string,
  argv: readonly string[],
  runner: Runner = systemRunner,
  options: AttachedOptions & { log?: (level: "warn", message: string) => void } = {},
): Promise<number> {
  const tty = options.stdin !== "ignore" && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const { ssh, host } = remoteExec(lab, node, argv, undefined, tty);
  const agent = sshEnv();
  const code = await attached(ssh, runner, { ...options, ...(agent ? { env: agent } : {}) });
  if (code === SSH_FAILED)
    options.log?.(
      "warn",
      `exit code 255 from host ${host.name} (${host.ssh}): ssh could not reach it (its message is above), or the command itself exited 255; ${unreachableFix(lab, host)}`,
    );
  return code;
}
