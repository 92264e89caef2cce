/**
 * The problems `status` sees in a lab's own kernel objects (from the node reports it observed):
 * a node missing, an interface missing or not attached to its bridge, an interface down or without
 * carrier, an address written for a namespace's interface missing from it, a route of a namespace
 * missing from its main table. Each says what, where, and the command that repairs it. Pure: no I/O.
 */
import type { HealthProblem } from "../engine/health-types.js";
import { formatCidr } from "../model/ip.js";
import type { Topology } from "../model/types.js";
import type { InterfaceReport, NodeReport } from "./report.js";

const CHECK = "kernel";

/**
 * The kernel problems of lab `lab` from its node reports. `ovsReadable`: OVSDB answered (when it did
 * not, OVS bridges and ports cannot be seen, and the Open vSwitch check says why instead).
 */
export function kernelProblems(
  lab: string,
  topology: Topology,
  nodes: readonly NodeReport[],
  repair: string,
  ovsReadable: boolean,
): HealthProblem[] {
  const out: HealthProblem[] = [];
  const fixMissing = `${repair} (re-creates what is missing, in place)`;
  nodes.forEach((n, k) => {
    const node = topology.nodes[k];
    const written = node?.interfaces ?? [];
    const before = out.length;
    if (n.kind === "ovs-bridge" && !ovsReadable) return;
    const where = `node ${n.name}`;
    if (!n.present) {
      out.push({ what: `${objectOf(n)} is missing`, where, fix: fixMissing, check: CHECK });
      return; // its interfaces went with it
    }
    n.interfaces.forEach((i, j) => {
      const endpoint = `${n.name}:${written[j]?.name ?? i.name}`;
      const at = `${where}, interface ${i.name}`;
      if (i.operstate === "ABSENT")
        out.push({ what: `interface ${i.name} is missing`, where: at, fix: fixMissing, check: CHECK });
      else if (!i.present)
        out.push({
          what: `interface ${i.name} is not a port of ${objectOf(n)}`,
          where: at,
          fix: fixMissing,
          check: CHECK,
        });
      else {
        if (!i.up) out.push(downProblem(lab, endpoint, i, at, repair));
        // A namespace's addresses as written (root addresses are made with their device).
        if (n.kind === "netns")
          for (const cidr of (written[j]?.addresses ?? []).map(formatCidr))
            if (!i.addresses.includes(cidr))
              out.push({ what: `address ${cidr} is missing`, where: at, fix: fixMissing, check: CHECK });
      }
    });
    // Routes as written, as `up` would see them there (its destination, and gateway when written) —
    // judged only with the node's interfaces well: an interface taken down takes its routes along,
    // and bringing it up (its fix) restores them.
    if (node?.kind === "netns" && out.length === before)
      for (const r of node.routes)
        if (!n.routes.some((o) => o.dst === r.to && (r.via === undefined || o.via === r.via)))
          out.push({
            what: `route to ${r.to}${r.via !== undefined ? ` via ${r.via}` : ""} is missing`,
            where,
            fix: fixMissing,
            check: CHECK,
          });
  });
  return out;
}

function downProblem(
  lab: string,
  self: string,
  i: InterfaceReport,
  where: string,
  repair: string,
): HealthProblem {
  if (!i.adminUp)
    return {
      what: `interface ${i.name} is administratively down`,
      where,
      fix: `nslab link ${lab} ${self} up (or: ${repair})`,
      check: CHECK,
    };
  return {
    // (Its operational state lags its carrier: just lost, it may still read UP.)
    what: `interface ${i.name} has no carrier${i.operstate === "UP" ? "" : ` (${i.operstate})`}${i.peer ? `: its peer ${i.peer} is down or missing` : ""}`,
    where,
    fix: i.peer ? `bring the peer up: nslab link ${lab} ${i.peer} up (or: ${repair})` : repair,
    check: CHECK,
  };
}

function objectOf(n: NodeReport): string {
  if (n.kind === "netns") return `namespace ${n.kernelName}`;
  if (n.kind === "bridge") return `bridge ${n.kernelName}`;
  return `OVS bridge ${n.kernelName}`;
}
