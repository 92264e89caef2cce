/**
 * The nsagent wire protocol: request types, their serialization to TAB-separated lines and reply
 * parsing; the data of each kind of reply is read in reply-data.ts. Pure functions only; the
 * process lives in client.ts.
 */
import { constants } from "node:os";

export type {
  DumpAddr,
  DumpLink,
  DumpLinkStats,
  DumpOperstate,
  DumpRoute,
  NsDump,
} from "../../plan/observed.js";

/** Optional route fields travel as `-`. */
const ABSENT = "-";

/** One request to the agent. Interface names (`dev`) resolve in the agent's current namespace. */
export type AgentCommand =
  /** Return to the namespace the agent started in. */
  | { op: "root" }
  /** Enter `/run/netns/<ns>`; a failure refuses namespace-scoped commands until `root`/`ns` succeeds. */
  | { op: "ns"; ns: string }
  /** `ip netns add <ns>`, with `lo` up and aliased `marker` before the name is visible; ends in root. */
  | { op: "mkns"; ns: string; marker: string }
  /** `ip netns del <ns>`; errno ENOENT when it does not exist. */
  | { op: "delns"; ns: string }
  /**
   * `ip netns del <ns>` only if the namespace's `lo` carries the alias `marker` (checked inside it
   * just before); errno EPERM, naming the alias found, when it does not. Ends in root.
   */
  | { op: "delown"; ns: string; marker: string }
  /** `ip link set <dev> up`. */
  | { op: "up"; dev: string }
  /** `ip link set <dev> addrgenmode <mode>` (IPv6 address generation; `none`: no link-local). */
  | { op: "addrgen"; dev: string; mode: "eui64" | "none" | "stable_secret" | "random" }
  /** `ip link set <dev> down`. */
  | { op: "down"; dev: string }
  /** `ip link set <dev> alias <alias>` (≤ 255 bytes; empty removes it). */
  | { op: "alias"; dev: string; alias: string }
  /**
   * `ip link add name <a.name> [netns <a.ns>] group <group> … type veth peer name <b.name> …`: a
   * veth pair, each end made in its namespace (none: the current one); an end with a master stays
   * in the current namespace.
   */
  | { op: "vethadd"; group: number; a: AgentVethEnd; b: AgentVethEnd }
  /** `ip link add name <dev> group <group> [mtu <mtu>] type bridge [stp_state 1]`. */
  | { op: "bridgeadd"; dev: string; group: number; mtu?: number; stp: boolean }
  /** `ip link set <dev> alias <alias> [master <master>] up`, in one request. */
  | { op: "linkset"; dev: string; alias: string; master?: string }
  /** `ip link set <dev> mtu <mtu>`. */
  | { op: "mtu"; dev: string; mtu: number }
  /** `ip link set <dev> address <mac>` (`aa:bb:cc:dd:ee:ff`). */
  | { op: "mac"; dev: string; mac: string }
  /** `ip addr add <cidr> dev <dev>` (IPv6 with `nodad`). */
  | { op: "addr"; dev: string; cidr: string }
  /** `ip addr del <cidr> dev <dev>`. */
  | { op: "deladdr"; dev: string; cidr: string }
  /** `ip route add <dst> [via <via>] [dev <dev>] [metric <metric>]` in table main. */
  | ({ op: "route" } & RouteFields)
  /** `ip route del <dst> [via <via>] [dev <dev>] [metric <metric>]` in table main. */
  | ({ op: "delroute" } & RouteFields)
  /** `ip link del <dev>`. */
  | { op: "dellink"; dev: string }
  /** `ip link del group <group>`: every link of the group in one kernel batch (group > 0). */
  | { op: "delgroup"; group: number }
  /** `sysctl -w <key>=<value>`; `key` dotted (`net.ipv4.ip_forward`) or a path under /proc/sys. */
  | { op: "sysctl"; key: string; value: string }
  /** `ethtool -K <dev> tx off`. */
  | { op: "txoff"; dev: string }
  /** Links, addresses and main-table routes of the current namespace (reply data: {@link NsDump}). */
  | { op: "dump" }
  /**
   * The current namespace's bridges (whole) and bridge ports (no kind, alias or peer namespace id) with
   * counters, and its addresses; no routes: no scan of namespace ids per veth end (a full `dump` makes one).
   */
  | { op: "bridgedump" }
  /** `dump` of namespace `ns`, read from the root namespace, where the agent is afterwards. */
  | { op: "nsdump"; ns: string }
  /** `nsdump` in the compact form (reply data: see {@link fromCompactDump}); a third of the bytes. */
  | { op: "nsdumpc"; ns: string }
  /** `bridgedump` in the compact form (see {@link fromCompactDump}); `addrdumpc`: the addresses alone so. */
  | { op: "bridgedumpc" | "addrdumpc" }
  /** One link of the current namespace (reply data: {@link DumpLink}); ENODEV when missing. */
  | { op: "getlink"; dev: string }
  /** The names of the current namespace's links in link group `group` (reply data: `string[]`). */
  | { op: "grouplinks"; group: number }
  | { op: "sysgroup"; group: number }
  /**
   * `[name, alias]` of every link sysfs lists that has an alias (the root namespace's, for the
   * agent; see {@link asLinkAliases}): no netlink dump.
   */
  | { op: "sysaliases" }
  /**
   * The current namespace's nftables tables, every family (reply data: `[family, name][]`, see
   * {@link asNftTables}): one netlink dump, what `nft list tables` reads.
   */
  | { op: "nfttables" }
  /**
   * The rules of nftables table `family table` of the current namespace: each rule's chain name
   * (reply data: `string[]`, counted by {@link asRulesByChain}); fails with ENOENT when there is no
   * such table.
   */
  | { op: "nftrules"; family: string; table: string }
  /**
   * Queue one ICMP echo probe from namespace `ns` to `target`, sent from address `source` (same
   * family) or, without it, from whatever address the namespace's routing picks.
   */
  | { op: "pingadd"; ns: string; source?: string; target: string }
  /**
   * Run the queued probes: one raw ICMP socket per source namespace and address, every request sent
   * at once, replies collected until all answered or `timeoutMs`, unanswered ones resent every
   * `retryMs`. Reply data: one number per probe in queue order — RTT in µs, -1 for no reply, or
   * -errno when sending failed. Clears the queue; ends in root.
   */
  | { op: "pingrun"; timeoutMs: number; retryMs: number }
  /** `ip neigh flush all` in the current namespace (dynamic entries); reply data: the number removed. */
  | { op: "neighflush" }
  /** A lab's file system: `mkdir -p path`, a tmpfs named `name` there (mode 0700), made private. */
  | { op: "mkfs"; path: string; name: string }
  /**
   * `mkdir -p path` (parents 0755), then `chmod mode` and, with `uid`, `chown uid[:gid]`; an
   * existing directory is fine (ENOTDIR: something else is there).
   */
  | { op: "mkdir"; path: string; mode: number; uid?: number; gid?: number }
  /**
   * `mkdir -p dir; ln -s target dir/hosts` (iproute2's /etc/netns/NS/hosts); that same link there
   * already is fine, anything else EEXIST.
   */
  | { op: "hostslink"; dir: string; target: string }
  /** Detach the tmpfs at `path` only if it is one named `name` (EPERM otherwise, ENOENT if none); rmdir. */
  | { op: "umnt"; path: string; name: string }
  /** The template of the node mount namespaces made next: the host's, without /run/netns and other labs' fs. */
  | { op: "mnttmpl"; fsroot: string; labfs: string }
  /** Queue a bind of `from` (host's view) onto `to` (node's view) for the next `mkmnt`. */
  | { op: "mntbind"; from: string; to: string }
  /** Queue an overlay on `dir` (upper/work in the host's view) for the next `mkmnt`. */
  | { op: "mntover"; dir: string; upper: string; work: string }
  /** Queue a fresh sysfs on /sys for the next `mkmnt`. */
  | { op: "mntsys" }
  /** A mount namespace for network namespace `ns` from the template and the queued mounts, kept at `file`. */
  | { op: "mkmnt"; ns: string; file: string; labfs: string }
  /** Detach the mount namespace kept at `file` and remove the file. */
  | { op: "delmnt"; file: string };

/** The fields of a route request. `dst` is a CIDR; `0.0.0.0/0` and `::/0` are the defaults. */
export interface RouteFields {
  dst: string;
  via?: string;
  dev?: string;
  metric?: number;
}

/** What the agent answered to one command. `skip`: not run because an earlier one failed. */
export type AgentReply =
  | { status: "ok"; data?: unknown }
  | { status: "err"; errno: number; message: string }
  | { status: "skip" };

/** Errno values the agent reports that callers commonly match on. */
export const AGENT_ERRNO = {
  ENOENT: constants.errno.ENOENT,
  EEXIST: constants.errno.EEXIST,
  ENODEV: constants.errno.ENODEV,
  EINVAL: constants.errno.EINVAL,
  EADDRNOTAVAIL: constants.errno.EADDRNOTAVAIL,
  ESRCH: constants.errno.ESRCH,
  EPERM: constants.errno.EPERM,
} as const;

/** A field as it goes on the wire; TAB, newlines and NUL would break the line framing. */
function field(value: string, what: string): string {
  if (/[\t\n\r\0]/.test(value)) {
    throw new TypeError(`nsagent: ${what} must not contain TAB, newline or NUL: ${JSON.stringify(value)}`);
  }
  return value;
}

function uint32(value: number, what: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new TypeError(`nsagent: ${what} must be an integer in 0..4294967295, got ${value}`);
  }
  return String(value);
}

/** An optional route field: absent → `-`; a present `-` would be read as absent, so it is refused. */
function optional(value: string | undefined, what: string): string {
  if (value === undefined) return ABSENT;
  if (value === ABSENT) throw new TypeError(`nsagent: ${what} must not be "${ABSENT}"`);
  return field(value, what);
}

/** One end of a veth pair as `vethadd` takes it (see the agent's link.h). */
export interface AgentVethEnd {
  name: string;
  /** Its namespace; absent: the agent's current one. */
  ns?: string;
  mtu?: number;
  mac?: string;
  /** A bridge of the current namespace (only for an end that stays there). */
  master?: string;
  up?: boolean;
}

function vethEnd(e: AgentVethEnd): string[] {
  return [
    field(e.name, "interface name"),
    optional(e.ns, "namespace name"),
    e.mtu === undefined ? ABSENT : uint32(e.mtu, "mtu"),
    optional(e.mac, "MAC address"),
    optional(e.master, "master interface name"),
    e.up ? "1" : "0",
  ];
}

/** The fields of one command after the op, in wire order. */
function args(cmd: AgentCommand): string[] {
  switch (cmd.op) {
    case "root":
    case "dump":
    case "bridgedump":
    case "bridgedumpc":
    case "addrdumpc":
    case "nfttables":
    case "neighflush":
    case "mntsys":
    case "sysaliases":
      return [];
    case "mkfs":
    case "umnt":
      return [field(cmd.path, "path"), field(cmd.name, "file system name")];
    case "mkdir":
      if (!Number.isInteger(cmd.mode) || cmd.mode < 0 || cmd.mode > 0o7777)
        throw new TypeError(`nsagent: mode must be an integer in 0..0o7777, got ${cmd.mode}`);
      return [
        field(cmd.path, "path"),
        String(cmd.mode),
        cmd.uid === undefined ? ABSENT : uint32(cmd.uid, "uid"),
        cmd.gid === undefined ? ABSENT : uint32(cmd.gid, "gid"),
      ];
    case "hostslink":
      return [field(cmd.dir, "path"), field(cmd.target, "path")];
    case "nftrules":
      return [field(cmd.family, "nftables family"), field(cmd.table, "nftables table name")];
    case "mnttmpl":
      return [field(cmd.fsroot, "path"), field(cmd.labfs, "path")];
    case "mntbind":
      return [field(cmd.from, "path"), field(cmd.to, "path")];
    case "mntover":
      return [field(cmd.dir, "path"), field(cmd.upper, "path"), field(cmd.work, "path")];
    case "mkmnt":
      return [field(cmd.ns, "namespace name"), field(cmd.file, "path"), field(cmd.labfs, "path")];
    case "delmnt":
      return [field(cmd.file, "path")];
    case "pingadd":
      return [
        field(cmd.ns, "namespace name"),
        optional(cmd.source, "source address"),
        field(cmd.target, "address"),
      ];
    case "pingrun":
      return [uint32(cmd.timeoutMs, "timeout"), uint32(cmd.retryMs, "retry interval")];
    case "ns":
    case "nsdump":
    case "nsdumpc":
    case "delns":
      return [field(cmd.ns, "namespace name")];
    case "mkns":
    case "delown":
      return [field(cmd.ns, "namespace name"), field(cmd.marker, "marker")];
    case "up":
    case "down":
    case "dellink":
    case "txoff":
    case "getlink":
      return [field(cmd.dev, "interface name")];
    case "delgroup":
    case "grouplinks":
    case "sysgroup":
      return [uint32(cmd.group, "link group")];
    case "alias":
      return [field(cmd.dev, "interface name"), field(cmd.alias, "alias")];
    case "vethadd":
      return [uint32(cmd.group, "link group"), ...vethEnd(cmd.a), ...vethEnd(cmd.b)];
    case "bridgeadd":
      return [
        field(cmd.dev, "interface name"),
        uint32(cmd.group, "link group"),
        cmd.mtu === undefined ? ABSENT : uint32(cmd.mtu, "mtu"),
        cmd.stp ? "1" : "0",
      ];
    case "linkset":
      return [
        field(cmd.dev, "interface name"),
        field(cmd.alias, "alias"),
        optional(cmd.master, "master interface name"),
      ];
    case "mtu":
      return [field(cmd.dev, "interface name"), uint32(cmd.mtu, "mtu")];
    case "mac":
      return [field(cmd.dev, "interface name"), field(cmd.mac, "MAC address")];
    case "addrgen":
      return [field(cmd.dev, "interface name"), cmd.mode];
    case "addr":
    case "deladdr":
      return [field(cmd.dev, "interface name"), field(cmd.cidr, "address")];
    case "route":
    case "delroute":
      return [
        field(cmd.dst, "route destination"),
        optional(cmd.via, "gateway"),
        optional(cmd.dev, "interface name"),
        cmd.metric === undefined ? ABSENT : uint32(cmd.metric, "metric"),
      ];
    case "sysctl":
      return [field(cmd.key, "sysctl key"), field(cmd.value, "sysctl value")];
  }
}

/** One command as a request line, newline included. Throws TypeError for unframeable fields. */
export function serializeCommand(cmd: AgentCommand): string {
  return `${[cmd.op, ...args(cmd)].join("\t")}\n`;
}

/** Several commands as one chunk of request lines. */
export function serializeCommands(cmds: readonly AgentCommand[]): string {
  let out = "";
  for (const cmd of cmds) out += serializeCommand(cmd);
  return out;
}

/** Session control lines the client brackets a stop-on-error batch with (replies are not returned). */
export const STOP_ON_ERROR_ON = "set\tstop-on-error\t1\n";
export const STOP_ON_ERROR_OFF = "resume\nset\tstop-on-error\t0\n";
/** A no-op request, answered `ok`, that proves the agent is alive. */
export const PING = "resume\n";

/** Parse one reply line (without its newline). Throws TypeError for anything malformed. */
export function parseReply(line: string): AgentReply {
  if (line === "ok") return { status: "ok" };
  if (line === "skip") return { status: "skip" };
  if (line.startsWith("ok\t")) {
    const json = line.slice(3);
    try {
      return { status: "ok", data: JSON.parse(json) as unknown };
    } catch (cause) {
      throw new TypeError(`nsagent: reply carries invalid JSON: ${json.slice(0, 80)}`, { cause });
    }
  }
  if (line.startsWith("err\t")) {
    const tab = line.indexOf("\t", 4);
    const errno = Number(tab < 0 ? line.slice(4) : line.slice(4, tab));
    if (tab > 4 && Number.isInteger(errno) && errno >= 0) {
      return { status: "err", errno, message: line.slice(tab + 1) };
    }
  }
  throw new TypeError(`nsagent: malformed reply line: ${JSON.stringify(line.slice(0, 120))}`);
}
