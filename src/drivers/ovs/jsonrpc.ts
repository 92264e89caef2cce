/** JSON-RPC 1.0 over a unix stream socket, as OVSDB speaks it (RFC 7047 §4): framing, ids, echo. */
import { createConnection, type Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { type ErrorCode, NslabError } from "../../errors.js";

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Why a JSON-RPC call failed. */
export type JsonRpcFailure =
  | "connect" // the socket could not be opened
  | "timeout" // no reply within the request's time limit
  | "closed" // the connection closed (or errored) before the reply came
  | "protocol" // the peer sent something that is not JSON-RPC
  | "remote"; // the peer replied with a non-null `error`

/** A JSON-RPC call or connection failed; `failure` says how. */
export class JsonRpcError extends NslabError {
  override name = "JsonRpcError";
  readonly failure: JsonRpcFailure;
  /** The method of the request that failed, when there was one. */
  readonly method: string | undefined;
  /** The peer's `error` member, for `failure: "remote"`. */
  readonly remoteError: Json | undefined;

  constructor(
    failure: JsonRpcFailure,
    message: string,
    options: { method?: string; remoteError?: Json; cause?: unknown; hint?: string; code?: ErrorCode } = {},
  ) {
    super(options.code ?? "E_OVSDB", message, { cause: options.cause, hint: options.hint });
    this.failure = failure;
    this.method = options.method;
    this.remoteError = options.remoteError;
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Splits a byte stream of back-to-back JSON objects/arrays (no delimiter, as OVSDB sends them) into
 * parsed values. Chunks may end anywhere, including inside a string or a multi-byte UTF-8 sequence;
 * scanning resumes where it stopped, so a large message arriving in many chunks is scanned once.
 */
export class JsonStreamSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private buf = "";
  /** Next index of `buf` to scan. */
  private pos = 0;
  /** Index in `buf` where the value being scanned starts, or -1 between values. */
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxMessageChars = 256 * 1024 * 1024) {}

  /** Feed one chunk; returns every value it completed, in order. Throws SyntaxError on garbage. */
  push(chunk: Buffer | Uint8Array | string): Json[] {
    this.buf += typeof chunk === "string" ? chunk : this.decoder.write(chunk as Buffer);
    const out: Json[] = [];
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    for (; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (this.start < 0) {
        if (WS.has(c)) continue;
        if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
          throw new SyntaxError(`unexpected ${JSON.stringify(buf[i])} between JSON-RPC messages`);
        }
        this.start = i;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === 0) {
          out.push(JSON.parse(buf.slice(this.start, i + 1)) as Json);
          this.start = -1;
        }
      }
    }
    // Keep only the unfinished value (if any); remember how far it has been scanned.
    if (this.start < 0) {
      this.buf = "";
      this.pos = 0;
    } else {
      this.buf = buf.slice(this.start);
      this.pos = n - this.start;
      this.start = 0;
      if (this.buf.length > this.maxMessageChars) {
        throw new SyntaxError(`JSON-RPC message exceeds ${this.maxMessageChars} characters`);
      }
    }
    return out;
  }

  /** True while part of a value has been received but not its end. */
  get partial(): boolean {
    return this.start >= 0;
  }
}

/** Options for {@link JsonRpcConnection.connect}. */
export interface JsonRpcConnectOptions {
  /** Give up connecting after this long. Default 5 s. */
  connectTimeoutMs?: number;
  /** Default per-request timeout; 0 waits forever. Default 30 s. */
  requestTimeoutMs?: number;
}

/** Options for one request. */
export interface RequestOptions {
  /** Overrides the connection's default; 0 waits forever. */
  timeoutMs?: number;
}

/** Called with a notification's `params`. */
export type NotificationListener = (params: Json) => void;

interface Pending {
  method: string;
  resolve: (result: Json) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One JSON-RPC 1.0 session on a unix socket: requests matched to replies by id, the peer's `echo`
 * requests answered, notifications (`update`, `update2`, …) dispatched to listeners. When the socket
 * closes or errors every pending request is rejected with `failure: "closed"`.
 */
export class JsonRpcConnection {
  private readonly socket: Socket;
  private readonly splitter = new JsonStreamSplitter();
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<NotificationListener>>();
  private readonly closeListeners = new Set<(error: JsonRpcError | undefined) => void>();
  private readonly closedPromise: Promise<void>;
  private nextId = 1;
  private closeReason: JsonRpcError | undefined;
  private isClosed = false;
  private closedByClient = false;

  private constructor(
    socket: Socket,
    readonly path: string,
    private readonly requestTimeoutMs: number,
  ) {
    this.socket = socket;
    let markClosed!: () => void;
    this.closedPromise = new Promise((resolve) => {
      markClosed = resolve;
    });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => {
      this.closeReason ??= new JsonRpcError("closed", `connection to ${path} failed: ${e.message}`, {
        cause: e,
      });
    });
    socket.on("close", () => {
      this.isClosed = true;
      const reason = this.closeReason ?? new JsonRpcError("closed", `connection to ${path} closed`);
      this.rejectAll(reason);
      for (const l of this.closeListeners) l(this.closedByClient ? undefined : reason);
      markClosed();
    });
  }

  /** Open a session on the unix socket at `path`. */
  static connect(path: string, options: JsonRpcConnectOptions = {}): Promise<JsonRpcConnection> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new JsonRpcError("connect", `timed out connecting to ${path} after ${connectTimeoutMs} ms`, {
            code: "E_ENV",
          }),
        );
      }, connectTimeoutMs);
      const onError = (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new JsonRpcError("connect", `cannot connect to ${path}: ${e.code ?? e.message}`, {
            cause: e,
            code: "E_ENV",
            hint: "is ovsdb-server running? (nslab can start it: see startOvs)",
          }),
        );
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", onError);
        resolve(new JsonRpcConnection(socket, path, options.requestTimeoutMs ?? 30_000));
      });
    });
  }

  /** True once the socket has closed; every later request fails at once. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether this side closed the connection (close() called; the socket may still be open). */
  get closedHere(): boolean {
    return this.closedByClient;
  }

  /** Number of requests still waiting for a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Send a request and resolve with its `result`; rejects with a JsonRpcError. */
  request(method: string, params: Json[], options: RequestOptions = {}): Promise<Json> {
    if (this.isClosed || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(
        this.closeReason ?? new JsonRpcError("closed", `connection to ${this.path} is closed`, { method }),
      );
    }
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<Json>((resolve, reject) => {
      const entry: Pending = { method, resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new JsonRpcError("timeout", `${method} got no reply within ${timeoutMs} ms`, { method }));
        }, timeoutMs);
      }
      this.pending.set(id, entry);
      this.send({ method, params, id });
    });
  }

  /** Send a notification (a request with a null id; no reply is expected). */
  notify(method: string, params: Json[]): void {
    if (!this.isClosed) this.send({ method, params, id: null });
  }

  /** Call `listener` with the params of every `method` notification; returns an unsubscribe function. */
  onNotification(method: string, listener: NotificationListener): () => void {
    let set = this.listeners.get(method);
    if (!set) {
      set = new Set();
      this.listeners.set(method, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Call `listener` once when the connection closes: with the reason, or undefined after {@link close}. */
  onClose(listener: (error: JsonRpcError | undefined) => void): () => void {
    this.closeListeners.add(listener);
    return () => {
      this.closeListeners.delete(listener);
    };
  }

  /** Close the session: pending requests are rejected; resolves when the socket is gone. */
  close(): Promise<void> {
    if (!this.isClosed && !this.closedByClient) {
      this.closedByClient = true;
      this.closeReason ??= new JsonRpcError("closed", `connection to ${this.path} was closed by the client`);
      this.rejectAll(this.closeReason);
      this.socket.end();
      // A peer that never closes its end must not keep us waiting.
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    }
    return this.closedPromise;
  }

  private send(message: { [key: string]: Json }): void {
    this.socket.write(JSON.stringify(message));
  }

  private onData(chunk: Buffer): void {
    let messages: Json[];
    try {
      messages = this.splitter.push(chunk);
    } catch (e) {
      this.fail(
        new JsonRpcError("protocol", `bad data from ${this.path}: ${(e as Error).message}`, { cause: e }),
      );
      return;
    }
    for (const m of messages) this.dispatch(m);
  }

  private dispatch(message: Json): void {
    if (message === null || typeof message !== "object" || Array.isArray(message)) {
      this.fail(new JsonRpcError("protocol", `non-object JSON-RPC message from ${this.path}`));
      return;
    }
    const { method, params, id } = message;
    if (typeof method === "string") {
      if (id === null || id === undefined) {
        for (const l of this.listeners.get(method) ?? []) {
          // A throwing listener must not break the session or starve the other listeners.
          try {
            l(params ?? null);
          } catch (e) {
            process.emitWarning(e as Error);
          }
        }
      } else if (method === "echo") {
        this.send({ result: params ?? [], error: null, id });
      } else {
        this.send({ result: null, error: { error: "unknown method", details: method }, id });
      }
      return;
    }
    if (typeof id !== "number") return; // a reply we never asked for (e.g. to an echo we did not send)
    const entry = this.pending.get(id);
    if (!entry) return; // its request already timed out
    this.pending.delete(id);
    clearTimeout(entry.timer);
    const error = message.error;
    if (error !== null && error !== undefined) {
      entry.reject(
        new JsonRpcError("remote", `${entry.method} failed: ${describeRemoteError(error)}`, {
          method: entry.method,
          remoteError: error,
        }),
      );
    } else {
      entry.resolve(message.result ?? null);
    }
  }

  private fail(error: JsonRpcError): void {
    this.closeReason ??= error;
    this.rejectAll(error);
    this.socket.destroy();
  }

  private rejectAll(reason: JsonRpcError): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.reject(
        new JsonRpcError(reason.failure, `${entry.method}: ${reason.message}`, {
          method: entry.method,
          cause: reason,
        }),
      );
    }
  }
}

/** `{"error":"unknown database","details":"x"}` → `unknown database: x`. */
function describeRemoteError(error: Json): string {
  if (typeof error === "string") return error;
  if (error && typeof error === "object" && !Array.isArray(error)) {
    const what = typeof error.error === "string" ? error.error : JSON.stringify(error);
    return typeof error.details === "string" ? `${what}: ${error.details}` : what;
  }
  return JSON.stringify(error);
}
