/**
 * Which top-level kernel/OVS objects a list of operations creates: the lab's ownership record.
 * Everything else a lab makes lives inside one of these (a namespace, a bridge) and goes with it.
 * Host interfaces it borrows are recorded too, with how they were (to give them back).
 */
import type { HostDevice } from "../plan/host-devices.js";
import { forwardingKey, natUplinks, natUplinksByNode } from "../plan/nat.js";
import { labOfMarker, type Op } from "../plan/ops.js";
import { type LabState, type OwnedObject, readLab } from "../state/store.js";

/** The objects `ops` create, in creation order, without duplicates. */
export function createdObjects(ops: readonly Op[]): OwnedObject[] {
  const out: OwnedObject[] = [];
  const seen = new Set<string>();
  const add = (o: OwnedObject) => {
    const key = `${o.kind}/${o.name}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(o);
    }
  };
  for (const op of ops) {
    if (op.op === "netns.add") add({ kind: "netns", name: op.ns });
    else if (op.op === "bridge.add") add({ kind: "link", name: op.dev });
    else if (op.op === "veth.add") {
      for (const end of [op.a, op.b]) if (end.ns === null) add({ kind: "link", name: end.name });
    } else if (op.op === "vxlan.add") {
      if (op.ns === null) add({ kind: "link", name: op.dev });
    } else if (op.op === "ovs.bridge.add") add({ kind: "ovs-bridge", name: op.bridge });
    else if (op.op === "labfs.mount") add({ kind: "labfs", name: op.path });
    else if (op.op === "etcnetns.add") add({ kind: "etc-netns", name: op.ns });
    // The lab's part of the host firewall: its root tables and its accepts in the host's chains.
    else if (op.op === "fw.accept" || (op.op === "nft.table.add" && op.ns === null)) {
      const lab = labOfMarker(op.comment);
      if (lab) add({ kind: "firewall", name: lab });
    } else if (op.op === "phys.move")
      add({
        kind: "phys",
        name: op.dev,
        ns: op.ns,
        inside: op.name,
        saved: op.saved,
        ...(op.mac !== undefined ? { restoreMac: true as const } : {}),
      });
  }
  return out;
}

/**
 * `record` with what applying `ops` holds of the host beyond the objects it owns: the shared
 * settings (the forwarding of each NAT uplink) and the uplink each NAT node got.
 */
export function withHostSettings(record: LabState, ops: readonly Op[]): LabState {
  const keys = natUplinks(ops).map(forwardingKey);
  const { hostSettings: _h, natUplinks: _n, ...rest } = record;
  if (keys.length === 0) return rest;
  return { ...rest, hostSettings: keys, natUplinks: natUplinksByNode(ops, record.topology) };
}

/**
 * The host interfaces running lab `lab` has borrowed, as they were before (from its record, or
 * `record` when it was read already): a plan of that lab counts them as they were, not as missing
 * from the host.
 */
export function borrowedDevices(lab: string, record?: Pick<LabState, "owned">): Record<string, HostDevice> {
  let owned: OwnedObject[] = record?.owned ?? [];
  if (!record)
    try {
      owned = readLab(lab)?.owned ?? [];
    } catch {
      // an unreadable record: nothing borrowed that a plan could use
    }
  return Object.fromEntries(owned.flatMap((o) => (o.kind === "phys" && o.saved ? [[o.name, o.saved]] : [])));
}
