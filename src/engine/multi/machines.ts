/**
 * The machines of a multi-machine lab, as the controller talks to them: one `nslab remote` session
 * per machine over ssh (opened together, asked together, so one slow or dead machine costs its
 * timeout once, not once per machine), ssh's settings (the lab's `ssh_config`, nslab's multiplexing
 * directory, the user's agent), and the errors that name each machine that failed.
 */
import { RemoteError, type RemoteLog, RemoteSession } from "../../drivers/remote/session.js";
import type { SshSettings, SshTarget } from "../../drivers/remote/ssh.js";
import { type Runner, systemRunner } from "../../drivers/runner/index.js";
import { NslabError } from "../../errors.js";
import { stateDir } from "../../state/dir.js";
import type { Logger } from "../../util/logger.js";

/** The ssh settings of a lab: its `ssh_config` (if any) and nslab's multiplexing directory. */
export function sshSettings(configFile: string | undefined): SshSettings {
  return { ...(configFile !== undefined ? { configFile } : {}), controlDir: stateDir("ssh") };
}

/** The environment ssh gets: the user's key agent, when there is one (the runner scrubs the rest). */
export function sshEnv(): Record<string, string> | undefined {
  const sock = process.env.SSH_AUTH_SOCK;
  return sock ? { SSH_AUTH_SOCK: sock } : undefined;
}

/** Sessions with some machines, by host name. */
export class Machines {
  readonly sessions = new Map<string, RemoteSession>();

  constructor(
    targets: readonly SshTarget[],
    readonly settings: SshSettings,
    options: { runner?: Runner; log?: Logger } = {},
  ) {
    const log: RemoteLog | undefined = options.log
      ? (host, level, message) => {
          if (level !== "debug") options.log!(level, `host ${host}: ${message}`);
        }
      : undefined;
    const env = sshEnv();
    for (const t of targets)
      this.sessions.set(
        t.host,
        RemoteSession.open(options.runner ?? systemRunner, t, settings, {
          ...(log ? { log } : {}),
          ...(env ? { env } : {}),
        }),
      );
  }

  /** The session with `host`. */
  get(host: string): RemoteSession {
    const s = this.sessions.get(host);
    if (!s) throw new Error(`internal: no session with host ${host}`);
    return s;
  }

  /** Run `fn` with every machine's session at once; each machine's outcome, by host name. */
  async each<T>(
    fn: (s: RemoteSession, host: string) => Promise<T>,
    hosts: Iterable<string> = this.sessions.keys(),
  ): Promise<Map<string, Outcome<T>>> {
    const names = [...hosts];
    const settled = await Promise.allSettled(names.map((h) => fn(this.get(h), h)));
    return new Map(
      names.map((h, i) => {
        const r = settled[i]!;
        return [
          h,
          r.status === "fulfilled"
            ? { ok: true, value: r.value }
            : { ok: false, error: asError(h, r.reason) },
        ];
      }),
    );
  }

  /** End every session and wait for its process (an `up` not committed rolls back meanwhile). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
  }
}

/** What one machine answered. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: RemoteError };

function asError(host: string, e: unknown): RemoteError {
  if (e instanceof RemoteError) return e;
  if (e instanceof NslabError)
    return new RemoteError(host, e.code, `host ${host}: ${e.message}`, { cause: e });
  return new RemoteError(host, "E_REMOTE", `host ${host}: ${(e as Error).message}`, { cause: e });
}

/** The failures among `outcomes`. */
export function failures<T>(outcomes: Map<string, Outcome<T>>): RemoteError[] {
  return [...outcomes.values()].flatMap((o) => (o.ok ? [] : [o.error]));
}

/** One error for several machines' failures: each machine's message on a line of its own. */
export function machinesError(summary: string, errors: readonly RemoteError[], hint?: string): NslabError {
  const codes = new Set(errors.map((e) => e.code));
  const code = codes.size === 1 ? [...codes][0]! : "E_REMOTE";
  const lines = errors.map((e) => `  - ${e.message.replaceAll("\n", "\n    ")}`);
  const hints = [...new Set([...errors.flatMap((e) => (e.hint ? [e.hint] : [])), ...(hint ? [hint] : [])])];
  return new NslabError(code, `${summary}:\n${lines.join("\n")}`, {
    ...(hints.length > 0 ? { hint: hints.join("; ") } : {}),
    ...(errors[0] ? { cause: errors[0] } : {}),
  });
}
