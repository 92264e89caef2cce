/**
 * The OVS driver against real OVS 3.1 daemons — always private ones: a database, sockets, pidfiles
 * and logs in a mkdtemp dir, never the system paths (another user's OVS may be running there).
 * Transactions run against a private ovsdb-server with no ovs-vswitchd, so nothing reaches the kernel.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addBridges,
  addPorts,
  type BridgeSpec,
  type CfgMonitor,
  COMPACT_MIN_BYTES,
  compactDb,
  type DaemonHandle,
  deleteBridges,
  deletePorts,
  ensureRootRow,
  isSameProcess,
  listBridges,
  OvsdbClient,
  OvsdbError,
  ovsDbSocket,
  ovsRuntimePaths,
  probeOvs,
  setPortTag,
  startOvs,
  stopOvs,
} from "../../src/drivers/ovs/index.js";
import { systemRunner } from "../../src/drivers/runner/index.js";
import { liveProcess } from "../../src/util/proc.js";
import { growOvsdbLog } from "../support/private-ovs.js";

const SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
const SYSTEM_RUN_DIR = "/var/run/openvswitch";
const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURE = join(ROOT, "test", "fixtures", "ovs", "default-db.fixture.ts");

/** Every process this file started, so afterAll can stop them by pid and prove none is left. */
const ours: DaemonHandle[] = [];
const children: ChildProcess[] = [];
const tempDirs: string[] = [];

function tempDir(tag: string): string {
  const dir = mkdtempSync(`/tmp/nslab-it-${tag}-`);
  tempDirs.push(dir);
  return dir;
}

/** Daemon paths (sockets, database, logs) all inside `dir`. */
function privatePaths(dir: string) {
  return ovsRuntimePaths({ runDir: `${dir}/run`, dbPath: `${dir}/db/conf.db`, logDir: `${dir}/log` });
}

/** A private ovsdb-server on a fresh database in `dir`; nothing under /var/run/openvswitch. */
async function startPrivateOvsdb(dir: string): Promise<DaemonHandle> {
  await systemRunner.run(["ovsdb-tool", "create", `${dir}/conf.db`, SCHEMA]);
  await systemRunner.run(
    [
      "ovsdb-server",
      `${dir}/conf.db`,
      `--remote=punix:${dir}/db.sock`,
      `--pidfile=${dir}/ovsdb-server.pid`,
      `--unixctl=${dir}/ovsdb-server.ctl`,
      "--detach",
      `--log-file=${dir}/ovsdb-server.log`,
    ],
    { env: { OVS_RUNDIR: dir, OVS_LOGDIR: dir }, timeoutMs: 20_000 },
  );
  const pid = Number(readFileSync(`${dir}/ovsdb-server.pid`, "utf8").trim());
  const id = liveProcess(pid);
  if (id?.comm !== "ovsdb-server") throw new Error(`ovsdb-server pid ${pid} is not running`);
  const handle = { pid, startTime: id.startTime, comm: id.comm };
  ours.push(handle);
  return handle;
}

function bridge(name: string, ports: string[], extra: Partial<BridgeSpec> = {}): BridgeSpec {
  return {
    name,
    datapathType: "netdev",
    externalIds: { "nslab.lab": "it", "nslab.owner": name },
    ports: ports.map((p) => ({ name: p, externalIds: { "nslab.lab": "it" } })),
    ...extra,
  };
}

/** Plays ovs-vswitchd's part in the cfg handshake: copies next_cfg into cur_cfg whenever it moves. */
async function fakeVswitchd(socket: string): Promise<{ stop(): Promise<void> }> {
  const c = await OvsdbClient.connect(socket);
  let monitor: CfgMonitor | undefined;
  monitor = await c.monitorCfg((cfg) => {
    if (cfg.nextCfg > cfg.curCfg) {
      void c
        .transact([{ op: "update", table: "Open_vSwitch", where: [], row: { cur_cfg: cfg.nextCfg } }])
        .catch(() => undefined);
    }
  });
  return {
    async stop() {
      await monitor?.cancel();
      await c.close();
    },
  };
}

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  // Stop every daemon we started, by pid (stopOvs checks comm + start time first).
  for (const h of ours) await stopOvs({ ovsdbServer: h, vswitchd: null });
  await new Promise((r) => setTimeout(r, 100));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  // Nothing of ours may be left: no live process, no file in the system run dir naming our pids.
  expect(ours.filter(isSameProcess)).toEqual([]);
  expect(children.filter((c) => c.pid !== undefined && liveProcess(c.pid)?.comm === "sleep")).toEqual([]);
  const pids = new Set(ours.map((h) => String(h.pid)));
  let systemFiles: string[] = [];
  try {
    systemFiles = readdirSync(SYSTEM_RUN_DIR);
  } catch {}
  expect(systemFiles.filter((f) => [...pids].some((p) => f.includes(`.${p}.`)))).toEqual([]);
});

describe.skipIf(process.getuid?.() !== 0 && !process.env.CI)(
  "OVSDB transactions (private ovsdb-server)",
  () => {
    let dir: string;
    let socket: string;
    let client: OvsdbClient;

    beforeAll(async () => {
      dir = tempDir("ovsdb");
      socket = `${dir}/db.sock`;
      await startPrivateOvsdb(dir);
      client = await OvsdbClient.connect(socket);
    });

    afterAll(async () => {
      await client?.close();
    });

    it("answers list_dbs and creates the root row once", async () => {
      expect(await client.listDbs()).toContain("Open_vSwitch");
      const first = await ensureRootRow(client);
      const second = await ensureRootRow(client);
      expect(first.created).toBe(true);
      expect(second).toEqual({ uuid: first.uuid, created: false });
      expect(await client.select("Open_vSwitch")).toHaveLength(1);
    });

    it("creates bridges, ports, own internal ports and external_ids in one transaction", async () => {
      const before = await client.bumpNextCfg();
      const nextCfg = await addBridges(
        client,
        [
          bridge("it-br0", ["it-p0", "it-p1"], {
            stp: true,
            failMode: "secure",
            otherConfig: { hwaddr: "02:00:00:00:00:01" },
          }),
          {
            ...bridge("it-br1", []),
            ports: [
              { name: "it-tagged", tag: 42, externalIds: { role: "access" } },
              { name: "it-patch", type: "patch", options: { peer: "it-peer" }, externalIds: {} },
              { name: "it-int", type: "internal", externalIds: {} },
            ],
          },
        ],
        { wait: false },
      );
      expect(nextCfg).toBe(before + 1);

      const bridges = await listBridges(client);
      expect(bridges.map((b) => b.name)).toEqual(["it-br0", "it-br1"]);
      const [br0, br1] = bridges;
      expect(br0).toMatchObject({
        datapathType: "netdev",
        externalIds: { "nslab.lab": "it", "nslab.owner": "it-br0" },
      });
      expect(br0!.ports.map((p) => p.name)).toEqual(["it-br0", "it-p0", "it-p1"]);
      expect(br0!.ports[0]!.interfaces).toEqual([
        expect.objectContaining({ name: "it-br0", type: "internal", ofport: null }),
      ]);
      expect(br0!.ports[1]).toMatchObject({ tag: null, externalIds: { "nslab.lab": "it" } });
      const byName = Object.fromEntries(br1!.ports.map((p) => [p.name, p]));
      expect(byName["it-tagged"]).toMatchObject({ tag: 42, externalIds: { role: "access" } });
      expect(byName["it-patch"]!.interfaces[0]).toMatchObject({
        type: "patch",
        error: null,
        adminState: null,
      });
      expect(byName["it-int"]!.interfaces[0]!.type).toBe("internal");

      // ovs-vsctl reads back what we wrote.
      const vsctl = async (...args: string[]) =>
        (await systemRunner.run(["ovs-vsctl", `--db=unix:${socket}`, "--no-wait", ...args])).stdout.trim();
      expect(await vsctl("list-br")).toBe("it-br0\nit-br1");
      expect(await vsctl("list-ports", "it-br0")).toBe("it-p0\nit-p1");
      expect(await vsctl("br-get-external-id", "it-br0", "nslab.owner")).toBe("it-br0");
      expect(await vsctl("get", "bridge", "it-br0", "stp_enable", "fail_mode", "other_config:hwaddr")).toBe(
        'true\nsecure\n"02:00:00:00:00:01"',
      );
      expect(await vsctl("get", "interface", "it-patch", "options:peer")).toBe("it-peer");
      expect(await vsctl("port-to-br", "it-tagged")).toBe("it-br1");
    });

    it("adds and deletes ports, sets and clears tags", async () => {
      await addPorts(client, "it-br0", [{ name: "it-p2", tag: 7, externalIds: { x: "1" } }], { wait: false });
      await setPortTag(client, "it-p0", 100);
      let ports = (await listBridges(client)).find((b) => b.name === "it-br0")!.ports;
      expect(ports.map((p) => [p.name, p.tag])).toEqual([
        ["it-br0", null],
        ["it-p0", 100],
        ["it-p1", null],
        ["it-p2", 7],
      ]);
      await setPortTag(client, "it-p0", null);
      await deletePorts(client, "it-br0", ["it-p1", "it-p2", "not-there"], { wait: false });
      // A port of another bridge is not removed through this one.
      await deletePorts(client, "it-br0", ["it-tagged"], { wait: false });
      ports = (await listBridges(client)).find((b) => b.name === "it-br0")!.ports;
      expect(ports.map((p) => [p.name, p.tag])).toEqual([
        ["it-br0", null],
        ["it-p0", null],
      ]);
      // Unreferenced Port/Interface rows are garbage-collected.
      expect(await client.select("Port", [["name", "==", "it-p1"]])).toEqual([]);
      expect(await client.select("Interface", [["name", "==", "it-p2"]])).toEqual([]);
      expect(await client.select("Port", [["name", "==", "it-tagged"]])).toHaveLength(1);
    });

    it("reports errors and commits nothing of a failed transaction", async () => {
      const countBridges = async () => (await client.select("Bridge")).length;
      const n = await countBridges();
      const dup = await addBridges(client, [bridge("it-new", []), bridge("it-br0", [])], {
        wait: false,
      }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(OvsdbError);
      expect(dup).toMatchObject({ code: "E_OVSDB", error: "constraint violation" });
      expect((dup as Error).message).toMatch(/it-br0/);
      expect(await countBridges()).toBe(n);
      expect(await client.select("Bridge", [["name", "==", "it-new"]])).toEqual([]);

      await expect(
        addPorts(client, "it-none", [{ name: "x", externalIds: {} }], { wait: false }),
      ).rejects.toMatchObject({
        code: "E_NOT_FOUND",
      });
      await expect(setPortTag(client, "it-none", 1)).rejects.toMatchObject({ code: "E_NOT_FOUND" });
      const badTag = await setPortTag(client, "it-p0", 4096).catch((e: unknown) => e);
      expect(badTag).toMatchObject({ opIndex: 1, error: "constraint violation" });
      expect((badTag as Error).message).toMatch(/operation 1 \(update Port\): constraint violation: .*4096/);
      await expect(client.transact([], { db: "No_Such_Db" })).rejects.toBeInstanceOf(OvsdbError);
    });

    it("waits for cur_cfg through a monitor (we play ovs-vswitchd's part)", async () => {
      const target = await client.bumpNextCfg();
      let resolved = false;
      const waiting = client.waitForCfg(target, 5_000).then((v) => {
        resolved = true;
        return v;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(resolved).toBe(false);
      await client.transact([{ op: "update", table: "Open_vSwitch", where: [], row: { cur_cfg: target } }]);
      expect(await waiting).toBe(target);
      // Already reached: resolves from the monitor's initial state.
      expect(await client.waitForCfg(target - 1, 1_000)).toBe(target);
      // Never reached: times out with the last values seen.
      const late = await client.waitForCfg(target + 10, 200).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(OvsdbError);
      expect((late as Error).message).toMatch(new RegExp(`cur_cfg is ${target}`));

      // addBridges/deleteBridges with wait: true resolve once "vswitchd" acknowledges.
      const fake = await fakeVswitchd(socket);
      try {
        const cfg = await addBridges(client, [bridge("it-wait", ["it-wait-p"])], {
          wait: true,
          timeoutMs: 5_000,
        });
        const [root] = await client.select("Open_vSwitch", [], ["cur_cfg"]);
        expect(root!.cur_cfg).toBeGreaterThanOrEqual(cfg);
        await deleteBridges(client, ["it-wait"], { wait: true, timeoutMs: 5_000 });
      } finally {
        await fake.stop();
      }
    });

    it("deletes bridges with their ports and interfaces; deleting again is harmless", async () => {
      await deleteBridges(client, ["it-br0", "it-br1", "it-missing"], { wait: false });
      await deleteBridges(client, ["it-br0"], { wait: false });
      expect(await listBridges(client)).toEqual([]);
      expect(await client.select("Port")).toEqual([]);
      expect(await client.select("Interface")).toEqual([]);
    });

    it("measures one transaction for 200 bridges × 5 ports against ovs-vsctl add-br", async () => {
      const specs = Array.from({ length: 200 }, (_, i) =>
        bridge(
          `bb${i}`,
          Array.from({ length: 5 }, (_, j) => `bb${i}p${j}`),
        ),
      );
      let t = performance.now();
      await addBridges(client, specs, { wait: false });
      const txMs = performance.now() - t;
      t = performance.now();
      const listed = await listBridges(client);
      const listMs = performance.now() - t;
      expect(listed).toHaveLength(200);
      expect(listed.every((b) => b.ports.length === 6)).toBe(true);
      t = performance.now();
      await deleteBridges(
        client,
        specs.map((s) => s.name),
        { wait: false },
      );
      const delMs = performance.now() - t;
      // The same shape as `ovs-vsctl add-br`: bridges with only their own internal port.
      t = performance.now();
      await addBridges(
        client,
        specs.map((s) => ({ ...s, ports: [] })),
        { wait: false },
      );
      const bareMs = performance.now() - t;
      await deleteBridges(
        client,
        specs.map((s) => s.name),
        { wait: false },
      );

      const calls = 20;
      t = performance.now();
      for (let i = 0; i < calls; i++) {
        await systemRunner.run([
          "ovs-vsctl",
          `--db=unix:${socket}`,
          "--no-wait",
          "add-br",
          `vs${i}`,
          "--",
          "set",
          "bridge",
          `vs${i}`,
          "datapath_type=netdev",
        ]);
      }
      const vsctlMs = performance.now() - t;
      await deleteBridges(
        client,
        Array.from({ length: calls }, (_, i) => `vs${i}`),
        { wait: false },
      );
      expect(await listBridges(client)).toEqual([]);
      console.log(
        [
          "[ovsdb bench] private ovsdb-server, no ovs-vswitchd",
          `  addBridges: 200 bridges x (5 + 1 own) ports, 1 transaction: ${txMs.toFixed(1)} ms`,
          `  addBridges: 200 bridges with only their own port, 1 transaction: ${bareMs.toFixed(1)} ms`,
          `  listBridges (200 bridges, 1200 ports): ${listMs.toFixed(1)} ms; deleteBridges (200): ${delMs.toFixed(1)} ms`,
          `  ovs-vsctl --no-wait add-br (bridge only, no ports): ${calls} calls ${vsctlMs.toFixed(0)} ms` +
            ` = ${(vsctlMs / calls).toFixed(1)} ms/call -> 200 calls ~ ${((vsctlMs / calls) * 200).toFixed(0)} ms`,
        ].join("\n"),
      );
    });
  },
);

describe.skipIf(process.getuid?.() !== 0 && !process.env.CI)("startOvs / stopOvs (private paths)", () => {
  // Debian's package installs /etc/openvswitch/conf.db as a symlink whose target is created on the
  // first start: right after the install it dangles. nslab follows the link either way and, when it
  // starts OVS, creates the database at the link's target (or uses the one there). Each case runs in
  // a private mount namespace with a scratch /etc/openvswitch, so the host's own link is never read
  // or touched; sockets and logs go to a private dir.
  it.each([
    ["dangling, absolute", "dangling", (dir: string) => `${dir}/lib/conf.db`],
    ["dangling, relative", "relative", () => "/etc/openvswitch/db/conf.db"],
    ["resolved (the database exists)", "resolved", (dir: string) => `${dir}/lib/conf.db`],
  ] as const)(
    "starts OVS on the database behind the /etc/openvswitch/conf.db symlink: %s",
    (_label, mode, target) => {
      const dir = tempDir(`defdb-${mode}`);
      const db = target(dir);
      const prepare = {
        dangling: `ln -s ${db} /etc/openvswitch/conf.db`,
        relative: "ln -s db/conf.db /etc/openvswitch/conf.db",
        resolved: [
          `mkdir -p ${dir}/lib`,
          `ovsdb-tool create ${db} ${SCHEMA}`,
          `ovsdb-tool transact ${db} '["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"external_ids":["map",[["nslab-it","kept"]]]}}]' >/dev/null`,
          `ln -s ${db} /etc/openvswitch/conf.db`,
        ].join(" && "),
      }[mode];
      const r = spawnSync(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "--",
          "sh",
          "-euc",
          `mount -t tmpfs nslab-it /etc/openvswitch && ${prepare} && exec "$0" --import tsx "$1" "$2"`,
          process.execPath,
          FIXTURE,
          dir,
        ],
        { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
      );
      const lines = r.stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const started = lines.find((l) => "started" in l)?.started as
        | { ovsdbServer: DaemonHandle | null; vswitchd: DaemonHandle | null }
        | undefined;
      for (const h of [started?.ovsdbServer, started?.vswitchd]) if (h) ours.push(h);
      expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
      expect(started?.ovsdbServer?.comm).toBe("ovsdb-server");
      expect(started?.vswitchd?.comm).toBe("ovs-vswitchd");
      const seen = lines.find((l) => "dbPath" in l);
      expect(seen).toMatchObject({ dbPath: db, dbIsFile: true });
      // An existing database is used as it is, never replaced.
      if (mode === "resolved") expect(seen?.externalIds).toEqual(["map", [["nslab-it", "kept"]]]);
      else expect(seen?.externalIds).toEqual(["map", []]);
      expect(lines.find((l) => "stopped" in l)?.stopped).toEqual([
        { comm: "ovs-vswitchd", pid: started!.vswitchd!.pid, outcome: "terminated" },
        { comm: "ovsdb-server", pid: started!.ovsdbServer!.pid, outcome: "terminated" },
      ]);
      // The scratch mount went with the namespace: the host's /etc/openvswitch is as it was.
      expect(existsSync(`${dir}/run/db.sock`)).toBe(false);
    },
  );

  it("uses /var/run/openvswitch for sockets by default", () => {
    expect(ovsRuntimePaths().runDir).toBe(SYSTEM_RUN_DIR);
  });

  it("starts nothing when the database cannot be created", async () => {
    const dir = tempDir("nodb");
    const paths = ovsRuntimePaths({
      runDir: `${dir}/run`,
      dbPath: `${dir}/conf.db`,
      logDir: dir,
      schemaPath: `${dir}/missing.ovsschema`,
    });
    await expect(startOvs(paths)).rejects.toMatchObject({ code: "E_COMMAND" });
    expect(existsSync(`${dir}/run/ovsdb-server.pid`)).toBe(false);
  });

  it("starts both daemons in a private dir, answers ovs-vsctl, and stops exactly them", async () => {
    const dir = tempDir("daemons");
    const paths = privatePaths(dir);
    expect(paths.schemaPath).toBe(SCHEMA);
    for (const p of [paths.runDir, paths.dbPath, paths.logDir]) expect(p.startsWith(`${dir}/`)).toBe(true);
    expect(await probeOvs(paths)).toMatchObject({ running: false, vswitchd: false });

    const started = await startOvs(paths);
    for (const h of [started.ovsdbServer, started.vswitchd]) if (h) ours.push(h);
    expect(started.ovsdbServer?.comm).toBe("ovsdb-server");
    expect(started.vswitchd?.comm).toBe("ovs-vswitchd");
    expect(isSameProcess(started.ovsdbServer!)).toBe(true);
    expect(isSameProcess(started.vswitchd!)).toBe(true);
    expect(await probeOvs(paths)).toEqual({
      running: true,
      vswitchd: true,
      kernelDatapath: existsModule(),
    });
    expect(readdirSync(paths.runDir).sort()).toEqual(
      ["db.sock", "ovs-vswitchd.ctl", "ovs-vswitchd.pid", "ovsdb-server.ctl", "ovsdb-server.pid"].sort(),
    );

    const socket = ovsDbSocket(paths);
    const show = await systemRunner.run(["ovs-vsctl", `--db=unix:${socket}`, "show"]);
    expect(show.stdout).toMatch(/^[0-9a-f-]{36}$/m);
    // Without --no-wait, ovs-vsctl returns only once ovs-vswitchd has applied the change.
    await systemRunner.run([
      "ovs-vsctl",
      `--db=unix:${socket}`,
      "--timeout=10",
      "set",
      "Open_vSwitch",
      ".",
      "external_ids:nslab-it=1",
    ]);
    const c = await OvsdbClient.connect(socket);
    const [root] = await c.select("Open_vSwitch", [], ["cur_cfg", "next_cfg", "datapath_types", "bridges"]);
    await c.close();
    expect(root!.cur_cfg).toBe(root!.next_cfg);
    expect(root!.bridges).toEqual(["set", []]);

    // Already running: nothing new is started, nothing is handed back to stop.
    expect(await startOvs(paths)).toEqual({ ovsdbServer: null, vswitchd: null });

    const reports = await stopOvs(started);
    expect(reports).toEqual([
      { comm: "ovs-vswitchd", pid: started.vswitchd!.pid, outcome: "terminated" },
      { comm: "ovsdb-server", pid: started.ovsdbServer!.pid, outcome: "terminated" },
    ]);
    expect(isSameProcess(started.ovsdbServer!)).toBe(false);
    expect(isSameProcess(started.vswitchd!)).toBe(false);
    expect(await probeOvs(paths)).toMatchObject({ running: false, vswitchd: false });
    // Stopping twice is harmless.
    expect((await stopOvs(started)).map((r) => r.outcome)).toEqual(["not-running", "not-running"]);
  });

  it("compacts the database of a server it started once its log has grown, and leaves a short one", async () => {
    const dir = tempDir("compact");
    const paths = privatePaths(dir);
    const started = await startOvs(paths);
    for (const h of [started.ovsdbServer, started.vswitchd]) if (h) ours.push(h);
    const size = () => statSync(paths.dbPath).size;
    try {
      expect(size()).toBeLessThan(COMPACT_MIN_BYTES);
      expect(await compactDb(paths, started.ovsdbServer!)).toBeUndefined();
      await growOvsdbLog(ovsDbSocket(paths), paths.dbPath, COMPACT_MIN_BYTES * 1.5);
      const before = size();
      const done = await compactDb(paths, started.ovsdbServer!);
      expect(done).toEqual({ beforeBytes: before, afterBytes: size() });
      expect(done!.afterBytes).toBeLessThan(64 * 1024);
      // Only the same process: a handle whose start time does not match is never asked.
      const other = { ...started.ovsdbServer!, startTime: started.ovsdbServer!.startTime + 1 };
      expect(await compactDb(paths, other, { minBytes: 0 })).toBeUndefined();
      // The server still answers, with the last value written.
      const d = await OvsdbClient.connect(ovsDbSocket(paths));
      const [root] = await d.select("Open_vSwitch", [], ["external_ids"]);
      await d.close();
      expect(JSON.stringify(root!.external_ids)).toMatch(/"nslab-it","\d+:x{8000}"/);
    } finally {
      await stopOvs(started);
    }
  });

  it("refuses to signal a pid whose start time or comm does not match", async () => {
    const child = systemRunner.start(["sleep", "60"]);
    children.push(child);
    const pid = child.pid!;
    const id = liveProcess(pid)!;
    expect(id.comm).toBe("sleep");

    const wrongTime = { pid, startTime: id.startTime + 1, comm: "sleep" };
    expect(await stopOvs({ ovsdbServer: wrongTime, vswitchd: null })).toEqual([
      { comm: "sleep", pid, outcome: "not-ours" },
    ]);
    const wrongComm = { pid, startTime: id.startTime, comm: "ovs-vswitchd" };
    expect((await stopOvs({ ovsdbServer: null, vswitchd: wrongComm }))[0]!.outcome).toBe("not-ours");
    expect(liveProcess(pid)?.startTime).toBe(id.startTime); // still alive, untouched

    // The matching handle does get SIGTERM.
    const exited = new Promise((r) => child.once("exit", (_code, sig) => r(sig)));
    expect(
      (await stopOvs({ ovsdbServer: { pid, startTime: id.startTime, comm: "sleep" }, vswitchd: null }))[0]!
        .outcome,
    ).toBe("terminated");
    expect(await exited).toBe("SIGTERM");
  });
});

function existsModule(): boolean {
  try {
    readdirSync("/sys/module/openvswitch");
    return true;
  } catch {
    return false;
  }
}
