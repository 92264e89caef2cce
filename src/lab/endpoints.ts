/** The ends of a running lab's links: from `node:interface` as written to where it lives in the kernel. */
import { NslabError } from "../errors.js";
import type { NsName } from "../plan/ops.js";
import { listSome } from "../util/listing.js";
import { checkedName, lookupRecordOf } from "./record.js";

/** Where an endpoint of a running lab lives in the kernel. */
export interface ResolvedEndpoint {
  /** Node and interface as written in the topology. */
  node: string;
  iface: string;
  /** The kernel namespace of the interface (`null`: the root namespace). */
  ns: NsName;
  /** The kernel interface name (prefixed in the root namespace). */
  dev: string;
}

/** Resolve `node:iface` of lab `lab` from its record (E_NOT_FOUND naming what exists). */
export function resolveEndpoint(lab: string, endpoint: string): ResolvedEndpoint {
  const state = lookupRecordOf(lab);
  const [nodeName, ifName, ...rest] = endpoint.split(":");
  if (!nodeName || !ifName || rest.length > 0)
    throw new NslabError("E_USAGE", `'${endpoint}' is not an endpoint; write node:interface, e.g. ns1:veth0`);
  const node = state.topology.nodes.find((n) => n.name === nodeName);
  if (!node)
    throw new NslabError("E_NOT_FOUND", `lab '${lab}' has no node '${nodeName}'`, {
      hint: `its nodes: ${listSome(state.topology.nodes.map((n) => n.name))}`,
    });
  const iface = node.interfaces.find((i) => i.name === ifName);
  if (!iface)
    throw new NslabError("E_NOT_FOUND", `node '${nodeName}' of lab '${lab}' has no interface '${ifName}'`, {
      hint: `its interfaces: ${listSome(node.interfaces.map((i) => i.name)) || "none"}`,
    });
  // What goes into commands, checked as readLab checks a whole record (a namespace's own `lo` too).
  const inNs = node.kind === "netns";
  return {
    node: nodeName,
    iface: ifName,
    ns: inNs ? checkedName(lab, node.netns, "netns") : null,
    dev: inNs && iface.ifname === "lo" ? "lo" : checkedName(lab, iface.ifname, "interface"),
  };
}

/** The other end of the link `endpoint` of lab `lab` is on. */
export function peerEndpoint(lab: string, endpoint: string): ResolvedEndpoint {
  const ep = resolveEndpoint(lab, endpoint);
  const t = lookupRecordOf(lab).topology;
  const link = t.links.find(
    (l) =>
      (l.a.node === ep.node && l.a.iface === ep.iface) || (l.b.node === ep.node && l.b.iface === ep.iface),
  );
  if (!link) throw new NslabError("E_NOT_FOUND", `${endpoint} is not an end of any link of lab '${lab}'`);
  const other = link.a.node === ep.node && link.a.iface === ep.iface ? link.b : link.a;
  return resolveEndpoint(lab, `${other.node}:${other.iface}`);
}
