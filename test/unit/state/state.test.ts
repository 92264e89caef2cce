/** The state directory is private and tamper-evident; locks exclude, name their holder, and recover. */
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NslabError } from "../../../src/errors.js";
import { parseTopology } from "../../../src/model/load.js";
import { fileOrTemps, removeStaleTemps, stateDir, writeFileAtomic } from "../../../src/state/dir.js";
import { acquireLock, liveLocks, staleLocks } from "../../../src/state/lock.js";
import {
  clearLeftovers,
  labsWithLeftovers,
  listLabs,
  newLabState,
  readLab,
  readLabShared,
  removeLab,
  saveLab,
} from "../../../src/state/store.js";
import { readProcess } from "../../../src/util/proc.js";
import { tempStateDir } from "../../support/state-dir.js";
import { makeZombie } from "../../support/zombie.js";

const testRoot = tempStateDir("state");

const topo = () => parseTopology("name: s1\nnodes: {a: {}, b: {}}\nlinks:\n  - [a:e0, b:e0]\n");

describe("state directory", () => {
  it("is created 0700 and files are 0600, written atomically", () => {
    const dir = stateDir("labs");
    expect(lstatSync(testRoot()).mode & 0o777).toBe(0o700);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    saveLab(newLabState(topo(), [{ kind: "netns", name: "a" }]));
    const file = join(dir, "s1.json");
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["s1.json"]); // no temp file left
    expect(readLab("s1")?.owned).toEqual([{ kind: "netns", name: "a" }]);
    expect(listLabs()).toEqual(["s1"]);
    removeLab("s1");
    removeLab("s1"); // idempotent
    expect(readLab("s1")).toBeUndefined();
  });

  it("shares a record read for observation until its file is replaced or removed", () => {
    saveLab(newLabState(topo(), [{ kind: "netns", name: "a" }]));
    const first = readLabShared("s1");
    expect(first?.owned).toEqual([{ kind: "netns", name: "a" }]);
    expect(readLabShared("s1")).toBe(first);
    saveLab({ ...first!, owned: [{ kind: "netns", name: "b" }] });
    const second = readLabShared("s1");
    expect(second).not.toBe(first);
    expect(second?.owned).toEqual([{ kind: "netns", name: "b" }]);
    removeLab("s1");
    expect(readLabShared("s1")).toBeUndefined();
  });

  it("refuses a symlinked or world-accessible directory", () => {
    const elsewhere = `${testRoot()}-target`;
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, testRoot());
    expect(() => stateDir()).toThrow(/not a plain directory/);
    rmSync(testRoot());
    rmSync(elsewhere, { recursive: true });
    mkdirSync(testRoot(), { mode: 0o700 });
    chmodSync(testRoot(), 0o755);
    expect(() => stateDir()).toThrow(/accessible by other users \(mode 755\)/);
  });

  it("refuses a symlinked state file and a tampered record", () => {
    const dir = stateDir("labs");
    writeFileSync(join(testRoot(), "evil.json"), "{}");
    symlinkSync(join(testRoot(), "evil.json"), join(dir, "x.json"));
    expect(() => readLab("x")).toThrow(/not a regular file/);
    const state = newLabState(topo(), [{ kind: "netns", name: "../../etc" }]);
    writeFileAtomic(join(dir, "s1.json"), JSON.stringify(state));
    expect(() => readLab("s1")).toThrow(/invalid netns name '\.\.\/\.\.\/etc'/);
    writeFileAtomic(join(dir, "s1.json"), "{not json");
    expect(() => readLab("s1")).toThrow(/corrupt/);
  });
});

describe("temp files of writers that died mid-write", () => {
  it("are removed for the file asked about, only when their writer is dead (zombies included)", async () => {
    const dir = stateDir("labs");
    const dead = spawnSync("true").pid!;
    const z = await makeZombie(["sleep", "600"]);
    const live = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      for (const name of [
        `s1.json.tmp.${dead}`,
        `s1.json.tmp.${z.pid}`,
        `s1.json.tmp.${live.pid}`,
        `s1.json.tmp.${process.pid}`,
        `s2.json.tmp.${dead}`, // another lab's: not ours to clear now
        "s1.json.tmp.notapid",
      ])
        writeFileSync(join(dir, name), "{");
      expect(labsWithLeftovers().sort()).toEqual(["s1", "s1", "s2"]);
      expect(clearLeftovers("s1").sort()).toEqual(
        [join(dir, `s1.json.tmp.${dead}`), join(dir, `s1.json.tmp.${z.pid}`)].sort(),
      );
      expect(readdirSync(dir).sort()).toEqual(
        [
          `s1.json.tmp.${live.pid}`,
          `s1.json.tmp.${process.pid}`,
          `s2.json.tmp.${dead}`,
          "s1.json.tmp.notapid",
        ].sort(),
      );
      expect(removeStaleTemps(join(dir, "s2.json"))).toEqual([join(dir, `s2.json.tmp.${dead}`)]);
      expect(labsWithLeftovers()).toEqual([]);
    } finally {
      z.release();
      live.kill("SIGKILL");
    }
  });

  it("fileOrTemps: the file, or a temp file of it, and not another file's", () => {
    const dir = stateDir("file-or-temps");
    const file = join(dir, "x.json");
    expect(fileOrTemps(file)).toBe(false);
    writeFileSync(join(dir, "x.json2"), "{");
    writeFileSync(join(dir, "y.json.tmp.1"), "{");
    expect(fileOrTemps(file)).toBe(false);
    writeFileSync(join(dir, "x.json.tmp.1"), "{");
    expect(fileOrTemps(file)).toBe(true);
    rmSync(join(dir, "x.json.tmp.1"));
    writeFileAtomic(file, "{}");
    expect(fileOrTemps(file)).toBe(true);
    expect(fileOrTemps(join(dir, "missing", "x.json"))).toBe(false);
  });

  it("a write paused between temp file and rename leaves only the temp file", () => {
    const dir = stateDir("labs");
    let seen: string[] = [];
    saveLab(newLabState(topo(), []), { beforeRename: () => (seen = readdirSync(dir)) });
    expect(seen).toEqual([`s1.json.tmp.${process.pid}`]);
    expect(readdirSync(dir)).toEqual(["s1.json"]);
  });
});

describe("stale locks", () => {
  it("are listed by name (live holders are not)", () => {
    const dir = stateDir("locks");
    const dead = spawnSync("true").pid!;
    writeFileSync(
      join(dir, "gone.lock"),
      JSON.stringify({ pid: dead, startTime: 1, command: "x", since: "t" }),
    );
    const held = acquireLock("held", "y");
    try {
      expect(staleLocks()).toEqual(["gone"]);
    } finally {
      held.release();
    }
  });

  it("a reclaim guard left by a crash (older than 10 s) goes with the next lock", () => {
    const dir = stateDir("locks");
    writeFileSync(join(dir, "g.lock.reclaim"), "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "g.lock.reclaim"), old, old);
    acquireLock("g", "z").release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("locks", () => {
  it("exclude a second holder and name the first", () => {
    const lock = acquireLock("lab1", "nslab up lab1");
    try {
      const sleeper = spawnSync(
        process.execPath,
        [
          "-e",
          `process.env.NSLAB_STATE_DIR=${JSON.stringify(testRoot())};import(${JSON.stringify(join(import.meta.dirname, "../../../src/state/lock.ts"))}).then(m=>{try{m.acquireLock("lab1","other")}catch(e){console.log(e.code+": "+e.message)}})`,
        ],
        { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "--import tsx" } },
      );
      expect(sleeper.stdout).toMatch(
        new RegExp(`E_LOCKED: 'lab1' is busy: process ${process.pid} \\(nslab up lab1\\)`),
      );
    } finally {
      lock.release();
    }
    acquireLock("lab1", "again").release();
  });

  it("reclaims a lock left by a dead process, saying so", () => {
    const dead = spawnSync("true").pid!; // a pid that has exited
    const dir = stateDir("locks");
    writeFileSync(
      join(dir, "lab2.lock"),
      JSON.stringify({ pid: dead, startTime: 1, command: "nslab up lab2", since: "then" }),
    );
    const messages: string[] = [];
    const lock = acquireLock("lab2", "nslab down lab2", (m) => messages.push(m));
    expect(messages.join()).toMatch(
      new RegExp(
        `reclaimed the lock on 'lab2' left by process ${dead} \\(nslab up lab2\\), which is no longer running`,
      ),
    );
    expect(JSON.parse(readFileSync(join(dir, "lab2.lock"), "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, "lab2.lock"))).toBe(false);
  });

  it("reclaims a lock held by a zombie at once (kill cannot stop a zombie), naming its parent", async () => {
    const z = await makeZombie(["sleep", "600"]);
    try {
      const startTime = readProcess(z.pid)!.startTime;
      const dir = stateDir("locks");
      writeFileSync(
        join(dir, "lab4.lock"),
        JSON.stringify({ pid: z.pid, startTime, command: "nslab up lab4", since: "then" }),
      );
      expect(liveLocks().map((l) => l.name)).not.toContain("lab4");
      const messages: string[] = [];
      const lock = acquireLock("lab4", "nslab down lab4", (m) => messages.push(m));
      expect(messages).toEqual([
        `reclaimed the lock on 'lab4' left by process ${z.pid} (nslab up lab4), which is no longer running (a zombie: it ended and its parent, process ${z.parentPid}, has not reaped it)`,
      ]);
      lock.release();
    } finally {
      z.release();
    }
  });

  it("a lock file without its record yet is being taken: busy while fresh, reclaimed once old (a crash there)", () => {
    const dir = stateDir("locks");
    const file = join(dir, "lab5.lock");
    writeFileSync(file, ""); // another process between creating the file and writing its record
    expect(() => acquireLock("lab5", "x")).toThrow(/'lab5' is being locked by another process right now/);
    expect(existsSync(file)).toBe(true); // never removed under its taker
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const messages: string[] = [];
    const lock = acquireLock("lab5", "x", (m) => messages.push(m));
    expect(messages).toEqual(["reclaimed an unreadable lock file on 'lab5'"]);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("admit one holder at a time under contention (4 processes taking and releasing one lock)", async () => {
    // Each holder makes a marker file with O_EXCL inside the lock and removes it before releasing:
    // a second holder at the same time finds it there. The version before took the file of a taker
    // that had not yet written its record for a crash's leftover, and removed it (tens of double
    // holders in 24,000 takings by 8 processes).
    const marker = join(testRoot(), "inside");
    const lockTs = JSON.stringify(join(import.meta.dirname, "../../../src/state/lock.ts"));
    const startAt = Date.now() + 3_000; // every child loaded and waiting
    const child = `process.env.NSLAB_STATE_DIR=${JSON.stringify(testRoot())};
      const fs = require("node:fs");
      import(${lockTs}).then((m) => {
        while (Date.now() < ${startAt});
        const n = { held: 0, doubles: 0, reclaims: 0 };
        for (let i = 0; i < 1500; i++) {
          let lock;
          try { lock = m.acquireLock("contended", "x", () => n.reclaims++); } catch (e) { if (e.code !== "E_LOCKED") throw e; continue; }
          n.held++;
          try { fs.closeSync(fs.openSync(${JSON.stringify(marker)}, "wx")); fs.unlinkSync(${JSON.stringify(marker)}); }
          catch { n.doubles++; }
          lock.release();
        }
        console.log(JSON.stringify(n));
      });`;
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string>((resolve) => {
            const p = spawn(process.execPath, ["-e", child], {
              env: { ...process.env, NODE_OPTIONS: "--import tsx" },
              stdio: ["ignore", "pipe", "inherit"],
            });
            let out = "";
            p.stdout.on("data", (d: Buffer) => {
              out += d.toString();
            });
            p.on("close", () => resolve(out));
          }),
      ),
    );
    const total = runs
      .map((r) => JSON.parse(r) as { held: number; doubles: number; reclaims: number })
      .reduce((a, b) => ({
        held: a.held + b.held,
        doubles: a.doubles + b.doubles,
        reclaims: a.reclaims + b.reclaims,
      }));
    expect(total.held).toBeGreaterThan(1000);
    expect(total).toMatchObject({ doubles: 0, reclaims: 0 });
  }, 60_000);

  it("refuses to take a lock twice in one process", () => {
    const lock = acquireLock("lab3", "x");
    try {
      expect(() => acquireLock("lab3", "y")).toThrow(NslabError);
    } finally {
      lock.release();
    }
  });
});
