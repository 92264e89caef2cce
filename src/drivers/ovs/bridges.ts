/** OVS bridges and ports through OVSDB: each change is one transaction, like one `ovs-vsctl` call. */
import { NslabError } from "../../errors.js";
import { type OpenFlowColumns, openflowColumns, setOpenflowOps } from "./openflow.js";
import { nextCfgOps, type Operation, type OvsdbClient, OvsdbError, readNextCfg } from "./ovsdb.js";
import { type Atom, decodeSet, decodeUuid, map, namedUuid, optional, type Row, set, uuid } from "./values.js";

/** A port to create on a bridge; it gets one interface of the same name. */
export interface PortSpec {
  name: string;
  /** Access VLAN (0–4095); untagged trunk when absent. */
  tag?: number;
  /** Ownership markers and other annotations, stored on the Port row. */
  externalIds: Record<string, string>;
  /** Interface type: "" (a device that already exists, e.g. a veth end), "internal" or "patch". */
  type?: "" | "internal" | "patch";
  /** Interface options, e.g. `{ peer: "patch-b" }` for a patch port. */
  options?: Record<string, string>;
  /** The OpenFlow port number to ask for (`ofport_request`). */
  ofport?: number;
}

/** A bridge to create, with its ports (its own internal port is added automatically). */
export interface BridgeSpec {
  name: string;
  /** "netdev" (userspace datapath, works without the kernel module) or "system". */
  datapathType: "netdev" | "system";
  externalIds: Record<string, string>;
  otherConfig?: Record<string, string>;
  stp?: boolean;
  failMode?: "standalone" | "secure";
  /** OpenFlow settings (controllers, fail mode, versions, datapath ID); they win over `failMode`. */
  openflow?: OpenFlowColumns;
  ports: PortSpec[];
}

/** Whether to wait for ovs-vswitchd to apply the change before resolving. */
export interface WaitOptions {
  wait: boolean;
  /** How long to wait for ovs-vswitchd; default 30 s. */
  timeoutMs?: number;
}

/**
 * Create bridges with their ports in one transaction, like `ovs-vsctl add-br` (each bridge also gets
 * an internal port+interface named after it). Returns the new `next_cfg`; with `wait`, resolves only
 * once ovs-vswitchd has applied it.
 */
export async function addBridges(
  client: OvsdbClient,
  bridges: readonly BridgeSpec[],
  options: WaitOptions,
): Promise<number> {
  const ops: Operation[] = [requireRootRowOp()];
  const bridgeRefs: Atom[] = [];
  bridges.forEach((b, bi) => {
    const own: PortSpec = { name: b.name, type: "internal", externalIds: {} };
    const portRefs = [own, ...b.ports].map((p, pi) => pushPort(ops, p, `b${bi}_${pi}`));
    const row: Row = {
      name: b.name,
      datapath_type: b.datapathType,
      external_ids: map(b.externalIds),
      other_config: map(b.otherConfig ?? {}),
      ports: set(portRefs),
    };
    if (b.stp !== undefined) row.stp_enable = b.stp;
    if (b.failMode !== undefined) row.fail_mode = b.failMode;
    if (b.openflow) {
      const of = openflowColumns(b.openflow, ops, `b${bi}`);
      Object.assign(row, of.row);
      row.other_config = map({ ...b.otherConfig, ...of.otherConfig });
    }
    const name = `b${bi}`;
    ops.push({ op: "insert", table: "Bridge", row, "uuid-name": name });
    bridgeRefs.push(namedUuid(name));
  });
  ops.push({
    op: "mutate",
    table: "Open_vSwitch",
    where: [],
    mutations: [["bridges", "insert", set(bridgeRefs)]],
  });
  const nextCfg = await commitWithCfg(client, ops, `add-br ${bridges.map((b) => b.name).join(" ")}`);
  return settle(client, nextCfg, options);
}

/** Add ports to an existing bridge in one transaction (`ovs-vsctl add-port`). */
export async function addPorts(
  client: OvsdbClient,
  bridgeName: string,
  ports: readonly PortSpec[],
  options: WaitOptions,
): Promise<number> {
  const ops: Operation[] = [requireRootRowOp(), requireRowOp("Bridge", bridgeName)];
  const refs = ports.map((p, pi) => pushPort(ops, p, `p${pi}`));
  ops.push({
    op: "mutate",
    table: "Bridge",
    where: [["name", "==", bridgeName]],
    mutations: [["ports", "insert", set(refs)]],
  });
  const nextCfg = await commitWithCfg(
    client,
    ops,
    `add-port ${bridgeName} ${ports.map((p) => p.name).join(" ")}`,
    {
      1: notFound("bridge", bridgeName),
    },
  );
  return settle(client, nextCfg, options);
}

/**
 * Remove ports from a bridge in one transaction (`ovs-vsctl del-port`); OVSDB garbage-collects the
 * unreferenced Port and Interface rows. Names that are not ports of that bridge are ignored, so
 * deleting twice is harmless.
 */
export async function deletePorts(
  client: OvsdbClient,
  bridgeName: string,
  portNames: readonly string[],
  options: WaitOptions,
): Promise<number> {
  const [bridge] = await client.select("Bridge", [["name", "==", bridgeName]], ["ports"]);
  const onBridge = new Set(decodeSet(bridge?.ports).map(decodeUuid));
  const lookups: Operation[] = portNames.map((name) => ({
    op: "select",
    table: "Port",
    where: [["name", "==", name]],
    columns: ["_uuid"],
  }));
  const found = lookups.length ? await client.transact(lookups) : [];
  const doomed = found
    .flatMap((r) => r.rows ?? [])
    .map((row) => decodeUuid(row._uuid))
    .filter((u) => onBridge.has(u));
  const ops: Operation[] = [
    {
      op: "mutate",
      table: "Bridge",
      where: [["name", "==", bridgeName]],
      mutations: [["ports", "delete", set(doomed.map(uuid))]],
    },
  ];
  const nextCfg = await commitWithCfg(client, ops, `del-port ${bridgeName} ${portNames.join(" ")}`);
  return settle(client, nextCfg, options);
}

/**
 * Delete bridges in one transaction (`ovs-vsctl del-br`): they leave the root row's `bridges`, and
 * OVSDB garbage-collects them with their ports and interfaces. Unknown names are ignored.
 */
export async function deleteBridges(
  client: OvsdbClient,
  names: readonly string[],
  options: WaitOptions,
): Promise<number> {
  const wanted = new Set(names);
  const rows = await client.select("Bridge", [], ["_uuid", "name"]);
  const doomed = rows.filter((r) => wanted.has(String(r.name))).map((r) => uuid(decodeUuid(r._uuid)));
  const ops: Operation[] = [
    { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["bridges", "delete", set(doomed)]] },
  ];
  const nextCfg = await commitWithCfg(client, ops, `del-br ${names.join(" ")}`);
  return settle(client, nextCfg, options);
}

/**
 * Give existing bridges their OpenFlow settings, in one transaction (like `ovs-vsctl set bridge …
 * -- set-controller …`): every setting replaced, so the same call twice changes nothing.
 */
export async function setBridgesOpenflow(
  client: OvsdbClient,
  bridges: readonly { name: string; openflow: OpenFlowColumns }[],
  options: WaitOptions,
): Promise<number> {
  const ops: Operation[] = [];
  const guards: Record<number, (cause: unknown) => NslabError> = {};
  bridges.forEach((b, i) => {
    guards[ops.length] = notFound("bridge", b.name);
    ops.push(requireRowOp("Bridge", b.name), ...setOpenflowOps(b.name, b.openflow, `s${i}`));
  });
  const what = `set bridge ${bridges.map((b) => b.name).join(" ")} (OpenFlow)`;
  return settle(client, await commitWithCfg(client, ops, what, guards), options);
}

/** Set (or with null, clear) a port's access VLAN (`ovs-vsctl set port NAME tag=N` / `clear port NAME tag`). */
export async function setPortTag(
  client: OvsdbClient,
  portName: string,
  tag: number | null,
  options: WaitOptions = { wait: false },
): Promise<number> {
  const ops: Operation[] = [
    requireRowOp("Port", portName),
    { op: "update", table: "Port", where: [["name", "==", portName]], row: { tag: optional(tag) } },
  ];
  const nextCfg = await commitWithCfg(client, ops, `set port ${portName} tag=${tag ?? "[]"}`, {
    0: notFound("port", portName),
  });
  return settle(client, nextCfg, options);
}

/**
 * Make sure the Open_vSwitch table has its one root row, like `ovs-vsctl --no-wait init`: insert an
 * empty row only if the table is empty (checked atomically in the same transaction).
 */
export async function ensureRootRow(client: OvsdbClient): Promise<{ uuid: string; created: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [existing] = await client.select("Open_vSwitch", [], ["_uuid"]);
    if (existing) return { uuid: decodeUuid(existing._uuid), created: false };
    try {
      const [, inserted] = await client.transact([
        {
          op: "wait",
          table: "Open_vSwitch",
          where: [],
          columns: ["_uuid"],
          until: "==",
          rows: [],
          timeout: 0,
        },
        { op: "insert", table: "Open_vSwitch", row: {} },
        { op: "comment", comment: "nslab: init" },
      ]);
      return { uuid: decodeUuid(inserted?.uuid), created: true };
    } catch (e) {
      if (!isGuardFailure(e, 0)) throw e; // someone else inserted it meanwhile: read it back
    }
  }
  throw new NslabError("E_OVSDB", "could not create or read the Open_vSwitch root row");
}

// ---------------------------------------------------------------------------------------------

/** Append the Interface and Port inserts for `p`; returns the Port's named-uuid reference. */
function pushPort(ops: Operation[], p: PortSpec, key: string): Atom {
  const iface: Row = { name: p.name };
  if (p.type) iface.type = p.type;
  if (p.options && Object.keys(p.options).length) iface.options = map(p.options);
  if (p.ofport !== undefined) iface.ofport_request = p.ofport;
  ops.push({ op: "insert", table: "Interface", row: iface, "uuid-name": `i${key}` });
  const port: Row = { name: p.name, interfaces: namedUuid(`i${key}`) };
  if (Object.keys(p.externalIds).length) port.external_ids = map(p.externalIds);
  if (p.tag !== undefined) port.tag = p.tag;
  ops.push({ op: "insert", table: "Port", row: port, "uuid-name": `p${key}` });
  return namedUuid(`p${key}`);
}

/** Fails (error "timed out") unless the Open_vSwitch table has a row. Always op 0 where used. */
function requireRootRowOp(): Operation {
  return {
    op: "wait",
    table: "Open_vSwitch",
    where: [],
    columns: ["_uuid"],
    until: "!=",
    rows: [],
    timeout: 0,
  };
}

/** Fails (error "timed out") unless `table` has a row named `name`. */
function requireRowOp(table: string, name: string): Operation {
  return {
    op: "wait",
    table,
    where: [["name", "==", name]],
    columns: ["name"],
    until: "==",
    rows: [{ name }],
    timeout: 0,
  };
}

/** Run `ops` + bump and read back `next_cfg` + a comment; turn failed guards into clear errors. */
async function commitWithCfg(
  client: OvsdbClient,
  ops: Operation[],
  what: string,
  guards: Record<number, (cause: unknown) => NslabError> = {},
): Promise<number> {
  const all: Operation[] = [...ops, ...nextCfgOps(), { op: "comment", comment: `nslab: ${what}` }];
  try {
    const results = await client.transact(all);
    return readNextCfg(results, ops.length + 1);
  } catch (e) {
    if (isGuardFailure(e, 0) && ops[0] && isRootGuard(ops[0])) {
      throw new NslabError("E_ENV", "the Open_vSwitch table has no root row", {
        hint: "initialise the database first (ensureRootRow, or: ovs-vsctl --no-wait init)",
        cause: e,
      });
    }
    for (const [index, error] of Object.entries(guards)) {
      if (isGuardFailure(e, Number(index))) throw error(e);
    }
    throw e;
  }
}

async function settle(client: OvsdbClient, nextCfg: number, options: WaitOptions): Promise<number> {
  if (options.wait) await client.waitForCfg(nextCfg, options.timeoutMs);
  return nextCfg;
}

function isGuardFailure(e: unknown, index: number): boolean {
  return e instanceof OvsdbError && e.opIndex === index && e.op?.op === "wait" && e.error === "timed out";
}

function isRootGuard(op: Operation): boolean {
  return op.op === "wait" && op.table === "Open_vSwitch" && op.until === "!=";
}

function notFound(kind: string, name: string): (cause: unknown) => NslabError {
  return (cause) => new NslabError("E_NOT_FOUND", `no OVS ${kind} named '${name}'`, { cause });
}
