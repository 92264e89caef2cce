/**
 * The OpenFlow columns of OVS bridges in OVSDB: what gives a bridge its controllers, fail mode,
 * versions and datapath ID (the rows and mutations a transaction carries), and reading them back
 * with whether each controller is connected (the Controller table's `is_connected`, which
 * ovs-vswitchd refreshes every few seconds).
 */
import { MAX_BACKOFF_MS } from "../../plan/commands.js";
import type { Condition, Operation, OvsdbClient } from "./ovsdb.js";
import {
  type Atom,
  decodeOptional,
  decodeSet,
  decodeStringMap,
  decodeUuid,
  map,
  namedUuid,
  type Row,
  set,
} from "./values.js";

/** A bridge's OpenFlow settings as OVSDB holds them. */
export interface OpenFlowColumns {
  controllers: string[];
  failMode: "standalone" | "secure";
  /** Empty: OVS's default versions. */
  protocols: string[];
  /** 16 hex digits; absent: OVS picks one. */
  dpid?: string;
}

/** The `other_config` keys these settings own (set when wanted, removed otherwise). */
const OWN_KEYS = ["datapath-id", "disable-in-band"] as const;

/**
 * Append the Controller rows `of` needs to `ops` (uuid-names from `key`) and return the Bridge
 * columns and `other_config` entries that give a bridge these settings.
 */
export function openflowColumns(
  of: OpenFlowColumns,
  ops: Operation[],
  key: string,
): { row: Row; otherConfig: Record<string, string> } {
  const refs: Atom[] = of.controllers.map((target, i) => {
    const name = `c${key}_${i}`;
    ops.push({
      op: "insert",
      table: "Controller",
      row: { target, max_backoff: MAX_BACKOFF_MS },
      "uuid-name": name,
    });
    return namedUuid(name);
  });
  const otherConfig: Record<string, string> = {};
  if (of.dpid !== undefined) otherConfig["datapath-id"] = of.dpid;
  if (of.controllers.length > 0) otherConfig["disable-in-band"] = "true";
  return {
    row: { fail_mode: of.failMode, protocols: set(of.protocols), controller: set(refs) },
    otherConfig,
  };
}

/** Operations that give the existing bridge `bridge` these settings (unreferenced Controller rows are collected by OVSDB). */
export function setOpenflowOps(bridge: string, of: OpenFlowColumns, key: string): Operation[] {
  const ops: Operation[] = [];
  const { row, otherConfig } = openflowColumns(of, ops, key);
  const where: Condition[] = [["name", "==", bridge]];
  ops.push(
    { op: "update", table: "Bridge", where, row },
    {
      op: "mutate",
      table: "Bridge",
      where,
      mutations: [["other_config", "delete", set([...OWN_KEYS])]],
    },
  );
  if (Object.keys(otherConfig).length > 0)
    ops.push({
      op: "mutate",
      table: "Bridge",
      where,
      mutations: [["other_config", "insert", map(otherConfig)]],
    });
  return ops;
}

/** One controller of a bridge, as ovs-vswitchd reports it. */
export interface ControllerStatus {
  target: string;
  /** Connected now (refreshed by ovs-vswitchd every few seconds). */
  connected: boolean;
  /** `master`, `slave` or `other` (OpenFlow role); absent while not connected. */
  role?: string;
  /** Connection state (ACTIVE, BACKOFF, CONNECTING, IDLE, VOID) and the last error, when reported. */
  state?: string;
  lastError?: string;
}

/** A bridge's OpenFlow settings and controllers, as OVSDB has them now. */
export interface BridgeOpenFlow {
  bridge: string;
  /** Empty when the column is (standalone, OVS's default). */
  failMode: string;
  protocols: string[];
  /** The datapath ID in use (ovs-vswitchd fills `datapath_id`). */
  dpid?: string;
  controllers: ControllerStatus[];
}

/** The OpenFlow state of every bridge (one read transaction), by bridge name. */
export async function readOpenflow(client: OvsdbClient): Promise<Map<string, BridgeOpenFlow>> {
  const [bridges, controllers] = await client.transact([
    {
      op: "select",
      table: "Bridge",
      where: [],
      columns: ["name", "fail_mode", "protocols", "datapath_id", "controller"],
    },
    {
      op: "select",
      table: "Controller",
      where: [],
      columns: ["_uuid", "target", "is_connected", "role", "status"],
    },
  ]);
  const byUuid = new Map<string, ControllerStatus>();
  for (const r of controllers?.rows ?? []) {
    const status = decodeStringMap(r.status);
    const role = decodeOptional(r.role);
    byUuid.set(decodeUuid(r._uuid), {
      target: String(r.target),
      connected: r.is_connected === true,
      ...(r.is_connected === true && typeof role === "string" ? { role } : {}),
      ...(status.state ? { state: status.state } : {}),
      ...(status.last_error ? { lastError: status.last_error } : {}),
    });
  }
  const out = new Map<string, BridgeOpenFlow>();
  for (const r of bridges?.rows ?? []) {
    const dpid = decodeOptional(r.datapath_id);
    out.set(String(r.name), {
      bridge: String(r.name),
      failMode: String(decodeOptional(r.fail_mode) ?? ""),
      protocols: decodeSet(r.protocols).map(String).sort(),
      ...(typeof dpid === "string" ? { dpid } : {}),
      controllers: decodeSet(r.controller)
        .map((u) => byUuid.get(decodeUuid(u)))
        .filter((c): c is ControllerStatus => c !== undefined)
        .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0)),
    });
  }
  return out;
}
