/**
 * A running lab's services: their state as the lab's supervisor reports it (running, waiting to
 * restart, exited with a code, failed; restarts; since when) — or, when the supervisor is not
 * running any more, said so — and their logs (`nslab logs`, with `follow` across restarts and
 * truncation).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { readStatus, supervisorAlive } from "../drivers/supervisor.js";
import { NslabError } from "../errors.js";
import { type Service, serviceId } from "../model/env-types.js";
import { labDir, serviceLog } from "../state/lab-dir.js";
import type { LabState } from "../state/store.js";
import { listSome } from "../util/listing.js";
import { checkedName, lookupRecordOf, recordOf } from "./record.js";

/** One service of a running lab. */
export interface ServiceReport {
  /** `node/service`. */
  id: string;
  node: string;
  name: string;
  /** What the supervisor says; `unknown` when it is not running (it was killed). */
  state: "running" | "backoff" | "exited" | "failed" | "stopped" | "unknown";
  pid?: number;
  exitCode?: number;
  signal?: number;
  restarts: number;
  /** When it last changed state (ISO time). */
  since?: string;
  /** Its log file. */
  log: string;
}

function servicesOf(state: LabState): Service[] {
  return state.topology.nodes.flatMap((n) => (n.kind === "netns" ? (n.services ?? []) : []));
}

/** The services of lab `lab` and their state. */
export function labServiceReports(lab: string, state: LabState = recordOf(lab)): ServiceReport[] {
  const services = servicesOf(state);
  if (services.length === 0) return [];
  const dir = labDir(lab);
  const alive = supervisorAlive(dir);
  const status = readStatus(dir);
  return services.map((s) => {
    const st = alive ? status?.services.find((x) => x.id === serviceId(s)) : undefined;
    return {
      id: serviceId(s),
      node: s.node,
      name: s.name,
      state: st?.state ?? "unknown",
      ...(st && st.pid > 0 ? { pid: st.pid } : {}),
      ...(st?.exitCode !== undefined && st.state !== "running" ? { exitCode: st.exitCode } : {}),
      ...(st?.signal ? { signal: st.signal } : {}),
      restarts: st?.restarts ?? 0,
      ...(st ? { since: new Date(st.since * 1000).toISOString() } : {}),
      log: serviceLog(lab, s.node, s.name),
    };
  });
}

/**
 * The services whose logs `logs` shows: every one of `node`, or the one named — from the lab's
 * record read for looking up (a big lab's view), each name checked before it makes a file's path.
 */
function chosen(lab: string, node: string, service?: string): Service[] {
  const { nodes } = lookupRecordOf(lab).topology;
  const n = nodes.find((x) => x.name === node);
  if (!n)
    throw new NslabError("E_NOT_FOUND", `lab '${lab}' has no node '${node}'`, {
      hint: `its nodes: ${listSome(nodes.map((x) => x.name))}`,
    });
  const all = n.kind === "netns" ? (n.services ?? []) : [];
  if (all.length === 0)
    throw new NslabError("E_NOT_FOUND", `node '${node}' of lab '${lab}' runs no services`);
  for (const x of all) {
    checkedName(lab, x.node, "node");
    checkedName(lab, x.name, "node");
  }
  if (service === undefined) return all;
  const s = all.find((x) => x.name === service);
  if (!s)
    throw new NslabError("E_NOT_FOUND", `node '${node}' has no service '${service}'`, {
      hint: `its services: ${listSome(all.map((x) => x.name))}`,
    });
  return [s];
}

const prefixed = (text: string, name: string | undefined) =>
  name === undefined ? text : text.replace(/^(?=.)/gm, `${name}: `);

/** The logs of `node`'s services (or of one), as they are now; lines prefixed when several. */
export function serviceLogs(lab: string, node: string, service?: string): string {
  const list = chosen(lab, node, service);
  return list
    .map((s) => {
      let text = "";
      try {
        text = readFileSync(serviceLog(lab, s.node, s.name), "utf8");
      } catch {
        // not started (yet)
      }
      return prefixed(text, list.length > 1 ? s.name : undefined);
    })
    .join("");
}

/**
 * Print the logs, then what is appended to them until `signal` aborts (or the lab goes down):
 * polls every 200 ms; a log cut back (truncated) is read again from its start.
 */
export async function followServiceLogs(
  lab: string,
  node: string,
  service: string | undefined,
  write: (text: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const list = chosen(lab, node, service);
  const offsets = new Map<string, number>(list.map((s) => [s.name, 0]));
  for (;;) {
    for (const s of list) {
      const path = serviceLog(lab, s.node, s.name);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        continue;
      }
      let at = offsets.get(s.name)!;
      if (size < at) at = 0;
      if (size > at) {
        const fd = openSync(path, "r");
        try {
          const buf = Buffer.alloc(size - at);
          const n = readSync(fd, buf, 0, buf.length, at);
          write(prefixed(buf.subarray(0, n).toString("utf8"), list.length > 1 ? s.name : undefined));
          at += n;
        } finally {
          closeSync(fd);
        }
      }
      offsets.set(s.name, at);
    }
    if (signal?.aborted) return;
    await new Promise((r) => setTimeout(r, 200));
    if (!existsSync(labDir(lab))) return; // the lab went down
  }
}
