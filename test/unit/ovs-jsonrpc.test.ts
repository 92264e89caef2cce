/** The OVSDB JSON-RPC layer without OVS: stream framing, and a session against a fake server. */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  decodeMap,
  decodeOptional,
  decodeSet,
  decodeStringMap,
  decodeUuid,
  type Json,
  JsonRpcConnection,
  JsonRpcError,
  JsonStreamSplitter,
  map,
  namedUuid,
  OvsdbClient,
  OvsdbError,
  optional,
  set,
  uuid,
} from "../../src/drivers/ovs/index.js";
import { type CommandLogEntry, setCommandLog } from "../../src/drivers/runner/index.js";

const MESSAGES: Json[] = [
  { method: "echo", params: [], id: "echo" },
  { id: 1, result: [{ rows: [{ name: 'br{0}[x]"q"', note: 'back\\slash\\\\ and \\" }' }] }], error: null },
  { method: "update", params: ["m", { T: { u: { new: { s: "héllo wörld 日本語 🚀 ✓" } } } }], id: null },
  [1, [2, [3, {}]], "]]]"],
  { empty: {}, list: [], nested: { a: [{ b: [] }] }, n: -1.5e3, t: true, f: false, z: null },
];

function bytesOf(values: Json[], sep = ""): Buffer {
  return Buffer.from(values.map((v) => JSON.stringify(v)).join(sep), "utf8");
}

describe("JsonStreamSplitter", () => {
  it("parses a stream fed one byte at a time", () => {
    const s = new JsonStreamSplitter();
    const out: Json[] = [];
    const bytes = bytesOf(MESSAGES);
    for (let i = 0; i < bytes.length; i++) out.push(...s.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual(MESSAGES);
    expect(s.partial).toBe(false);
  });

  it("reassembles multi-byte UTF-8 split at every possible byte", () => {
    const msg: Json = { s: "é日🚀✓", t: ["ü", "\u00a0"] };
    const bytes = bytesOf([msg]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new JsonStreamSplitter();
      expect(s.push(bytes.subarray(0, cut))).toEqual([]);
      expect(s.partial).toBe(true);
      expect(s.push(bytes.subarray(cut))).toEqual([msg]);
    }
  });

  it("returns every message of a chunk, keeps the unfinished tail for later", () => {
    const s = new JsonStreamSplitter();
    const all = bytesOf(MESSAGES, " \n\t");
    const third = bytesOf(MESSAGES.slice(0, 3), " \n\t").length;
    const first = s.push(all.subarray(0, third + 5));
    expect(first).toEqual(MESSAGES.slice(0, 3));
    expect(s.push(all.subarray(third + 5))).toEqual(MESSAGES.slice(3));
  });

  it("handles random chunk boundaries", () => {
    const bytes = bytesOf([...MESSAGES, ...MESSAGES, ...MESSAGES]);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 50; round++) {
      const s = new JsonStreamSplitter();
      const out: Json[] = [];
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + (rand() % 40);
        out.push(...s.push(bytes.subarray(i, i + n)));
        i += n;
      }
      expect(out).toHaveLength(MESSAGES.length * 3);
    }
  });

  it("rejects data that is not a JSON object or array", () => {
    expect(() => new JsonStreamSplitter().push('{"a":1} x')).toThrow(SyntaxError);
    expect(() => new JsonStreamSplitter().push("42")).toThrow(SyntaxError);
  });

  it("rejects a message larger than the limit", () => {
    expect(() => new JsonStreamSplitter(10).push('{"a":"0123456789abcdef')).toThrow(/exceeds/);
  });
});

describe("OVSDB atoms", () => {
  it("encodes and decodes sets, maps, uuids and optionals", () => {
    expect(set([1, "a"])).toEqual(["set", [1, "a"]]);
    expect(map({ k: "v" })).toEqual(["map", [["k", "v"]]]);
    expect(uuid("u1")).toEqual(["uuid", "u1"]);
    expect(namedUuid("row_1")).toEqual(["named-uuid", "row_1"]);
    expect(() => namedUuid("br-0")).toThrow(TypeError);
    expect(optional(null)).toEqual(["set", []]);
    expect(optional(5)).toBe(5);
    expect(decodeSet(["set", [1, 2]])).toEqual([1, 2]);
    expect(decodeSet(["uuid", "u"])).toEqual([["uuid", "u"]]);
    expect(decodeSet("x")).toEqual(["x"]);
    expect(decodeMap(["map", [["a", 1]]])).toEqual({ a: 1 });
    expect(decodeStringMap(["map", [["a", 1]]])).toEqual({ a: "1" });
    // A key another tool wrote into external_ids is an own key, never the map's prototype.
    const odd = decodeStringMap([
      "map",
      [
        ["__proto__", "x"],
        ["b", "y"],
      ],
    ]);
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.keys(odd)).toEqual(["__proto__", "b"]);
    expect(decodeUuid(["uuid", "u"])).toBe("u");
    expect(() => decodeUuid("u")).toThrow(TypeError);
    expect(decodeOptional(["set", []])).toBeUndefined();
    expect(decodeOptional(7)).toBe(7);
  });
});

/** A scripted JSON-RPC peer on a temp unix socket. */
class FakeServer {
  readonly received: Json[] = [];
  socket: Socket | undefined;
  private waiters: Array<() => void> = [];
  private readonly server: Server;

  constructor(readonly path: string) {
    this.server = createServer((sock) => {
      this.socket = sock;
      const splitter = new JsonStreamSplitter();
      sock.on("data", (b: Buffer) => {
        this.received.push(...splitter.push(b));
        for (const w of this.waiters.splice(0)) w();
      });
      sock.on("error", () => {});
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  /** Wait until `n` messages have arrived. */
  async waitFor(n: number): Promise<Json[]> {
    while (this.received.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.received;
  }

  send(value: Json | string): void {
    this.socket!.write(typeof value === "string" ? value : JSON.stringify(value));
  }

  /** Write `text` one byte at a time, each in its own write. */
  async trickle(text: string): Promise<void> {
    const bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < bytes.length; i++) {
      this.socket!.write(bytes.subarray(i, i + 1));
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe("JsonRpcConnection against a fake server", () => {
  let dir: string;
  let server: FakeServer;
  let conn: JsonRpcConnection | undefined;
  let n = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nslab-jsonrpc-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(options: { requestTimeoutMs?: number } = {}): Promise<JsonRpcConnection> {
    server = new FakeServer(join(dir, `s${++n}.sock`));
    await server.listen();
    conn = await JsonRpcConnection.connect(server.path, options);
    return conn;
  }

  afterEach(async () => {
    await conn?.close();
    conn = undefined;
    await server?.close();
  });

  it("matches replies to requests by id, in any order and however they are chunked", async () => {
    const c = await open();
    const a = c.request("list_dbs", []);
    const b = c.request("get_schema", ["Open_vSwitch"]);
    const msgs = await server.waitFor(2);
    expect(msgs).toEqual([
      { method: "list_dbs", params: [], id: 1 },
      { method: "get_schema", params: ["Open_vSwitch"], id: 2 },
    ]);
    await server.trickle(
      JSON.stringify({ id: 2, result: { name: "Ω 🚀" }, error: null }) +
        JSON.stringify({ id: 1, result: ["Open_vSwitch"], error: null }),
    );
    await expect(a).resolves.toEqual(["Open_vSwitch"]);
    await expect(b).resolves.toEqual({ name: "Ω 🚀" });
    expect(c.pendingCount).toBe(0);
  });

  it("answers the server's echo requests with their params", async () => {
    const c = await open();
    server.send({ method: "echo", params: ["ping", 1], id: "echo" });
    const [reply] = await server.waitFor(1);
    expect(reply).toEqual({ result: ["ping", 1], error: null, id: "echo" });
    // An unknown server request gets an error reply, not silence.
    server.send({ method: "frobnicate", params: [], id: 9 });
    const msgs = await server.waitFor(2);
    expect(msgs[1]).toMatchObject({ id: 9, result: null, error: { error: "unknown method" } });
    expect(c.closed).toBe(false);
  });

  it("dispatches notifications to the listeners of their method", async () => {
    const c = await open();
    const got: Array<[string, Json]> = [];
    const off = c.onNotification("update", (p) => got.push(["update", p]));
    c.onNotification("update2", (p) => got.push(["update2", p]));
    const done = c.request("x", []);
    await server.waitFor(1);
    server.send(
      `${JSON.stringify({ method: "update", params: ["m1", { T: {} }], id: null })}\n` +
        JSON.stringify({ method: "update2", params: ["m2", {}], id: null }) +
        JSON.stringify({ id: 1, result: {}, error: null }),
    );
    await done;
    expect(got).toEqual([
      ["update", ["m1", { T: {} }]],
      ["update2", ["m2", {}]],
    ]);
    off();
    server.send({ method: "update", params: ["m3"], id: null });
    server.send({ method: "update2", params: ["m4"], id: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((g) => g[0])).toEqual(["update", "update2", "update2"]);
  });

  it("rejects with failure 'remote' when the reply carries an error", async () => {
    const c = await open();
    const p = c.request("transact", ["nope"]);
    await server.waitFor(1);
    server.send({ id: 1, result: null, error: { error: "unknown database", details: "nope" } });
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(JsonRpcError);
    expect(e).toMatchObject({ failure: "remote", code: "E_OVSDB", method: "transact" });
    expect((e as Error).message).toContain("unknown database: nope");
  });

  it("times a request out, ignores its late reply, and stays usable", async () => {
    const c = await open({ requestTimeoutMs: 50 });
    const e = await c.request("slow", []).catch((x: unknown) => x);
    expect(e).toMatchObject({ failure: "timeout", method: "slow" });
    server.send({ id: 1, result: "late", error: null });
    const p = c.request("fast", [], { timeoutMs: 2_000 });
    await server.waitFor(2);
    server.send({ id: 2, result: "ok", error: null });
    await expect(p).resolves.toBe("ok");
  });

  it("rejects every pending request when the server closes the socket", async () => {
    const c = await open();
    const closed = new Promise<Error | undefined>((r) => c.onClose(r));
    const ps = [c.request("a", []), c.request("b", [])].map((p) => p.catch((x: unknown) => x));
    await server.waitFor(2);
    server.socket!.end();
    for (const e of await Promise.all(ps)) expect(e).toMatchObject({ failure: "closed" });
    expect(await closed).toMatchObject({ failure: "closed" });
    expect(c.closed).toBe(true);
    await expect(c.request("c", [])).rejects.toMatchObject({ failure: "closed" });
  });

  it("fails the session on garbage from the server", async () => {
    const c = await open();
    const p = c.request("a", []).catch((x: unknown) => x);
    await server.waitFor(1);
    server.send("not json");
    expect(await p).toMatchObject({ failure: "protocol" });
    await c.close();
    expect(c.closed).toBe(true);
  });

  it("close() rejects pending requests and resolves once the socket is gone", async () => {
    const c = await open();
    const p = c.request("a", []).catch((x: unknown) => x);
    await server.waitFor(1);
    await c.close();
    expect(await p).toMatchObject({ failure: "closed" });
    expect(c.closed).toBe(true);
    await c.close(); // idempotent
  });

  it("fails to connect with code E_ENV when nobody listens", async () => {
    const e = await JsonRpcConnection.connect(join(dir, "absent.sock")).catch((x: unknown) => x);
    expect(e).toMatchObject({ failure: "connect", code: "E_ENV" });
  });
});

describe("OvsdbClient.transact error reporting (fake server)", () => {
  let dir: string;
  let server: FakeServer;
  let client: OvsdbClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nslab-ovsdb-"));
    server = new FakeServer(join(dir, "db.sock"));
    await server.listen();
    client = await OvsdbClient.connect(server.path, { timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the failing operation's index, error and details", async () => {
    const p = client
      .transact([
        { op: "insert", table: "Bridge", row: { name: "b" } },
        { op: "update", table: "Port", where: [], row: { tag: 5000 } },
      ])
      .catch((x: unknown) => x);
    const [req] = await server.waitFor(1);
    expect(req).toMatchObject({
      method: "transact",
      params: ["Open_vSwitch", { op: "insert" }, { op: "update" }],
    });
    server.send({
      id: (req as { id: number }).id,
      result: [{ uuid: ["uuid", "x"] }, { error: "constraint violation", details: "5000 is not in range" }],
      error: null,
    });
    const e = (await p) as OvsdbError;
    expect(e).toBeInstanceOf(OvsdbError);
    expect(e).toMatchObject({ code: "E_OVSDB", opIndex: 1, error: "constraint violation" });
    expect(e.message).toMatch(/operation 1 \(update Port\): constraint violation: 5000 is not in range/);
  });

  it("reports a commit-time error (a result beyond the last operation) without an op index", async () => {
    const p = client.transact([{ op: "insert", table: "Bridge", row: {} }]).catch((x: unknown) => x);
    const msgs = await server.waitFor(2);
    server.send({
      id: (msgs[1] as { id: number }).id,
      result: [{ uuid: ["uuid", "x"] }, { error: "referential integrity violation", details: "dangling" }],
      error: null,
    });
    const e = (await p) as OvsdbError;
    expect(e.opIndex).toBeUndefined();
    expect(e.message).toMatch(/commit \(after 1 operations\): referential integrity violation: dangling/);
  });

  it("logs each call for --verbose (what a transaction does, its outcome), not one cut off by its own close", async () => {
    const log: CommandLogEntry[] = [];
    setCommandLog((e) => log.push(e));
    try {
      const before = performance.now();
      const p = client.transact([
        { op: "insert", table: "Bridge", row: { name: "b" } },
        { op: "insert", table: "Bridge", row: { name: "c" } },
        { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["next_cfg", "+=", 1]] },
      ]);
      const msgs = await server.waitFor(3);
      server.send({ id: (msgs[2] as { id: number }).id, result: [{}, {}, { count: 1 }], error: null });
      await p;
      const failed = client.listDbs().catch(() => undefined);
      const more = await server.waitFor(4);
      server.send({ id: (more[3] as { id: number }).id, result: null, error: "no" });
      await failed;
      expect(log).toEqual([
        {
          argv: ["ovsdb", `unix:${server.path}`, "transact", "(insert Bridge×2 mutate Open_vSwitch×1)"],
          exitCode: 0,
          durationMs: expect.any(Number),
          inputLines: 3,
          startedMs: expect.any(Number),
        },
        expect.objectContaining({ argv: ["ovsdb", `unix:${server.path}`, "list_dbs"], exitCode: 1 }),
      ]);
      expect(log[0]!.startedMs).toBeGreaterThanOrEqual(before);
      // A request still waiting when this side closes the session is not a round trip.
      const other = await OvsdbClient.connect(server.path, { timeoutMs: 2_000 });
      const waiting = other.listDbs().catch(() => undefined);
      await other.close();
      await waiting;
      expect(log).toHaveLength(2);
    } finally {
      setCommandLog(undefined);
    }
  });
});
