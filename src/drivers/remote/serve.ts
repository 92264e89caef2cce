/**
 * The remote end of a session: JSON-line requests on stdin, answers and log events on stdout.
 * Requests run concurrently (an `up` waits for the controller's next word while other requests are
 * answered). When stdin ends — the controller finished, or died (kill -9, a lost connection) — the
 * signal handlers were given aborts, and serving ends once every handler has finished (an `up` that
 * was not committed has rolled back by then). Writing to a controller that is gone is not an error.
 */
import type { Readable, Writable } from "node:stream";
import { NslabError } from "../../errors.js";

/** A request as it arrives. */
export interface RemoteRequest {
  id: number;
  op: string;
  [field: string]: unknown;
}

/** What a handler gets besides its request. */
export interface ServeContext {
  /** Aborts when the controller's side of the session ends. */
  signal: AbortSignal;
  /** Send a log line to the controller. */
  log(level: "info" | "warn" | "debug", message: string): void;
}

export type RemoteHandler = (request: RemoteRequest, ctx: ServeContext) => Promise<unknown>;

/** Serve requests from `input` until it ends and every request has been answered. */
export async function serveLines(input: Readable, output: Writable, handle: RemoteHandler): Promise<void> {
  let broken = false;
  output.on("error", () => {
    broken = true;
  });
  const write = (value: unknown) => {
    if (broken) return;
    try {
      output.write(`${JSON.stringify(value)}\n`);
    } catch {
      broken = true;
    }
  };
  const controller = new AbortController();
  const ctx: ServeContext = {
    signal: controller.signal,
    log: (level, message) => write({ event: "log", level, message }),
  };
  const running = new Set<Promise<void>>();
  const run = (request: RemoteRequest) => {
    const p = (async () => {
      try {
        const result = await handle(request, ctx);
        write({ id: request.id, ok: true, result: result ?? null });
      } catch (e) {
        const err = e as Error & { code?: string; hint?: string };
        write({
          id: request.id,
          ok: false,
          error: {
            code: e instanceof NslabError ? e.code : "E_REMOTE",
            message: err.message,
            ...(err.hint ? { hint: err.hint } : {}),
          },
        });
      }
    })();
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  let buffer = "";
  input.setEncoding("utf8");
  await new Promise<void>((resolve) => {
    input.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        let request: RemoteRequest;
        try {
          request = JSON.parse(line) as RemoteRequest;
        } catch {
          write({ event: "log", level: "warn", message: "ignored a line that is not JSON" });
          continue;
        }
        if (typeof request.id !== "number" || typeof request.op !== "string") continue;
        run(request);
      }
    });
    input.once("end", resolve);
    input.once("close", resolve);
    input.once("error", resolve);
  });
  controller.abort(new NslabError("E_INTERRUPTED", "the controlling nslab went away"));
  while (running.size > 0) await Promise.allSettled([...running]);
}
