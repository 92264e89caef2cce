/** `exec` in a node of a lab spread over machines: the ssh call it makes, and what its exit means. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Runner, RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import { NslabError } from "../../../src/errors.js";
import { execMulti } from "../../../src/lab/remote/exec.js";
import type { Topology } from "../../../src/model/types.js";
import { type MultiLabState, saveMultiLab } from "../../../src/state/multi.js";

/** A runner that answers every command with `result` and records what it was asked. */
function answering(result: Partial<RunResult>) {
  const calls: { argv: readonly string[]; options: RunOptions }[] = [];
  const runner: Runner = {
    async run(argv, options = {}) {
      calls.push({ argv, options });
      return { argv, exitCode: 0, stdout: "", stderr: "", durationMs: 1, ...result };
    },
    start() {
      throw new Error("not here");
    },
  };
  return { runner, calls };
}

const topology = {
  name: "spread",
  prefix: "",
  nodes: [
    { kind: "netns", name: "h1", netns: "h1", host: "a", interfaces: [] },
    { kind: "bridge", name: "s2", ifname: "s2", host: "b", interfaces: [] },
    { kind: "netns", name: "h2", netns: "h2", host: "b", interfaces: [] },
  ],
  links: [],
} as unknown as Topology;

describe("exec in a lab spread over machines", () => {
  let dir: string;
  const saved = process.env.NSLAB_STATE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "nslab-mh-exec-"));
    process.env.NSLAB_STATE_DIR = dir;
    const state: MultiLabState = {
      version: 1,
      kind: "multi",
      lab: "spread",
      status: "up",
      topology,
      hosts: [
        { name: "a", ssh: "root@192.0.2.10", nslab: ["nslab"] },
        { name: "b", ssh: "root@192.0.2.11", nslab: ["sudo", "-n", "nslab"] },
      ],
      sshConfig: "/labs/ssh_config",
      tunnels: [],
      pid: process.pid,
      createdAt: "",
      updatedAt: "",
    };
    saveMultiLab(state);
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NSLAB_STATE_DIR;
    else process.env.NSLAB_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs `nslab exec` over ssh on the node's machine, every word quoted, and returns its exit code", async () => {
    const { runner, calls } = answering({ exitCode: 7, stdout: "out", stderr: "err" });
    const r = await execMulti("spread", "h2", ["sh", "-c", "echo $HOME; exit 7"], { runner });
    expect(r).toEqual({ exitCode: 7, stdout: "out", stderr: "err" });
    const argv = calls[0]!.argv;
    expect(argv.slice(0, 3)).toEqual(["ssh", "-F", "/labs/ssh_config"]);
    expect(argv).toContain("BatchMode=yes");
    expect(argv.slice(-2)).toEqual([
      "root@192.0.2.11",
      "sudo -n nslab exec --here spread h2 -- sh -c 'echo $HOME; exit 7'",
    ]);
  });

  it("sets variables in the node with env, never through the remote shell", async () => {
    const { runner, calls } = answering({});
    await execMulti("spread", "h1", ["printenv", "X"], { runner, env: { X: "a b;c" } });
    expect(calls[0]!.argv.at(-1)).toBe("nslab exec --here spread h1 -- env 'X=a b;c' -- printenv X");
  });

  it("names the machine when ssh cannot reach it (exit 255 with ssh's message)", async () => {
    const { runner } = answering({
      exitCode: 255,
      stderr: "ssh: connect to host 192.0.2.11 port 22: Connection refused\n",
    });
    const e = await execMulti("spread", "h2", ["true"], { runner }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NslabError);
    expect((e as NslabError).code).toBe("E_UNREACHABLE");
    expect((e as NslabError).message).toMatch(
      /^host b \(root@192\.0\.2\.11\) of node 'h2' cannot be reached: ssh: connect/,
    );
    expect((e as NslabError).hint).toMatch(/ssh root@192\.0\.2\.11/);
  });

  it("a command of its own that exits 255 is a result, not an unreachable machine", async () => {
    const { runner } = answering({ exitCode: 255, stderr: "my tool failed\n" });
    expect((await execMulti("spread", "h2", ["tool"], { runner })).exitCode).toBe(255);
  });

  it("refuses nodes that are not namespaces, and says which nodes there are", async () => {
    const { runner, calls } = answering({});
    await expect(execMulti("spread", "s2", ["true"], { runner })).rejects.toThrow(
      /bridge in the root namespace/,
    );
    await expect(execMulti("spread", "nope", ["true"], { runner })).rejects.toThrow(/has no node 'nope'/);
    expect(calls).toEqual([]);
  });
});
