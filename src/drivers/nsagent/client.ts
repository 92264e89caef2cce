/**
 * The nsagent process seen from TypeScript: start one agent, pipeline batches of commands to it
 * (all requests written at once, replies matched in order), and close it.
 */
import type { ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { NslabError } from "../../errors.js";
import { packageRoot } from "../../util/package-root.js";
import { CommandError, type CommandFailure, logCommand, type Runner, systemRunner } from "../runner/index.js";
import {
  type AgentCommand,
  type AgentReply,
  type NsDump,
  PING,
  parseReply,
  STOP_ON_ERROR_OFF,
  STOP_ON_ERROR_ON,
  serializeCommands,
} from "./protocol.js";
import { asNftTables, asNsDump, type NftTable } from "./reply-data.js";

/** Where the build puts the agent, relative to the package root. */
const AGENT_PATH = join("dist", "native", "nsagent");
/** ELF e_machine of each CPU architecture Node runs on (Linux). */
const ELF_MACHINE: Partial<Record<NodeJS.Architecture, number>> = {
  x64: 62,
  arm64: 183,
  ia32: 3,
  arm: 40,
  riscv64: 243,
  ppc64: 21,
  s390x: 22,
  loong64: 258,
};

/** The e_machine field of an ELF file, or undefined when it is not one. */
function elfMachine(path: string): number | undefined {
  const header = Buffer.alloc(20);
  const fd = openSync(path, "r");
  try {
    if (readSync(fd, header, 0, 20, 0) < 20) return undefined;
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
}

/** How long `close()` waits for the agent to finish before killing it. */
const CLOSE_TIMEOUT_MS = 5_000;
/** How much of the agent's stderr is kept for error messages. */
const STDERR_LIMIT = 16_384;
/** The end of a reply line. */
const NEWLINE = 0x0a;

/** Options of {@link NsAgent.start}. */
export interface NsAgentOptions {
  /** Spawns the agent; defaults to the system runner. */
  runner?: Runner;
  /** The agent binary; defaults to {@link findAgentBinary}. */
  path?: string;
}

/** Options of {@link NsAgent.exec}. */
export interface ExecOptions {
  /** After the first `err`, skip the rest of the batch (their replies are `skip`). Default false. */
  stopOnError?: boolean;
  /**
   * Called with each reply as it comes, with its command's index (not with stopOnError): a caller
   * can work on the first replies of a long batch while the agent is still at the rest.
   */
  onReply?: (index: number, reply: AgentReply) => void;
}

/** Replies still owed for one written batch of request lines. */
interface PendingBatch {
  expected: number;
  replies: AgentReply[];
  onReply?: ((index: number, reply: AgentReply) => void) | undefined;
  resolve: (replies: AgentReply[]) => void;
  reject: (error: Error) => void;
}

/**
 * The built agent binary of this package, or null when it has not been built or was built for
 * another CPU (an installed package ships the binary built where it was packed).
 */
export function findAgentBinary(): string | null {
  const root = packageRoot();
  if (root === null) return null;
  const path = join(root, AGENT_PATH);
  try {
    accessSync(path, constants.X_OK);
    return elfMachine(path) === ELF_MACHINE[process.arch] ? path : null;
  } catch {
    return null;
  }
}

/** The nftables tables of the root namespace, asked of a running agent (undefined: it could not say). */
export async function nftTablesOf(agent: NsAgent): Promise<NftTable[] | undefined> {
  const [root, r] = await agent.exec([{ op: "root" }, { op: "nfttables" }]);
  return root?.status === "ok" && r?.status === "ok" ? asNftTables(r.data) : undefined;
}

/**
 * Forget what each of `namespaces` learned of its neighbours' MAC addresses (entries the kernel
 * resolved; static ones stay), in one request; the agent is back in the root namespace after.
 */
export async function flushNeighboursOf(agent: NsAgent, namespaces: Iterable<string>): Promise<void> {
  await agent.exec([
    ...[...namespaces].flatMap((ns) => [{ op: "ns", ns } as const, { op: "neighflush" } as const]),
    { op: "root" },
  ]);
}

/**
 * The nftables tables of the namespace nslab runs in, asked of an agent started for this alone
 * (undefined: no agent binary, or it could not say): where the driver has no agent running (`plan`),
 * an agent starts, answers and exits in a few milliseconds, against ~15 ms for `nft -j list ruleset`
 * to list a host that has no table (most hosts without Docker or a firewall).
 */
export async function nftTablesOfOwnAgent(runner?: Runner): Promise<NftTable[] | undefined> {
  if (!findAgentBinary()) return undefined;
  let agent: NsAgent;
  try {
    agent = await NsAgent.start(runner ? { runner } : {});
  } catch {
    return undefined;
  }
  try {
    return await nftTablesOf(agent);
  } catch {
    return undefined;
  } finally {
    await agent.close().catch(() => {});
  }
}

/**
 * One running nsagent. Its current namespace is shared state: start every batch with `ns` or
 * `root` rather than relying on where an earlier batch left it.
 */
export class NsAgent {
  readonly #child: ChildProcess;
  readonly #argv: readonly string[];
  readonly #started = performance.now();
  readonly #queue: PendingBatch[] = [];
  readonly #exited: Promise<void>;
  #markExited: () => void = () => {};
  #spawnError: Error | undefined;
  /** The start of a reply line not yet ended, as it came (a line is decoded once it is whole). */
  #partial: Buffer[] = [];
  #stderr = "";
  #failure: NslabError | undefined;
  #closing = false;

  private constructor(child: ChildProcess, argv: readonly string[]) {
    this.#child = child;
    this.#argv = argv;
    this.#exited = new Promise((resolve) => {
      this.#markExited = resolve;
    });
    child.on("close", (exitCode, signal) => this.#onExit(exitCode, signal));
    child.on("error", (error) => {
      this.#spawnError = error;
      // Not started at all: no "close" will follow.
      if (child.pid === undefined) this.#onExit(null, null);
    });
    // A dead agent closes its stdin: the write error is reported through "close".
    child.stdin?.on("error", () => {});
    // Bytes, framed here: a reading of ten thousand namespaces is 3 MB of lines, and decoding each
    // line alone makes no copy of the whole (a decoder's text, joined and split again).
    child.stdout?.on("data", (chunk: Buffer) => this.#onData(chunk));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_LIMIT);
    });
  }

  /** Start an agent and wait until it answers. Throws E_ENV when no agent binary is available. */
  static async start(options: NsAgentOptions = {}): Promise<NsAgent> {
    const path = options.path ?? findAgentBinary();
    if (!path) {
      throw new NslabError("E_ENV", "the native netns agent (dist/native/nsagent) is not built", {
        hint: "run: node scripts/build-native.mjs (it needs a C compiler), or use the iproute2 driver",
      });
    }
    const argv = [path];
    const agent = new NsAgent((options.runner ?? systemRunner).start(argv), argv);
    const [pong] = await agent.#send(PING, 1);
    if (pong?.status !== "ok") {
      await agent.close();
      throw new NslabError("E_COMMAND", `nsagent did not start properly: ${JSON.stringify(pong)}`);
    }
    return agent;
  }

  /**
   * Run commands in order and return one reply per command. All requests are written at once and
   * the replies read afterwards. Throws TypeError (before sending anything) for unframeable fields,
   * and E_COMMAND when the agent dies.
   */
  async exec(cmds: readonly AgentCommand[], options: ExecOptions = {}): Promise<AgentReply[]> {
    const body = serializeCommands(cmds);
    if (cmds.length === 0) return [];
    const started = performance.now();
    const replies = options.stopOnError
      ? (await this.#send(STOP_ON_ERROR_ON + body + STOP_ON_ERROR_OFF, cmds.length + 3)).slice(
          1,
          1 + cmds.length,
        )
      : await this.#send(body, cmds.length, options.onReply);
    const durationMs = performance.now() - started;
    logCommand(() => ({
      argv: [...this.#argv, `(${summarize(cmds)})`],
      exitCode: replies.some((r) => r.status === "err") ? 1 : 0,
      durationMs,
      inputLines: cmds.length,
      startedMs: started,
    }));
    return replies;
  }

  /**
   * Links, addresses and main-table routes of namespace `ns` (null: the agent's root namespace).
   * Leaves the agent in that namespace.
   */
  async dump(ns: string | null): Promise<NsDump> {
    const enter: AgentCommand = ns === null ? { op: "root" } : { op: "ns", ns };
    const [entered, dumped] = await this.exec([enter, { op: "dump" }], { stopOnError: true });
    const failed = entered?.status === "err" ? entered : dumped?.status === "err" ? dumped : undefined;
    if (failed?.status === "err") {
      throw new NslabError("E_COMMAND", `nsagent: dump of ${ns ?? "the root namespace"}: ${failed.message}`);
    }
    if (dumped?.status !== "ok") throw new NslabError("E_COMMAND", "nsagent: dump returned no data");
    try {
      return asNsDump(dumped.data);
    } catch (cause) {
      throw new NslabError("E_COMMAND", "nsagent: dump returned malformed data", { cause });
    }
  }

  /** Close the agent's stdin and wait for it to exit (killing it if it does not within 5 s). */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#child.stdin?.end();
    }
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), CLOSE_TIMEOUT_MS);
    try {
      await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Write request lines and collect the next `expected` replies. */
  #send(
    text: string,
    expected: number,
    onReply?: (index: number, reply: AgentReply) => void,
  ): Promise<AgentReply[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closing) return Promise.reject(new NslabError("E_COMMAND", "nsagent: the agent is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ expected, replies: [], onReply, resolve, reject });
      this.#child.stdin?.write(text);
    });
  }

  #onData(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      if (this.#failure) return;
      let line: string;
      if (this.#partial.length === 0) line = chunk.toString("utf8", start, nl);
      else {
        this.#partial.push(chunk.subarray(0, nl));
        line = Buffer.concat(this.#partial).toString("utf8");
        this.#partial = [];
      }
      this.#onLine(line);
      start = nl + 1;
    }
    if (start < chunk.length) this.#partial.push(chunk.subarray(start));
  }

  #onLine(line: string): void {
    const batch = this.#queue[0];
    let reply: AgentReply;
    try {
      if (!batch) throw new TypeError(`unexpected reply ${JSON.stringify(line.slice(0, 120))}`);
      reply = parseReply(line);
    } catch (cause) {
      this.#fail(
        new NslabError("E_COMMAND", `nsagent protocol error: ${(cause as Error).message}`, { cause }),
      );
      this.#child.kill("SIGKILL");
      return;
    }
    batch.replies.push(reply);
    batch.onReply?.(batch.replies.length - 1, reply);
    if (batch.replies.length === batch.expected) {
      this.#queue.shift();
      batch.resolve(batch.replies);
    }
  }

  /** The agent is gone; unless `close()` asked for it with nothing pending, that is a failure. */
  #onExit(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (!this.#closing || this.#queue.length > 0) {
      const failure: CommandFailure = {
        argv: this.#argv,
        exitCode,
        signal,
        stdout: "",
        stderr: this.#stderr,
        durationMs: performance.now() - this.#started,
        timedOut: false,
      };
      this.#fail(
        new CommandError(failure, {
          cause: this.#spawnError,
          hint: "the native netns agent died; nslab can use iproute2 instead",
        }),
      );
    }
    this.#markExited();
  }

  /** The agent is unusable: reject everything pending and everything to come. */
  #fail(error: NslabError): void {
    this.#failure ??= error;
    for (const batch of this.#queue.splice(0)) batch.reject(this.#failure);
  }
}

/** `mkns×1000 up×2000` — what a batch asks for, for the verbose log. */
function summarize(cmds: readonly AgentCommand[]): string {
  const counts = new Map<string, number>();
  for (const c of cmds) counts.set(c.op, (counts.get(c.op) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op}×${n}`).join(" ");
}
