/**
 * One conversation with `nslab remote` on another machine, over one ssh channel: requests and
 * answers as JSON lines (`{"id":1,"op":"probe",…}` → `{"id":1,"ok":true,"result":…}`), and events the
 * remote sends on its own (log lines). When the channel ends before an answer — the machine cannot
 * be reached (ssh exits 255), nslab is missing there, or the remote process died — every pending
 * request fails with an error that names the machine and what its ssh or its nslab said.
 */
import type { ChildProcess } from "node:child_process";
import { NslabError } from "../../errors.js";
import type { Runner } from "../runner/index.js";
import { SSH_FAILED, type SshSettings, type SshTarget, sshArgv, sshReason } from "./ssh.js";

/** An error a machine reported (or the failure to reach it), naming the machine. */
export class RemoteError extends NslabError {
  override name = "RemoteError";
  constructor(
    readonly host: string,
    code: NslabError["code"],
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** What a machine logs while it works (its warnings and progress). */
export type RemoteLog = (host: string, level: "info" | "warn" | "debug", message: string) => void;

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
}

/** How a session's process ended. */
export interface SessionEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The protocol word that starts the remote side: `nslab remote`. */
export const REMOTE_COMMAND = "remote";

export class RemoteSession {
  readonly target: SshTarget;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  readonly #log: RemoteLog | undefined;
  #next = 1;
  #stderr = "";
  #buffer = "";
  #ended: Error | undefined;
  /** Resolves when the ssh process has exited. */
  readonly ended: Promise<SessionEnd>;

  private constructor(child: ChildProcess, target: SshTarget, log: RemoteLog | undefined) {
    this.#child = child;
    this.target = target;
    this.#log = log;
    child.stdin?.on("error", () => {});
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => this.#read(d));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      // Keep the tail only: ssh's and the remote shell's last words are what explain an end.
      this.#stderr = (this.#stderr + d).slice(-8192);
    });
    this.ended = new Promise((resolve) => {
      child.once("error", (e) => {
        this.#fail(
          new RemoteError(target.host, "E_ENV", `cannot run ssh for host ${target.host}: ${e.message}`),
        );
        resolve({ code: null, signal: null, stderr: this.#stderr });
      });
      child.once("close", (code, signal) => {
        this.#fail(this.#endError(code, signal));
        resolve({ code, signal, stderr: this.#stderr });
      });
    });
  }

  /** Start `nslab remote` on `target` over ssh. */
  static open(
    runner: Runner,
    target: SshTarget,
    settings: SshSettings,
    options: { log?: RemoteLog; env?: Readonly<Record<string, string>> } = {},
  ): RemoteSession {
    const child = runner.start(sshArgv(target, [REMOTE_COMMAND], settings), {
      ...(options.env ? { env: options.env } : {}),
    });
    return new RemoteSession(child, target, options.log);
  }

  /** A session over an already started process speaking the protocol (tests). */
  static over(child: ChildProcess, target: SshTarget, log?: RemoteLog): RemoteSession {
    return new RemoteSession(child, target, log);
  }

  /** `host b (root@192.0.2.11)` */
  get label(): string {
    return `host ${this.target.host} (${this.target.ssh})`;
  }

  /** The PID of the ssh process. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Send request `op` and wait for its answer (rejects with a RemoteError naming the machine). */
  request<T>(
    op: string,
    body: Record<string, unknown> = {},
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject };
      if (options.timeoutMs !== undefined)
        p.timer = setTimeout(() => {
          this.#pending.delete(id);
          reject(
            new RemoteError(
              this.target.host,
              "E_REMOTE",
              `${this.label} did not answer '${op}' within ${Math.round(options.timeoutMs! / 1000)} s`,
            ),
          );
        }, options.timeoutMs);
      this.#pending.set(id, p);
      this.#child.stdin?.write(`${JSON.stringify({ id, op, ...body })}\n`);
    });
  }

  /** Close our end: the remote finishes what it does (an `up` not committed rolls back) and exits. */
  end(): void {
    this.#child.stdin?.end();
  }

  /** End the session and wait for the process (killed after `timeoutMs`). */
  async close(timeoutMs = 30_000): Promise<SessionEnd> {
    this.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.ended;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stop the ssh process now (the remote sees its input end). */
  kill(): void {
    this.#child.kill("SIGTERM");
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    for (let nl = this.#buffer.indexOf("\n"); nl >= 0; nl = this.#buffer.indexOf("\n")) {
      const line = this.#buffer.slice(0, nl).trim();
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line) this.#message(line);
    }
  }

  #message(line: string): void {
    let m: {
      id?: number;
      ok?: boolean;
      result?: unknown;
      error?: { code?: string; message?: string; hint?: string };
      event?: string;
      level?: "info" | "warn" | "debug";
      message?: string;
    };
    try {
      m = JSON.parse(line);
    } catch {
      // Something else printed to stdout on the machine (a login banner, a shell rc file): say it.
      this.#log?.(this.target.host, "debug", `(not nslab's) ${line}`);
      return;
    }
    if (m.event === "log") {
      this.#log?.(this.target.host, m.level ?? "info", m.message ?? "");
      return;
    }
    if (m.id === undefined) return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else
      p.reject(
        new RemoteError(
          this.target.host,
          (m.error?.code as NslabError["code"]) ?? "E_REMOTE",
          `host ${this.target.host}: ${m.error?.message ?? "failed"}`,
          m.error?.hint ? { hint: m.error.hint } : {},
        ),
      );
  }

  #endError(code: number | null, signal: NodeJS.Signals | null): RemoteError {
    if (code === SSH_FAILED)
      return new RemoteError(
        this.target.host,
        "E_UNREACHABLE",
        `${this.label} cannot be reached: ${sshReason(this.#stderr)}`,
        { hint: "check that `ssh` to it works without a password (BatchMode), and that it is up" },
      );
    const said = this.#stderr
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(" | ");
    if (code === 127 || /command not found|No such file or directory/.test(said))
      return new RemoteError(
        this.target.host,
        "E_REMOTE",
        `${this.label}: the nslab command '${this.target.nslab.join(" ")}' did not run there: ${said || `exit ${code}`}`,
        { hint: `install nslab on that machine, or set 'nslab:' under hosts.${this.target.host}` },
      );
    return new RemoteError(
      this.target.host,
      "E_REMOTE",
      `${this.label}: nslab ended ${signal ? `by ${signal}` : `with exit code ${code}`}${said ? `: ${said}` : ""}`,
    );
  }

  #fail(e: Error): void {
    this.#ended ??= e;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(e);
    }
  }
}
