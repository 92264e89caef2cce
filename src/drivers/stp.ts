/**
 * Waiting for spanning trees to settle. A bridge running STP keeps a new port listening, then
 * learning (forward delay, 15 s each by default) before it forwards or blocks: a lab with loops
 * (a torus) is not usable until then. Linux bridge ports are read from sysfs (the root namespace),
 * OVS ports from their `status:stp_state` in OVSDB.
 */
import { readdirSync, readFileSync } from "node:fs";
import { decodeStringMap, type OvsdbClient } from "./ovs/index.js";

/** STP port states the kernel reports (`/sys/class/net/<port>/brport/state`). */
const LINUX_STATES = ["disabled", "listening", "learning", "forwarding", "blocking"] as const;

/** Ports of Linux bridges `bridges` that are still listening or learning. */
export function linuxStpPending(bridges: readonly string[]): string[] {
  const pending: string[] = [];
  for (const br of bridges) {
    let ports: string[] = [];
    try {
      ports = readdirSync(`/sys/class/net/${br}/brif`);
    } catch {
      continue; // gone: nothing to wait for
    }
    for (const p of ports) {
      try {
        const state =
          LINUX_STATES[Number(readFileSync(`/sys/class/net/${br}/brif/${p}/state`, "utf8").trim())];
        if (state === "listening" || state === "learning") pending.push(p);
      } catch {
        // a port that just went away
      }
    }
  }
  return pending;
}

/** Ports of OVS bridges named in `ports` whose STP state is still listening or learning. */
export async function ovsStpPending(client: OvsdbClient, ports: ReadonlySet<string>): Promise<string[]> {
  const rows = await client.select("Port", [], ["name", "status"]);
  return rows
    .filter((r) => ports.has(String(r.name)))
    .filter((r) => {
      const state = decodeStringMap(r.status).stp_state;
      return state === "listening" || state === "learning";
    })
    .map((r) => String(r.name));
}

/** Poll `pending` until it returns nothing or `timeoutMs` passes; returns what is still pending. */
export async function waitSettled(
  pending: () => Promise<string[]> | string[],
  timeoutMs: number,
  onWait?: (left: number) => void,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await pending();
    if (left.length === 0 || Date.now() > deadline) return left;
    onWait?.(left.length);
    await new Promise((r) => setTimeout(r, 250));
  }
}
