/** The OVSDB client (RFC 7047): typed operations, transact/select, and cfg monitors (values: values.ts). */
import { NslabError } from "../../errors.js";
import { logCommand } from "../runner/index.js";
import { type Json, JsonRpcConnection, JsonRpcError } from "./jsonrpc.js";
import type { Row, UuidAtom, Value } from "./values.js";

/** Where ovsdb-server listens on Debian when started by the packaged scripts. */
export const DEFAULT_DB_SOCKET = "/var/run/openvswitch/db.sock";

// ---------------------------------------------------------------------------------------------
// Operations (RFC 7047 §5.2)

/** A `where` clause: `[column, function, value]`. */
export type Condition = [
  column: string,
  fn: "==" | "!=" | "<" | "<=" | ">" | ">=" | "includes" | "excludes",
  value: Value,
];
/** A `mutate` mutation: `[column, mutator, value]`. */
export type Mutation = [
  column: string,
  mutator: "+=" | "-=" | "*=" | "/=" | "%=" | "insert" | "delete",
  value: Value,
];

/** One operation of a transaction, discriminated on `op`. */
export type Operation =
  | { op: "insert"; table: string; row: Row; "uuid-name"?: string }
  | { op: "select"; table: string; where: Condition[]; columns?: string[] }
  | { op: "update"; table: string; where: Condition[]; row: Row }
  | { op: "mutate"; table: string; where: Condition[]; mutations: Mutation[] }
  | { op: "delete"; table: string; where: Condition[] }
  | {
      op: "wait";
      table: string;
      where: Condition[];
      columns: string[];
      until: "==" | "!=";
      rows: Row[];
      timeout?: number;
    }
  | { op: "commit"; durable: boolean }
  | { op: "abort" }
  | { op: "comment"; comment: string }
  | { op: "assert"; lock: string };

/** What one operation returned. `error` is set on the one that failed. */
export type OperationResult = {
  uuid?: UuidAtom;
  rows?: Row[];
  count?: number;
  error?: string;
  details?: string;
};

/**
 * The OVSDB server refused a request: an operation failed (then `opIndex` says which), the commit
 * failed (a constraint or referential-integrity error, `opIndex` undefined), or the server answered
 * the RPC itself with an error. Transport failures (timeout, closed socket) are JsonRpcError.
 */
export class OvsdbError extends NslabError {
  override name = "OvsdbError";
  /** Index of the failing operation in the transaction, when one failed. */
  readonly opIndex: number | undefined;
  /** The failing operation, when one failed. */
  readonly op: Operation | undefined;
  /** The server's `error` string, e.g. `constraint violation`. */
  readonly error: string;
  /** The server's `details`, when given. */
  readonly details: string | undefined;

  constructor(
    message: string,
    fields: { error: string; details?: string; opIndex?: number; op?: Operation },
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super("E_OVSDB", message, options);
    this.error = fields.error;
    this.details = fields.details;
    this.opIndex = fields.opIndex;
    this.op = fields.op;
  }
}

/** The cfg counters of the Open_vSwitch root row. */
export interface CfgState {
  /** Bumped by clients that want ovs-vswitchd to acknowledge their change. */
  nextCfg: number;
  /** Set by ovs-vswitchd to the `next_cfg` it has fully applied. */
  curCfg: number;
}

/** A live monitor of `cur_cfg`/`next_cfg`. */
export interface CfgMonitor {
  /** The latest values seen (undefined until the root row exists). */
  readonly current: CfgState | undefined;
  /** Stop monitoring (sends `monitor_cancel`). */
  cancel(): Promise<void>;
}

/** Options for {@link OvsdbClient.connect}. */
export interface OvsdbConnectOptions {
  /** Connect timeout and default per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

let monitorSeq = 0;

/** One session with an ovsdb-server. */
export class OvsdbClient {
  private constructor(readonly rpc: JsonRpcConnection) {}

  /** Connect to the server's unix socket. Fails with JsonRpcError (code E_ENV) when nobody listens. */
  static async connect(
    socketPath = DEFAULT_DB_SOCKET,
    options: OvsdbConnectOptions = {},
  ): Promise<OvsdbClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const rpc = await JsonRpcConnection.connect(socketPath, {
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
    });
    return new OvsdbClient(rpc);
  }

  /** The path of the socket this client talks to. */
  get socketPath(): string {
    return this.rpc.path;
  }

  /** Names of the databases the server holds (`list_dbs`). */
  async listDbs(options: { timeoutMs?: number } = {}): Promise<string[]> {
    const result = await this.call("list_dbs", [], options.timeoutMs);
    if (!Array.isArray(result)) throw protocolError("list_dbs", result);
    return result.map(String);
  }

  /**
   * Run `ops` as one atomic transaction. Throws OvsdbError when any result carries `error`
   * (nothing was committed then), naming the failing operation's index, error and details.
   */
  async transact(
    ops: readonly Operation[],
    options: { db?: string; timeoutMs?: number } = {},
  ): Promise<OperationResult[]> {
    const db = options.db ?? "Open_vSwitch";
    const result = await this.call("transact", [db, ...(ops as unknown as Json[])], options.timeoutMs);
    if (!Array.isArray(result)) throw protocolError("transact", result);
    const results = result as OperationResult[];
    for (const [i, r] of results.entries()) {
      if (!r || typeof r.error !== "string") continue;
      const op = ops[i];
      const where = op
        ? `operation ${i} (${op.op}${"table" in op ? ` ${op.table}` : ""})`
        : `commit (after ${ops.length} operations)`;
      const details = r.details ? `: ${r.details}` : "";
      throw new OvsdbError(`OVSDB transaction on ${db} failed at ${where}: ${r.error}${details}`, {
        error: r.error,
        details: r.details,
        opIndex: op ? i : undefined,
        op,
      });
    }
    return results;
  }

  /** Rows of `table` matching `where` (all rows by default), optionally only some columns. */
  async select(
    table: string,
    where: Condition[] = [],
    columns?: string[],
    options: { db?: string } = {},
  ): Promise<Row[]> {
    const op: Operation = columns ? { op: "select", table, where, columns } : { op: "select", table, where };
    const [result] = await this.transact([op], options);
    return result?.rows ?? [];
  }

  /**
   * `next_cfg += 1` on the root row and read it back in the same transaction; returns the new value.
   * Waiting for `cur_cfg` to reach it proves ovs-vswitchd has applied everything committed before.
   */
  async bumpNextCfg(): Promise<number> {
    const results = await this.transact([
      ...nextCfgOps(),
      { op: "comment", comment: "nslab: bump next_cfg" },
    ]);
    return readNextCfg(results, 1);
  }

  /**
   * The root row's `next_cfg` as it is (no bump): waiting for `cur_cfg` to reach it proves
   * ovs-vswitchd has applied every change committed so far, by anyone.
   */
  async pendingCfg(): Promise<number> {
    const results = await this.transact([nextCfgOps()[1]!]);
    return readNextCfg(results, 0);
  }

  /**
   * Watch the root row's `cur_cfg`/`next_cfg` with an OVSDB `monitor` (no polling). `listener` is
   * called with the initial values and after every change.
   */
  async monitorCfg(listener: (cfg: CfgState) => void): Promise<CfgMonitor> {
    const monitorId = `nslab-cfg-${process.pid}-${++monitorSeq}`;
    const rows = new Map<string, CfgState>();
    let current: CfgState | undefined;
    let cancelled = false;
    const apply = (updates: Json | undefined) => {
      const table = (updates as Record<string, Record<string, { new?: Row }>> | null)?.Open_vSwitch;
      if (!table) return;
      for (const [rowUuid, change] of Object.entries(table)) {
        if (!change.new) {
          rows.delete(rowUuid);
          continue;
        }
        const prev = rows.get(rowUuid);
        const next = {
          curCfg: Number(change.new.cur_cfg ?? prev?.curCfg ?? 0),
          nextCfg: Number(change.new.next_cfg ?? prev?.nextCfg ?? 0),
        };
        rows.set(rowUuid, next);
        current = next;
      }
      if (current && !cancelled) listener(current);
    };
    const unsubscribe = this.rpc.onNotification("update", (params) => {
      if (Array.isArray(params) && params[0] === monitorId) apply(params[1]);
    });
    try {
      const initial = await this.call("monitor", [
        "Open_vSwitch",
        monitorId,
        { Open_vSwitch: { columns: ["cur_cfg", "next_cfg"] } },
      ]);
      apply(initial);
    } catch (e) {
      unsubscribe();
      throw e;
    }
    return {
      get current() {
        return current;
      },
      cancel: async () => {
        if (cancelled) return;
        cancelled = true;
        unsubscribe();
        if (this.rpc.closed) return;
        await this.call("monitor_cancel", [monitorId]).catch(() => undefined);
      },
    };
  }

  /**
   * Resolve with `cur_cfg` once it is `>= target`, i.e. once ovs-vswitchd has applied the change
   * that bumped `next_cfg` to `target`. Rejects with OvsdbError after `timeoutMs`.
   */
  waitForCfg(target: number, timeoutMs = 30_000): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      let monitor: CfgMonitor | undefined;
      let last: CfgState | undefined;
      const finish = (error: Error | undefined, value?: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        offClose();
        void monitor?.cancel();
        if (error) reject(error);
        else resolve(value!);
      };
      const timer = setTimeout(() => {
        const seen = last ? `cur_cfg is ${last.curCfg}, next_cfg ${last.nextCfg}` : "no Open_vSwitch row";
        finish(
          new OvsdbError(
            `ovs-vswitchd did not apply configuration ${target} within ${timeoutMs} ms (${seen})`,
            { error: "timed out", details: seen },
            { hint: "is ovs-vswitchd running? see its log (ovs-vswitchd.log)" },
          ),
        );
      }, timeoutMs);
      const offClose = this.rpc.onClose((e) =>
        finish(e ?? new JsonRpcError("closed", `connection to ${this.socketPath} closed`)),
      );
      this.monitorCfg((cfg) => {
        last = cfg;
        if (cfg.curCfg >= target) finish(undefined, cfg.curCfg);
      }).then(
        (m) => {
          monitor = m;
          if (settled) void m.cancel();
        },
        (e: unknown) => finish(e as Error),
      );
    });
  }

  /** Close the session; pending requests are rejected. */
  close(): Promise<void> {
    return this.rpc.close();
  }

  /** One RPC; an error reply from the server becomes OvsdbError, transport failures stay JsonRpcError. */
  private async call(method: string, params: Json[], timeoutMs?: number): Promise<Json> {
    const started = performance.now();
    let failed = true;
    let cutOff = false;
    try {
      const result = await this.rpc.request(method, params, timeoutMs === undefined ? {} : { timeoutMs });
      failed = false;
      return result;
    } catch (e) {
      // Cut off by this side's close (a monitor_cancel sent on the way out): no round trip to log.
      if (e instanceof JsonRpcError && e.failure === "closed" && this.rpc.closedHere) cutOff = true;
      if (e instanceof JsonRpcError && e.failure === "remote") {
        const r = e.remoteError;
        const obj = r && typeof r === "object" && !Array.isArray(r) ? r : {};
        const error = typeof obj.error === "string" ? obj.error : JSON.stringify(r);
        const details = typeof obj.details === "string" ? obj.details : undefined;
        throw new OvsdbError(e.message, { error, details }, { cause: e });
      }
      throw e;
    } finally {
      // For `--verbose`, as the agent's requests are: `ovsdb unix:PATH transact '(insert Bridge×2 …)'`.
      const durationMs = performance.now() - started;
      if (!cutOff)
        logCommand(() => ({
          argv: [
            "ovsdb",
            `unix:${this.rpc.path}`,
            method,
            ...(method === "transact" ? [`(${summarize(params)})`] : []),
          ],
          exitCode: failed ? 1 : 0,
          durationMs,
          inputLines: method === "transact" ? params.length - 1 : 0,
          startedMs: started,
        }));
    }
  }
}

/** `insert Bridge×2 mutate Open_vSwitch×1`: what a transaction's operations do, for the verbose log. */
function summarize(params: readonly Json[]): string {
  const counts = new Map<string, number>();
  for (const op of params.slice(1)) {
    const o = op && typeof op === "object" && !Array.isArray(op) ? op : {};
    const key = `${String(o.op)}${typeof o.table === "string" ? ` ${o.table}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}×${n}`).join(" ");
}

/** `next_cfg += 1` on the root row, then read it back: append to a transaction, see {@link readNextCfg}. */
export function nextCfgOps(): Operation[] {
  return [
    { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["next_cfg", "+=", 1]] },
    { op: "select", table: "Open_vSwitch", where: [], columns: ["next_cfg"] },
  ];
}

/** The `next_cfg` read by the select at `selectIndex` (the second op of {@link nextCfgOps}). */
export function readNextCfg(results: readonly OperationResult[], selectIndex: number): number {
  const value = results[selectIndex]?.rows?.[0]?.next_cfg;
  if (typeof value !== "number") {
    throw new OvsdbError(
      "the Open_vSwitch table has no root row",
      { error: "no root row" },
      {
        hint: "initialise the database first (ensureRootRow, or: ovs-vsctl --no-wait init)",
      },
    );
  }
  return value;
}

function protocolError(method: string, result: Json): OvsdbError {
  return new OvsdbError(`unexpected ${method} reply: ${JSON.stringify(result).slice(0, 200)}`, {
    error: "protocol error",
  });
}
