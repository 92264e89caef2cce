/** Reading OVS bridges back: every bridge with its ports and interfaces, in one transaction. */
import { existsSync } from "node:fs";
import type { Runner } from "../runner/index.js";
import type { Condition, Operation, OvsdbClient } from "./ovsdb.js";
import { type Atom, decodeOptional, decodeSet, decodeStringMap, decodeUuid, type Row } from "./values.js";

/** An interface as OVSDB reports it (the status columns are filled by ovs-vswitchd). */
export interface InterfaceInfo {
  uuid: string;
  name: string;
  type: string;
  ofport: number | null;
  error: string | null;
  adminState: string | null;
  linkState: string | null;
}

/** A port with its interfaces. */
export interface PortInfo {
  uuid: string;
  name: string;
  tag: number | null;
  externalIds: Record<string, string>;
  interfaces: InterfaceInfo[];
}

/** A bridge with its ports (its own internal port included). */
export interface BridgeInfo {
  uuid: string;
  name: string;
  datapathType: string;
  externalIds: Record<string, string>;
  ports: PortInfo[];
}

/** Every bridge with its ports and interfaces (one read transaction), sorted by name. */
export async function listBridges(client: OvsdbClient): Promise<BridgeInfo[]> {
  const [bridges, ports, ifaces] = await client.transact([
    selectAll("Bridge", ["_uuid", "name", "datapath_type", "external_ids", "ports"]),
    selectAll("Port", ["_uuid", "name", "tag", "external_ids", "interfaces"]),
    selectAll("Interface", ["_uuid", "name", "type", "ofport", "error", "admin_state", "link_state"]),
  ]);
  const ifaceByUuid = new Map<string, InterfaceInfo>();
  for (const r of ifaces?.rows ?? []) {
    const info: InterfaceInfo = {
      uuid: decodeUuid(r._uuid),
      name: String(r.name),
      type: String(r.type ?? ""),
      ofport: numberOrNull(decodeOptional(r.ofport)),
      error: stringOrNull(decodeOptional(r.error)),
      adminState: stringOrNull(decodeOptional(r.admin_state)),
      linkState: stringOrNull(decodeOptional(r.link_state)),
    };
    ifaceByUuid.set(info.uuid, info);
  }
  const portByUuid = new Map<string, PortInfo>();
  for (const r of ports?.rows ?? []) {
    const info: PortInfo = {
      uuid: decodeUuid(r._uuid),
      name: String(r.name),
      tag: numberOrNull(decodeOptional(r.tag)),
      externalIds: decodeStringMap(r.external_ids),
      interfaces: resolve(decodeSet(r.interfaces), ifaceByUuid),
    };
    portByUuid.set(info.uuid, info);
  }
  return (bridges?.rows ?? [])
    .map(
      (r): BridgeInfo => ({
        uuid: decodeUuid(r._uuid),
        name: String(r.name),
        datapathType: String(r.datapath_type ?? ""),
        externalIds: decodeStringMap(r.external_ids),
        ports: resolve(decodeSet(r.ports), portByUuid),
      }),
    )
    .sort(byName);
}

/**
 * The bridges in the database file itself (name and external_ids), read with `ovsdb-tool query`
 * while no ovsdb-server serves it: what a lab left there when it went without a `down` (a reboot;
 * the file is on disk). None when the file or ovsdb-tool is missing, or the file cannot be read.
 */
export async function bridgesInFile(
  dbPath: string,
  runner: Runner,
): Promise<Pick<BridgeInfo, "name" | "externalIds">[]> {
  if (!existsSync(dbPath)) return [];
  const query = JSON.stringify(["Open_vSwitch", selectAll("Bridge", ["name", "external_ids"])]);
  const r = await runner
    .run(["ovsdb-tool", "query", dbPath, query], { timeoutMs: 30_000, allowFailure: true })
    .catch(() => undefined); // no ovsdb-tool: no Open vSwitch to have left anything
  if (r?.exitCode !== 0) return [];
  try {
    const [result] = JSON.parse(r.stdout) as [{ rows?: Row[] }];
    return (result?.rows ?? [])
      .map((row) => ({ name: String(row.name), externalIds: decodeStringMap(row.external_ids) }))
      .sort(byName);
  } catch {
    return [];
  }
}

function selectAll(table: string, columns: string[]): Operation {
  const where: Condition[] = [];
  return { op: "select", table, where, columns };
}

function resolve<T>(refs: readonly Atom[], byUuid: ReadonlyMap<string, T & { name: string }>): T[] {
  return refs
    .map((ref) => byUuid.get(decodeUuid(ref)))
    .filter((x): x is T & { name: string } => x !== undefined)
    .sort(byName);
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function numberOrNull(a: Atom | undefined): number | null {
  return typeof a === "number" ? a : null;
}

function stringOrNull(a: Atom | undefined): string | null {
  return typeof a === "string" ? a : null;
}
