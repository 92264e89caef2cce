/**
 * Link faults on a running lab: take one end of a link down or bring it back up (`ip link set …
 * down|up` in the end's namespace). The other end loses carrier, so traffic stops both ways.
 */
import { applyOps } from "../drivers/apply/executor.js";
import { Driver } from "../drivers/driver.js";
import { NslabError } from "../errors.js";
import type { NsName, Op } from "../plan/ops.js";
import { readLab } from "../state/store.js";
import type { CommonOptions } from "./options.js";

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
  const state = readLab(lab);
  if (!state)
    throw new NslabError("E_NOT_FOUND", `no lab named '${lab}' is up`, {
      hint: "list labs with: nslab status",
    });
  const [nodeName, ifName, ...rest] = endpoint.split(":");
  if (!nodeName || !ifName || rest.length > 0)
    throw new NslabError("E_USAGE", `'${endpoint}' is not an endpoint; write node:interface, e.g. ns1:veth0`);
  const node = state.topology.nodes.find((n) => n.name === nodeName);
  if (!node)
    throw new NslabError("E_NOT_FOUND", `lab '${lab}' has no node '${nodeName}'`, {
      hint: `its nodes: ${state.topology.nodes.map((n) => n.name).join(", ")}`,
    });
  const iface = node.interfaces.find((i) => i.name === ifName);
  if (!iface)
    throw new NslabError("E_NOT_FOUND", `node '${nodeName}' of lab '${lab}' has no interface '${ifName}'`, {
      hint: `its interfaces: ${node.interfaces.map((i) => i.name).join(", ") || "none"}`,
    });
  return { node: nodeName, iface: ifName, ns: node.kind === "netns" ? node.netns : null, dev: iface.ifname };
}

/**
 * Set one end (`node:interface`) of a link of lab `lab` administratively up or down, like
 * `ip link set DEV down`; the other end loses carrier, so traffic stops both ways.
 */
export async function setLinkState(
  lab: string,
  endpoint: string,
  state: "up" | "down",
  options: CommonOptions = {},
): Promise<ResolvedEndpoint> {
  const ep = resolveEndpoint(lab, endpoint);
  const driver = new Driver({
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  try {
    const op: Op = { op: state === "up" ? "link.up" : "link.down", ns: ep.ns, dev: ep.dev };
    const report = await applyOps([op], driver.route, { mode: "stop" });
    if (report.error) throw report.error;
    return ep;
  } finally {
    await driver.close();
  }
}
