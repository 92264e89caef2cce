/**
 * IPv4 forwarding on NAT uplinks, as a setting labs share: a NAT lab needs its uplink's
 * `net.ipv4.conf.UPLINK.forwarding` = 1 (the kernel decides forwarding by the device a packet comes
 * in on: the replies come in on the uplink). nslab sets it only when it is 0, remembers the previous
 * value in /run/nslab/forwarding.json (before it writes the sysctl), and restores it when the last
 * lab holding it goes — only if it is still what nslab set, on the same interface (not one
 * re-created under that name), and the global switch did not change meanwhile (Docker turning
 * `ip_forward` on rewrites every device's flag: then it is left as it is, and said so).
 * The global `net.ipv4.ip_forward` is never written: writing it rewrites every interface's flag,
 * so restoring it would lose settings of the host's own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSysctl, rootIfindex, writeSysctl } from "../../drivers/host/sysctl.js";
import { forwardingKey, natUplinks } from "../../plan/nat.js";
import { checkFile, fileOrTemps, removeFile, stateDir, writeFileAtomic } from "../../state/dir.js";
import { acquireLockWaiting, liveLocks } from "../../state/lock.js";
import { listLabs, readLab } from "../../state/store.js";
import type { HealthProblem, LabHealthContext } from "../health-types.js";
import type { HostService, ServiceContext } from "./service.js";

const LOCK = "_forwarding";
const GLOBAL = "net/ipv4/ip_forward";

/** One setting nslab changed. */
export interface ForwardingEntry {
  key: string;
  /** The value before nslab set it (what is restored). */
  previous: string;
  value: string;
  /** The interface's ifindex when it was set (a re-created interface starts from conf/default). */
  ifindex?: number;
  /** net.ipv4.ip_forward when it was set. */
  globalAtSet?: string;
  since: string;
}

interface ForwardingRecord {
  version: 1;
  settings: ForwardingEntry[];
}

/** What the host has now of one setting. */
export interface SettingNow {
  value: string | undefined;
  ifindex: number | undefined;
  global: string | undefined;
}

/** Acquiring `key`: record and set it, or leave it (nslab holds it already, or the host has it on). */
export function decideAcquire(
  entry: ForwardingEntry | undefined,
  now: SettingNow,
): "set" | "reset" | "leave" {
  if (now.value === undefined) return "leave"; // no such interface: `up` fails on it anyway
  if (entry) return now.value === entry.value ? "leave" : "reset";
  return now.value === "1" ? "leave" : "set";
}

/** Releasing an entry nobody holds: restore it, or only forget it (with why). */
export function decideRelease(entry: ForwardingEntry, now: SettingNow): { restore: boolean; why?: string } {
  if (now.value === undefined) return { restore: false, why: "the interface is gone" };
  if (now.ifindex !== undefined && entry.ifindex !== undefined && now.ifindex !== entry.ifindex)
    return { restore: false, why: "the interface was re-created meanwhile" };
  if (now.value !== entry.value) return { restore: false, why: `it was changed to ${now.value} meanwhile` };
  if (entry.globalAtSet !== undefined && now.global !== entry.globalAtSet)
    return {
      restore: false,
      why: `net.ipv4.ip_forward changed from ${entry.globalAtSet} to ${now.global} meanwhile (which set every interface's flag)`,
    };
  return { restore: true };
}

function recordFile(): string {
  return join(stateDir(), "forwarding.json");
}

function readRecord(): ForwardingRecord {
  const file = recordFile();
  if (!checkFile(file)) return { version: 1, settings: [] };
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as ForwardingRecord;
    return { version: 1, settings: Array.isArray(r.settings) ? r.settings : [] };
  } catch {
    return { version: 1, settings: [] };
  }
}

function writeRecord(r: ForwardingRecord): void {
  if (r.settings.length === 0) removeFile(recordFile());
  else writeFileAtomic(recordFile(), `${JSON.stringify(r)}\n`);
}

function devOf(key: string): string {
  return key.split("/")[3] ?? key;
}

function settingNow(key: string): SettingNow {
  return { value: readSysctl(key), ifindex: rootIfindex(devOf(key)), global: readSysctl(GLOBAL) };
}

/** Labs other than `except` that list `key`, and whether an `up` of another lab is under way. */
function holders(key: string, except: string): { labs: string[]; upUnderWay: boolean } {
  const labs = listLabs().filter((lab) => {
    if (lab === except) return false;
    try {
      return readLab(lab)?.hostSettings?.includes(key) ?? false;
    } catch {
      return true; // unreadable record: keep the setting (the safe side)
    }
  });
  const upUnderWay = liveLocks().some((l) => l.name !== except && l.command.startsWith("nslab up "));
  return { labs, upUnderWay };
}

export const forwardingService: HostService = {
  name: "host forwarding",

  neededBy: (ops) => ops.some((o) => o.op === "nat.masquerade"),

  heldBy: (record) => (record.hostSettings ?? []).length > 0,

  neededToRemove: () => false,

  async acquire(ctx: ServiceContext) {
    const keys = natUplinks(ctx.ops ?? []).map(forwardingKey);
    if (keys.length === 0) return { started: false };
    const lock = await acquireLockWaiting(LOCK, "forwarding", { onReclaim: (m) => ctx.log("info", m) });
    let changed = false;
    try {
      const record = readRecord();
      for (const key of keys) {
        const entry = record.settings.find((e) => e.key === key);
        const now = settingNow(key);
        const what = decideAcquire(entry, now);
        if (what === "leave") continue;
        if (what === "set") {
          // The intent first: a kill -9 between these two leaves a record that release corrects.
          record.settings.push({
            key,
            previous: now.value!,
            value: "1",
            ...(now.ifindex !== undefined ? { ifindex: now.ifindex } : {}),
            ...(now.global !== undefined ? { globalAtSet: now.global } : {}),
            since: new Date().toISOString(),
          });
          writeRecord(record);
        }
        writeSysctl(key, "1");
        changed = true;
        ctx.log(
          "info",
          `IPv4 forwarding on ${devOf(key)} (for NAT; restored to ${entry?.previous ?? now.value} when the last NAT lab using it goes)`,
        );
      }
    } finally {
      lock.release();
    }
    return { started: changed };
  },

  unused: () => !fileOrTemps(recordFile()),

  async release(ctx: ServiceContext) {
    const lock = await acquireLockWaiting(LOCK, "forwarding", { onReclaim: (m) => ctx.log("info", m) });
    try {
      const record = readRecord();
      if (record.settings.length === 0) return;
      const kept: ForwardingEntry[] = [];
      for (const entry of record.settings) {
        const h = holders(entry.key, ctx.lab);
        if (h.labs.length > 0 || h.upUnderWay) {
          kept.push(entry);
          continue;
        }
        const d = decideRelease(entry, settingNow(entry.key));
        if (d.restore) writeSysctl(entry.key, entry.previous);
        ctx.log(
          "info",
          d.restore
            ? `restored IPv4 forwarding on ${devOf(entry.key)} to ${entry.previous} (no NAT lab uses it any more)`
            : `left IPv4 forwarding on ${devOf(entry.key)} as it is: ${d.why}`,
        );
      }
      writeRecord({ version: 1, settings: kept });
    } finally {
      lock.release();
    }
  },

  async checkLab(ctx: LabHealthContext): Promise<HealthProblem[]> {
    const off = (ctx.record.hostSettings ?? []).filter((k) => readSysctl(k) !== "1");
    return off.map((k) => ({
      what: `${devOf(k)} does not forward IPv4 (${k.replaceAll("/", ".")}=${readSysctl(k) ?? "missing"}): replies to the lab's NAT traffic are dropped`,
      where: `NAT uplink ${devOf(k)}`,
      fix: ctx.repair,
      check: "host forwarding",
    }));
  },

  async health() {
    const record = readRecord();
    const global = readSysctl(GLOBAL) ?? "?";
    const held = record.settings.map((e) => {
      const labs = holders(e.key, "").labs;
      return `${e.key.replaceAll("/", ".")}=${readSysctl(e.key) ?? "?"} for ${labs.length > 0 ? `lab${labs.length > 1 ? "s" : ""} ${labs.join(", ")}` : "no lab (released at the next down)"} (was ${e.previous}; restored when the last goes)`;
    });
    return {
      name: "IPv4 forwarding",
      status: "ok",
      detail: `net.ipv4.ip_forward=${global}; ${held.length > 0 ? `nslab holds ${held.join("; ")}` : "nslab holds no forwarding setting (NAT labs turn it on for their uplink only while they run)"}`,
    };
  },
};
