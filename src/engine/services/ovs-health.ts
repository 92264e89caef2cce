/**
 * Open vSwitch's part of a lab's health: both daemons alive (ovsdb-server answers; ovs-vswitchd — the
 * switch itself, which with the userspace datapath *is* the datapath — is a live process), and each
 * of the lab's bridges and ports present in the datapath. ovs-vswitchd writes what it could add to
 * the datapath into OVSDB (Interface `ofport`: -1 when it could not; `error`: why): that is the truth
 * while it runs. After it died those columns keep their last values (and the bridges' tap devices
 * stay), so they are read only when it is alive. One OVSDB read (shared with `status`) and a few
 * files in /proc per lab: nothing per node.
 */
import {
  type BridgeInfo,
  type DaemonState,
  daemonState,
  ovsDbSocket,
  ovsRuntimePaths,
} from "../../drivers/ovs/index.js";
import type { OvsBridgeNode } from "../../model/types.js";
import type { HealthProblem, LabHealthContext } from "../health-types.js";

const CHECK = "Open vSwitch";
const WHERE = "Open vSwitch on this host";

/** The problems of lab `ctx.lab`'s OVS bridges; `vswitchd` is read from its pidfile unless given (tests). */
export async function ovsLabHealth(
  ctx: LabHealthContext,
  vswitchd: DaemonState = daemonState(ovsRuntimePaths().runDir, "ovs-vswitchd"),
): Promise<HealthProblem[]> {
  const bridges = ctx.record.topology.nodes.filter((n): n is OvsBridgeNode => n.kind === "ovs-bridge");
  if (bridges.length === 0) return [];
  const names = bridges.map((b) => b.ifname);
  const on = `${names.length === 1 ? "bridge" : "bridges"} ${names.join(", ")}`;
  const problems: HealthProblem[] = [];
  const seen = ctx.ovsBridges;
  if (seen === undefined || seen instanceof Error)
    problems.push({
      what: `ovsdb-server (the Open vSwitch database) does not answer on ${ovsDbSocket(ovsRuntimePaths())}${seen ? ` (${seen.message})` : ""}: the lab's ${on} cannot be read or changed`,
      where: WHERE,
      fix: `${ctx.repair} (starts it again)`,
      check: CHECK,
    });
  if (vswitchd.state !== "running") {
    problems.push({
      what: `ovs-vswitchd (the Open vSwitch switch) ${vswitchdWhy(vswitchd)}: the lab's ${on} ${names.length === 1 ? "forwards" : "forward"} nothing`,
      where: WHERE,
      fix:
        vswitchd.state === "stopped"
          ? `let it run again: kill -CONT ${vswitchd.pid}`
          : `${ctx.repair} (starts ovs-vswitchd again; it puts the bridges and ports back into the datapath)`,
      check: CHECK,
    });
    return problems; // what OVSDB says of the datapath is stale without it
  }
  if (!Array.isArray(seen)) return problems;
  const byName = new Map((seen as readonly BridgeInfo[]).map((b) => [b.name, b]));
  for (const node of bridges) {
    const info = byName.get(node.ifname);
    if (!info) continue; // a missing bridge is the kernel check's ("node … is missing")
    for (const port of [node.ifname, ...node.interfaces.map((i) => i.ifname)]) {
      // A port missing from the bridge is the kernel check's too; here: rows ovs-vswitchd rejected.
      const iface = info.ports.find((p) => p.name === port)?.interfaces.find((i) => i.name === port);
      // ofport: -1 (rejected) or never set (the bridge itself could not be opened) while ovs-vswitchd runs.
      if (!iface || (iface.ofport !== null && iface.ofport !== -1 && !iface.error)) continue;
      problems.push({
        what:
          port === node.ifname
            ? `bridge ${port} is not in the datapath: ${iface.error ?? "ovs-vswitchd could not create it (see its log)"}`
            : `port ${port} is not in the datapath: ${iface.error ?? "ovs-vswitchd could not add it (ofport -1)"}`,
        where: `node ${node.name}${port === node.ifname ? "" : `, port ${port}`}`,
        fix: `${ctx.repair} (re-creates what is missing; ovs-vswitchd adds a port as soon as its device exists)`,
        check: CHECK,
      });
    }
  }
  return problems;
}

function vswitchdWhy(d: DaemonState): string {
  if (d.state === "zombie")
    return `is not running (process ${d.pid} ended and is a zombie nobody has reaped)`;
  if (d.state === "stopped") return `is stopped (process ${d.pid} got SIGSTOP)`;
  return d.pid === null ? "is not running" : `is not running (process ${d.pid} is gone)`;
}
