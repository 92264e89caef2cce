/**
 * The operations that undo applied operations, in reverse order. What lives inside something that
 * is itself being removed (an address in a namespace being deleted, a port of a bridge being
 * deleted) needs no undoing of its own. Settings whose old value is unknown (sysctls, offloads)
 * are not restored: they die with their namespace or link, which is where nslab sets them. A host
 * interface moved into a node is given back, as it was, before its namespace is deleted.
 */
import { flowMatch, plainSettings } from "./openflow.js";
import type { Op } from "./ops.js";

export function inverseOps(applied: readonly Op[]): Op[] {
  const goneNs = new Set<string>();
  const goneRoot = new Set<string>();
  const goneOvs = new Set<string>();
  const goneNsLinks = new Set<string>();
  const goneFs = new Set<string>();
  const goneTables = new Set<string>();
  for (const op of applied) {
    if (op.op === "labfs.mount") goneFs.add(op.path);
    if (op.op === "nft.table.add") goneTables.add(`${op.ns}/${op.family}/${op.table}`);
    if (op.op === "netns.add") goneNs.add(op.ns);
    else if (op.op === "bridge.add") goneRoot.add(op.dev);
    else if (op.op === "ovs.bridge.add") goneOvs.add(op.bridge);
    else if (op.op === "vxlan.add") {
      if (op.ns === null) goneRoot.add(op.dev);
      else goneNsLinks.add(`${op.ns}/${op.dev}`);
    } else if (op.op === "macvlan.add" || op.op === "dummy.add") goneNsLinks.add(`${op.ns}/${op.name}`);
    else if (op.op === "veth.add")
      for (const end of [op.a, op.b]) {
        if (end.ns === null) goneRoot.add(end.name);
        else goneNsLinks.add(`${end.ns}/${end.name}`);
      }
  }
  const out: Op[] = [];
  for (let i = applied.length - 1; i >= 0; i--) {
    const op = applied[i]!;
    const src = op.src ? { src: op.src } : {};
    switch (op.op) {
      case "netns.add":
        out.push({ op: "netns.del", ns: op.ns, ...src });
        break;
      case "bridge.add":
        out.push({ op: "link.del", ns: null, dev: op.dev, ...src });
        break;
      case "veth.add": {
        // Deleting one end deletes the pair; prefer an end that is not going away anyway.
        const end =
          [op.a, op.b].find((e) => e.ns === null) ??
          [op.a, op.b].find((e) => e.ns !== null && !goneNs.has(e.ns));
        if (end) out.push({ op: "link.del", ns: end.ns, dev: end.name, ...src });
        break;
      }
      case "vxlan.add":
        if (op.ns === null || !goneNs.has(op.ns))
          out.push({ op: "link.del", ns: op.ns, dev: op.dev, ...src });
        break;
      case "ovs.bridge.add":
        out.push({ op: "ovs.bridge.del", bridge: op.bridge, ...src });
        break;
      case "ovs.port.add":
        if (!goneOvs.has(op.bridge))
          out.push({ op: "ovs.port.del", bridge: op.bridge, port: op.port, ...src });
        break;
      case "ovs.bridge.set":
        if (!goneOvs.has(op.bridge)) out.push(plainSettings(op));
        break;
      case "ovs.flow.add":
        if (!goneOvs.has(op.bridge))
          out.push({
            op: "ovs.flow.del",
            bridge: op.bridge,
            match: flowMatch(op.flow),
            protocols: op.protocols,
            ...src,
          });
        break;
      case "neigh.add":
        if (!goneNs.has(op.ns) && !goneNsLinks.has(`${op.ns}/${op.dev}`))
          out.push({ op: "neigh.del", ns: op.ns, dev: op.dev, address: op.address, ...src });
        break;
      case "addr.add":
        // A root-namespace address is only ever on a link of the lab's own, which goes with it.
        if (op.ns !== null && !goneNs.has(op.ns) && !goneNsLinks.has(`${op.ns}/${op.dev}`))
          out.push({ op: "addr.del", ns: op.ns, dev: op.dev, cidr: op.cidr, ...src });
        break;
      case "route.add":
        if (!goneNs.has(op.ns) && !(op.dev !== undefined && goneNsLinks.has(`${op.ns}/${op.dev}`))) {
          const { op: _, ...rest } = op;
          out.push({ ...rest, op: "route.del" });
        }
        break;
      case "qdisc.set": {
        // Shaping lives on its link: only a link that stays needs its qdisc removed.
        const gone =
          op.ns === null ? goneRoot.has(op.dev) : goneNs.has(op.ns) || goneNsLinks.has(`${op.ns}/${op.dev}`);
        if (!gone) out.push({ op: "qdisc.set", ns: op.ns, dev: op.dev, qdisc: { kind: "noqueue" }, ...src });
        break;
      }
      case "labfs.mount":
        out.push({ op: "labfs.umount", path: op.path, name: op.name, ...src });
        break;
      case "mntns.add":
        // Kept in the lab's file system: detaching that takes it along.
        if (!goneFs.has(op.labfs)) out.push({ op: "mntns.del", file: op.file, ...src });
        break;
      case "etcnetns.add":
        out.push({ op: "etcnetns.del", ns: op.ns, hosts: op.hosts, ...src });
        break;
      case "nft.table.add":
        if (op.ns === null || !goneNs.has(op.ns))
          out.push({ op: "nft.table.del", ns: op.ns, family: op.family, table: op.table, ...src });
        break;
      case "nft.chain.add":
        if ((op.ns === null || !goneNs.has(op.ns)) && !goneTables.has(`${op.ns}/${op.family}/${op.table}`))
          out.push({
            op: "nft.chain.del",
            ns: op.ns,
            family: op.family,
            table: op.table,
            chain: op.chain,
            ...src,
          });
        break;
      case "nat.masquerade":
        if (!goneTables.has(`null/ip/${op.table}`))
          out.push({ op: "nft.chain.del", ns: null, family: "ip", table: op.table, chain: op.chain, ...src });
        break;
      case "fw.accept": {
        const { op: _, ...rule } = op;
        out.push({ ...rule, op: "fw.delete" });
        break;
      }
      case "macvlan.add":
      case "dummy.add":
        if (!goneNs.has(op.ns)) out.push({ op: "link.del", ns: op.ns, dev: op.name, ...src });
        break;
      case "root.addr.add":
        if (!goneRoot.has(op.dev)) out.push({ op: "root.addr.del", dev: op.dev, cidr: op.cidr, ...src });
        break;
      case "phys.move":
        // Given back before its namespace goes (the namespace's deletion comes later: it was made first).
        out.push({
          op: "phys.return",
          ns: op.ns,
          dev: op.name,
          saved: op.saved,
          ...(op.mac !== undefined ? { restoreMac: true } : {}),
          ...src,
        });
        break;
      default:
        // Node files live in the lab's file system and go with it;
        // link.up/master of links that go away, sysctls and offloads: nothing to undo separately.
        break;
    }
  }
  return out;
}
