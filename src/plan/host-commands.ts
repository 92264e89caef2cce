/**
 * The commands of the operations that reach outside the lab's namespaces: macvlan and dummy
 * interfaces, root-namespace addresses on the lab's own devices, and borrowing a host interface
 * (moving it into a node) and giving it back as it was. Pure.
 */
import { type Command, ip } from "./command.js";
import type { SavedRoute } from "./host-devices.js";
import type { OpOf } from "./ops.js";

type AttachmentOp = OpOf<
  "macvlan.add" | "dummy.add" | "root.addr.add" | "root.addr.del" | "phys.move" | "phys.return"
>;

/** `ip -n NS link set dev X netns 1`: pid 1's namespace, the host's (`ip` enters NS, the pid stays ours). */
const HOST_NETNS_PID = "1";

/** The commands of `op`, in order. */
export function attachmentCommands(op: AttachmentOp): Command[] {
  switch (op.op) {
    case "macvlan.add":
      return [
        ip(null, "link", "add", "link", op.parent, ...createArgs(op), "type", "macvlan", "mode", op.mode),
      ];
    case "dummy.add":
      return [ip(null, "link", "add", ...createArgs(op), "type", "dummy")];
    case "root.addr.add":
    case "root.addr.del":
      return [
        ip(
          null,
          "addr",
          op.op === "root.addr.add" ? "add" : "del",
          op.cidr,
          "dev",
          op.dev,
          ...(op.cidr.includes(":") && op.op === "root.addr.add" ? ["nodad"] : []),
        ),
      ];
    case "phys.move":
      return [
        ip(null, "link", "set", "dev", op.dev, "alias", op.marker),
        ip(null, "link", "set", "dev", op.dev, "netns", op.ns, "name", op.name),
        ...(op.mtu !== undefined || op.mac !== undefined
          ? [
              ip(
                op.ns,
                "link",
                "set",
                "dev",
                op.name,
                ...(op.mtu !== undefined ? ["mtu", String(op.mtu)] : []),
                ...(op.mac !== undefined ? ["address", op.mac] : []),
              ),
            ]
          : []),
      ];
    case "phys.return":
      return returnCommands(op);
  }
}

/** Name, namespace, group and settings of a created interface (`up` last, as `ip link add` takes it). */
function createArgs(op: OpOf<"macvlan.add" | "dummy.add">): string[] {
  return [
    "name",
    op.name,
    "netns",
    op.ns,
    "group",
    String(op.group),
    ...(op.mtu !== undefined ? ["mtu", String(op.mtu)] : []),
    ...(op.mac !== undefined ? ["address", op.mac] : []),
    ...(op.up ? ["up"] : []),
  ];
}

/** Out of the node (down first, so nothing is sent meanwhile), then everything as it was. */
function returnCommands(op: OpOf<"phys.return">): Command[] {
  const s = op.saved;
  const name = s.name;
  const out: Command[] = [];
  if (op.ns !== null) {
    out.push(ip(op.ns, "link", "set", "dev", op.dev, "down"));
    out.push(ip(op.ns, "link", "set", "dev", op.dev, "netns", HOST_NETNS_PID, "name", name));
  } else if (op.dev !== name) {
    out.push(ip(null, "link", "set", "dev", op.dev, "down"));
    out.push(ip(null, "link", "set", "dev", op.dev, "name", name));
  }
  out.push(
    ip(
      null,
      "link",
      "set",
      "dev",
      name,
      "mtu",
      String(s.mtu),
      ...(op.restoreMac && s.mac ? ["address", s.mac] : []),
      "alias",
      s.alias ?? "",
    ),
  );
  for (const a of s.addresses)
    out.push(
      ip(
        null,
        "addr",
        "add",
        a.cidr,
        ...(a.broadcast ? ["broadcast", a.broadcast] : []),
        ...(a.label ? ["label", a.label] : []),
        ...(a.noprefixroute ? ["noprefixroute"] : []),
        "dev",
        name,
        ...(a.cidr.includes(":") ? ["nodad"] : []),
      ),
    );
  if (s.up) out.push(ip(null, "link", "set", "dev", name, "up"));
  for (const r of s.routes) out.push(ip(null, ...routeArgs(r, name)));
  return out;
}

/** `route add …` re-creating a saved route on device `dev`. */
export function routeArgs(r: SavedRoute, dev: string): string[] {
  return [
    ...(r.family === 6 ? ["-6"] : []),
    "route",
    "add",
    r.dst,
    ...(r.gateway ? ["via", r.gateway] : []),
    "dev",
    dev,
    ...(r.onlink ? ["onlink"] : []),
    ...(r.table ? ["table", r.table] : []),
    ...(r.metric !== undefined ? ["metric", String(r.metric)] : []),
    ...(r.protocol ? ["proto", r.protocol] : []),
    ...(r.scope ? ["scope", r.scope] : []),
    ...(r.prefsrc ? ["src", r.prefsrc] : []),
  ];
}
