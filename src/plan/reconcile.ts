/**
 * Reconciling: the operations of a plan whose effect is missing from what the kernel has now.
 * Whatever is (re)created brings along everything that lives inside it; settings are checked one
 * by one (a link down, an address or route missing). A lab's file system mounted anew brings along
 * every node's environment in it (directories and files, mount namespaces, /etc/netns entries).
 * `always` names operations to apply anyway (settings whose value changed, which observation alone
 * cannot tell). Pure.
 */
import type { Observed } from "./observed.js";
import type { Op } from "./ops.js";

export function reconcileOps(
  plan: readonly Op[],
  seen: Observed,
  always: ReadonlySet<string> = new Set(),
  key: (op: Op) => string = (op) => JSON.stringify(op),
): Op[] {
  const freshNs = new Set<string>();
  const freshRoot = new Set<string>();
  const freshLink = new Set<string>(); // ns/dev
  const freshOvs = new Set<string>();
  let freshFs = false; // the lab's file system is mounted anew (it went: a reboot where /run is a disk)
  const linkOf = (ns: string, dev: string) => seen.dumps.get(ns)?.links.find((l) => l.name === dev);
  const endExists = (ns: string | null, dev: string) =>
    ns === null ? seen.rootLinks.has(dev) : !freshNs.has(ns) && !!linkOf(ns, dev);
  const isFresh = (ns: string | null, dev: string) =>
    ns === null ? freshRoot.has(dev) : freshNs.has(ns) || freshLink.has(`${ns}/${dev}`);
  const out: Op[] = [];
  for (const op of plan) {
    // The key (a JSON string of the op by default) only when there is something to look up.
    let take = always.size > 0 && always.has(key(op));
    switch (op.op) {
      case "netns.add":
        if (!seen.netns.has(op.ns)) {
          take = true;
          freshNs.add(op.ns);
        }
        break;
      case "bridge.add":
        if (!seen.rootLinks.has(op.dev)) {
          take = true;
          freshRoot.add(op.dev);
        }
        break;
      case "veth.add":
        if (take || !endExists(op.a.ns, op.a.name) || !endExists(op.b.ns, op.b.name)) {
          take = true;
          for (const e of [op.a, op.b]) {
            if (e.ns === null) freshRoot.add(e.name);
            else freshLink.add(`${e.ns}/${e.name}`);
          }
        }
        break;
      case "macvlan.add":
      case "dummy.add":
      case "phys.move": {
        if (take || freshNs.has(op.ns) || !linkOf(op.ns, op.name)) {
          take = true;
          freshLink.add(`${op.ns}/${op.name}`);
        }
        break;
      }
      case "root.addr.add":
        // Root addresses are not observed: applied with the device they live on.
        take ||= freshRoot.has(op.dev);
        break;
      case "link.master":
      case "link.set": {
        // Root links are finished (alias, bridge, up) when they are created now; a port taken off
        // its bridge since (ip link set … nomaster) is put back.
        const master = op.master;
        take ||=
          freshRoot.has(op.dev) ||
          (master !== undefined &&
            seen.rootMasters !== undefined &&
            seen.rootLinks.has(op.dev) &&
            seen.rootMasters.get(op.dev) !== master);
        break;
      }
      case "link.ipv6off":
        take ||= freshRoot.has(op.dev);
        break;
      case "link.addrgen.none":
        take ||= isFresh(op.ns, op.dev);
        break;
      case "link.up":
        take ||= isFresh(op.ns, op.dev) || (op.ns !== null && linkOf(op.ns, op.dev)?.up === false);
        break;
      case "vxlan.add":
        if (take || !endExists(op.ns, op.dev)) {
          take = true;
          if (op.ns === null) freshRoot.add(op.dev);
          else freshLink.add(`${op.ns}/${op.dev}`);
        }
        break;
      case "offload.off":
      case "link.gro.off":
      case "qdisc.set":
        // Not observed: applied to links created now (and, through `always`, when changed).
        take ||= isFresh(op.ns, op.dev);
        break;
      case "addr.add": {
        // Root addresses live on links of the lab's own: (re)made with them.
        if (op.ns === null) {
          take ||= freshRoot.has(op.dev);
          break;
        }
        const l = linkOf(op.ns, op.dev);
        take ||=
          isFresh(op.ns, op.dev) ||
          !l ||
          !seen.dumps.get(op.ns)!.addrs.some((a) => a.ifindex === l.ifindex && a.cidr === op.cidr);
        break;
      }
      case "route.add":
        take ||=
          freshNs.has(op.ns) ||
          !seen.dumps
            .get(op.ns)
            ?.routes.some((r) => r.dst === op.to && (op.via === undefined || r.gateway === op.via));
        break;
      case "sysctl.set":
        take ||= op.ns === null ? freshRoot.has(op.key.split("/")[3] ?? "") : freshNs.has(op.ns);
        break;
      case "ovs.bridge.add":
        if (!seen.ovs.has(op.bridge)) {
          take = true;
          freshOvs.add(op.bridge);
        }
        break;
      case "ovs.port.add":
        take ||= freshOvs.has(op.bridge) || !seen.ovs.get(op.bridge)?.has(op.port);
        break;
      case "ovs.bridge.set":
      case "ovs.flow.add":
        // Not observed: applied to bridges created now (and, through `always`, when changed).
        take ||= freshOvs.has(op.bridge);
        break;
      case "neigh.add":
        take ||= isFresh(op.ns, op.dev);
        break;
      case "nft.table.add":
      case "nft.chain.add":
        // A node's own tables (a NAT node's masquerade) go with its namespace, and come back with
        // it; the root's are the host firewall's part (firewall-repair.ts reads and restores those).
        take ||= op.ns !== null && freshNs.has(op.ns);
        break;
      case "labfs.mount":
        if (seen.labfs !== undefined && !seen.labfs.has(op.path)) {
          take = true;
          freshFs = true;
        }
        break;
      case "nodefs.dir":
      case "nodefs.file":
      case "nodefs.tree":
      case "mntns.add":
      case "etcnetns.add":
        take ||= freshFs;
        break;
      default:
        break;
    }
    if (take) out.push(op);
  }
  return out;
}
