// What a soak or stress run watches for growth: host-wide counters (file handles, namespaces, links,
// OVS ports, conntrack entries, /run/nslab entries), the OVS daemons' fds and RSS, and — the hard
// check — whether anything carrying this run's prefixes or lab names is left after a `down`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { listNetns, rootLinks } from "../lib.mjs";

export const STATE_DIR = process.env.NSLAB_STATE_DIR || "/run/nslab";

function readNumber(path) {
  try {
    return Number(readFileSync(path, "utf8").trim().split(/\s+/)[0]);
  } catch {
    return null;
  }
}

/** Files under `dir`, recursively (0 when it does not exist). */
function countEntries(dir) {
  let n = 0;
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    n++;
    try {
      if (statSync(join(dir, name)).isDirectory()) n += countEntries(join(dir, name));
    } catch {}
  }
  return n;
}

/** Live (not zombie) processes named `comm`: pid, open fds, RSS in kB. */
export function daemons(comm) {
  const out = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== comm) continue;
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (/^State:\s+[ZX]/m.test(status)) continue;
      out.push({
        pid: Number(pid),
        fds: readdirSync(`/proc/${pid}/fd`).length,
        rssKb: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0),
      });
    } catch {}
  }
  return out;
}

/** OVS ports on the host (every bridge), or null when OVS is not running. */
function ovsPorts() {
  if (!existsSync("/var/run/openvswitch/db.sock")) return null;
  const r = spawnSync(
    "ovs-vsctl",
    ["--timeout=5", "--format=csv", "--no-headings", "--columns=name", "list", "Port"],
    {
      encoding: "utf8",
    },
  );
  return r.status === 0 ? r.stdout.split("\n").filter(Boolean).length : null;
}

/** One sample of everything host-wide (other people's labs move these too on a shared machine). */
export function hostSample() {
  const [server] = daemons("ovsdb-server");
  const [vswitchd] = daemons("ovs-vswitchd");
  return {
    at: Date.now(),
    fileHandles: readNumber("/proc/sys/fs/file-nr"),
    netns: listNetns().length,
    rootLinks: rootLinks().length,
    ovsPorts: ovsPorts(),
    conntrack: readNumber("/proc/sys/net/netfilter/nf_conntrack_count"),
    stateEntries: countEntries(STATE_DIR),
    ovsdbServer: server ?? null,
    ovsVswitchd: vswitchd ?? null,
  };
}

/** This process: open fds, active handles, RSS and heap (after a GC when --expose-gc is on). */
export function selfSample() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return {
    fds: readdirSync("/proc/self/fd").length,
    handles: process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").length,
    rssKb: Math.round(m.rss / 1024),
    heapKb: Math.round(m.heapUsed / 1024),
  };
}

/**
 * What is left on the host of this run after a `down`: namespaces and root links starting with one
 * of `prefixes`, OVS bridges or ports with such names, and records, locks or temp files of `labs`
 * in /run/nslab. Must be empty.
 */
export function leftovers(prefixes, labs) {
  const mine = (name) => prefixes.some((p) => name.startsWith(p));
  const left = [
    ...listNetns()
      .filter(mine)
      .map((n) => `netns ${n}`),
    ...rootLinks()
      .filter(mine)
      .map((l) => `link ${l}`),
  ];
  if (existsSync("/var/run/openvswitch/db.sock")) {
    const r = spawnSync(
      "ovs-vsctl",
      ["--timeout=5", "--format=csv", "--no-headings", "--columns=name", "list", "Port"],
      {
        encoding: "utf8",
      },
    );
    for (const p of r.stdout?.split("\n").filter(Boolean) ?? [])
      if (mine(p.replace(/"/g, ""))) left.push(`ovs port ${p}`);
  }
  for (const sub of ["labs", "locks", ""]) {
    let names = [];
    try {
      names = readdirSync(join(STATE_DIR, sub));
    } catch {}
    for (const f of names)
      if (
        labs.some(
          (lab) =>
            f === `${lab}.json` ||
            f === `${lab}.lock` ||
            f.startsWith(`${lab}.json.tmp`) ||
            f.startsWith(`${lab}.lock.`),
        )
      )
        left.push(`${join(STATE_DIR, sub, f)}`);
  }
  return left;
}

/** Temp files of record writers (`*.tmp.*`) anywhere in /run/nslab, anyone's. */
export function stateTempFiles() {
  const out = [];
  const walk = (dir) => {
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (/\.tmp\b/.test(n)) out.push(p);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {}
    }
  };
  walk(STATE_DIR);
  return out;
}

/** Summary of per-cycle times (ms): mean, median, p95, max. */
export function timeSummary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  return {
    n: s.length,
    mean: Math.round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    median: Math.round(q(0.5) ?? 0),
    p95: Math.round(q(0.95) ?? 0),
    max: Math.round(s[s.length - 1] ?? 0),
  };
}

/** The fd targets of a process, for a leak report ("socket:[…]", "/dev/null", …). */
export function fdTargets(pid = "self") {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).map((fd) => {
    try {
      return readlinkSync(join(dir, fd)).replace(/\[\d+\]$/, "[]");
    } catch {
      return "?";
    }
  });
}
