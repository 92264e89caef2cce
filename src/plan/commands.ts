/**
 * Each operation as the classic commands that do the same thing (`ip`, `ovs-vsctl`, `sysctl`,
 * `ethtool`). `nslab plan` prints these, and the iproute2 driver runs exactly these.
 */
import { formatDuration, formatRate } from "../model/shaping.js";
import { type Command, ip } from "./command.js";
import { fwCommands } from "./fw-commands.js";
import { attachmentCommands } from "./host-commands.js";
import { isNodeEnvOp, nodeEnvCommands } from "./node-env-commands.js";
import { labOfMarker, type Op, type OpOf, OVS_LAB_KEY, type Qdisc, type VethEnd } from "./ops.js";

export type { Command } from "./command.js";

const vsctl = (...args: string[]): Command => ({ tool: "ovs-vsctl", ns: null, args });
const ofctl = (protocols: readonly string[], ...args: string[]): Command => ({
  tool: "ovs-ofctl",
  ns: null,
  args: [...(protocols.length > 0 ? ["-O", protocols.join(",")] : []), ...args],
});

/** The commands equivalent to `op`, in order. */
export function opCommands(op: Op): Command[] {
  if (isNodeEnvOp(op)) return nodeEnvCommands(op);
  switch (op.op) {
    case "netns.add":
      return [
        ip(null, "netns", "add", op.ns),
        ip(op.ns, "link", "set", "dev", "lo", "alias", op.marker),
        ip(op.ns, "link", "set", "dev", "lo", "up"),
      ];
    case "netns.del":
      return [ip(null, "netns", "del", op.ns)];
    case "bridge.add":
      return [
        ip(
          null,
          "link",
          "add",
          "name",
          op.dev,
          "group",
          String(op.group),
          ...(op.mtu !== undefined ? ["mtu", String(op.mtu)] : []),
          "type",
          "bridge",
          ...(op.stp ? ["stp_state", "1"] : []),
        ),
      ];
    case "veth.add":
      return [
        ip(
          null,
          "link",
          "add",
          ...vethArgs(op.a, op.group),
          "type",
          "veth",
          "peer",
          ...vethArgs(op.b, op.group),
        ),
      ];
    case "link.ipv6off":
      // The path form: interface names may contain '.', the dotted form's separator.
      return [{ tool: "sysctl", ns: null, args: ["-qw", `net/ipv6/conf/${op.dev}/disable_ipv6=1`] }];
    case "link.set":
      return [
        ip(
          null,
          "link",
          "set",
          "dev",
          op.dev,
          "alias",
          op.alias,
          ...(op.master ? ["master", op.master] : []),
          "up",
        ),
      ];
    case "link.delgroup":
      return [
        ...(op.adopt ?? []).map((dev) => ip(null, "link", "set", "dev", dev, "group", String(op.group))),
        ip(null, "link", "del", "group", String(op.group)),
      ];
    case "link.del":
      return [ip(op.ns, "link", "del", "dev", op.dev)];
    case "link.addrgen.none":
      return [ip(op.ns, "link", "set", "dev", op.dev, "addrgenmode", "none")];
    case "link.up":
      return [ip(op.ns, "link", "set", "dev", op.dev, "up")];
    case "link.down":
      return [ip(op.ns, "link", "set", "dev", op.dev, "down")];
    case "link.master":
      return [ip(null, "link", "set", "dev", op.dev, "master", op.master)];
    case "addr.add":
    case "addr.del":
      return [
        ip(
          op.ns,
          "addr",
          op.op === "addr.add" ? "add" : "del",
          op.cidr,
          "dev",
          op.dev,
          ...(op.cidr.includes(":") && op.op === "addr.add" ? ["nodad"] : []),
        ),
      ];
    case "route.add":
    case "route.del":
      return [
        ip(
          op.ns,
          "route",
          op.op === "route.add" ? "add" : "del",
          op.to === "0.0.0.0/0" ? "default" : op.to,
          ...(op.via !== undefined ? ["via", op.via] : []),
          ...(op.dev !== undefined ? ["dev", op.dev] : []),
          ...(op.metric !== undefined ? ["metric", String(op.metric)] : []),
        ),
      ];
    case "sysctl.set":
      return [{ tool: "sysctl", ns: op.ns, args: ["-qw", `${op.key}=${op.value}`] }];
    case "offload.off":
      return [{ tool: "ethtool", ns: op.ns, args: ["-K", op.dev, "tx", "off"] }];
    case "vxlan.add":
      return [
        ip(
          null,
          "link",
          "add",
          "name",
          op.dev,
          ...(op.ns !== null ? ["netns", op.ns] : []),
          "group",
          String(op.group),
          ...(op.mtu !== undefined ? ["mtu", String(op.mtu)] : []),
          ...(op.mac !== undefined ? ["address", op.mac] : []),
          "type",
          "vxlan",
          "id",
          String(op.vni),
          "local",
          op.local,
          "remote",
          op.remote,
          "dstport",
          String(op.port),
          ...(op.underlay !== undefined ? ["dev", op.underlay] : []),
          "nolearning",
        ),
      ];
    case "link.gro.off":
      return [{ tool: "ethtool", ns: op.ns, args: ["-K", op.dev, "gro", "off"] }];
    case "qdisc.set":
      return [
        { tool: "tc", ns: op.ns, args: ["qdisc", "replace", "dev", op.dev, "root", ...qdiscArgs(op.qdisc)] },
      ];
    case "ovs.bridge.add":
      return [
        vsctl(
          "add-br",
          op.bridge,
          "--",
          "set",
          "bridge",
          op.bridge,
          `datapath_type=${op.datapath}`,
          `external_ids:${OVS_LAB_KEY}=${labOfMarker(op.marker) ?? op.marker}`,
          ...(op.stp ? ["stp_enable=true"] : []),
        ),
      ];
    case "ovs.bridge.del":
      return [vsctl("del-br", op.bridge)];
    case "ovs.port.add":
      return [
        vsctl(
          "add-port",
          op.bridge,
          op.port,
          "--",
          "set",
          "port",
          op.port,
          `external_ids:${OVS_LAB_KEY}=${labOfMarker(op.marker) ?? op.marker}`,
          ...(op.tag !== undefined ? [`tag=${op.tag}`] : []),
          ...(op.ofport !== undefined
            ? ["--", "set", "interface", op.port, `ofport_request=${op.ofport}`]
            : []),
        ),
      ];
    case "ovs.port.del":
      return [vsctl("del-port", op.bridge, op.port)];
    case "ovs.bridge.set":
      return [vsctl(...bridgeSettingsArgs(op))];
    case "ovs.flow.add":
      return [ofctl(op.protocols, "add-flow", op.bridge, op.flow)];
    case "ovs.flow.del":
      return [ofctl(op.protocols, "--strict", "del-flows", op.bridge, op.match)];
    case "neigh.add":
      return [ip(op.ns, "neigh", "replace", op.address, "lladdr", op.mac, "dev", op.dev, "nud", "permanent")];
    case "neigh.del":
      return [ip(op.ns, "neigh", "del", op.address, "dev", op.dev)];
    case "macvlan.add":
    case "dummy.add":
    case "root.addr.add":
    case "root.addr.del":
    case "phys.move":
    case "phys.return":
      return attachmentCommands(op);
    default:
      return fwCommands(op);
  }
}

/** `ovs-vsctl` arguments that give a bridge exactly these OpenFlow settings (one transaction). */
function bridgeSettingsArgs(op: OpOf<"ovs.bridge.set">): string[] {
  const b = op.bridge;
  const inband = op.controllers.length > 0;
  return [
    "set",
    "bridge",
    b,
    `fail_mode=${op.failMode}`,
    `protocols=${op.protocols.length > 0 ? op.protocols.join(",") : "[]"}`,
    ...(op.dpid !== undefined ? [`other_config:datapath-id=${op.dpid}`] : []),
    ...(inband ? ["other_config:disable-in-band=true"] : []),
    ...(op.dpid === undefined ? ["--", "remove", "bridge", b, "other_config", "datapath-id"] : []),
    ...(inband ? [] : ["--", "remove", "bridge", b, "other_config", "disable-in-band"]),
    ...(inband
      ? [
          "--",
          "set-controller",
          b,
          ...op.controllers,
          "--",
          "set",
          "controller",
          b,
          `max_backoff=${MAX_BACKOFF_MS}`,
        ]
      : ["--", "del-controller", b]),
  ];
}

/** How long OVS waits at most between attempts to reach a controller (ms; Mininet's reconnectms). */
export const MAX_BACKOFF_MS = 1000;

function vethArgs(e: VethEnd, group: number): string[] {
  return [
    "name",
    e.name,
    ...(e.ns !== null ? ["netns", e.ns] : []),
    "group",
    String(group),
    ...(e.mtu !== undefined ? ["mtu", String(e.mtu)] : []),
    ...(e.mac !== undefined ? ["address", e.mac] : []),
    ...(e.master !== undefined ? ["master", e.master] : []),
    ...(e.up ? ["up"] : []),
  ];
}

/** tc's words for a qdisc: `tbf rate 10mbit burst 32768 latency 50ms`, `netem delay 20ms 2ms loss 1%`. */
export function qdiscArgs(q: Qdisc): string[] {
  if (q.kind === "noqueue") return ["noqueue"];
  if (q.kind === "tbf")
    return ["tbf", "rate", formatRate(q.rateBps), "burst", String(q.burst), "latency", `${q.latencyMs}ms`];
  return [
    "netem",
    ...(q.delayUs !== undefined
      ? [
          "delay",
          formatDuration(q.delayUs),
          ...(q.jitterUs !== undefined ? [formatDuration(q.jitterUs)] : []),
        ]
      : []),
    ...(q.lossPct !== undefined ? ["loss", `${q.lossPct}%`] : []),
    ...(q.rateBps !== undefined ? ["rate", formatRate(q.rateBps)] : []),
  ];
}

/** The full argv of a command as a user would type it (`ip -n ns1 …`, `ip netns exec ns1 sysctl …`). */
export function commandArgv(c: Command): string[] {
  if (c.tool === "ip") return c.ns === null ? ["ip", ...c.args] : ["ip", "-n", c.ns, ...c.args];
  if (c.tool === "tc") return c.ns === null ? ["tc", ...c.args] : ["tc", "-n", c.ns, ...c.args];
  if (c.ns === null) return [c.tool, ...c.args];
  return ["ip", "netns", "exec", c.ns, c.tool, ...c.args];
}
