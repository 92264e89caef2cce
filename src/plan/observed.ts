/**
 * What observation reports, as plain data: a namespace's links, addresses and routes (the shape the
 * native agent's `dump` and `ip -json` are both read into), and what exists of a plan's objects now.
 * Plans reconcile against it; drivers produce it.
 */

/** Operational state of a link (RFC 2863), as the kernel reports it. */
export type DumpOperstate =
  | "UNKNOWN"
  | "NOTPRESENT"
  | "DOWN"
  | "LOWERLAYERDOWN"
  | "TESTING"
  | "DORMANT"
  | "UP";

/** Link counters from IFLA_STATS64 (precision above 2^53 is lost). */
export interface DumpLinkStats {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}

/** One network interface of the dumped namespace. */
export interface DumpLink {
  ifindex: number;
  name: string;
  /** `IFLA_INFO_KIND` (`veth`, `bridge`, …); null for devices without one, such as `lo`. */
  kind: string | null;
  /** Raw `IFF_*` flags. */
  flags: number;
  up: boolean;
  lowerUp: boolean;
  operstate: DumpOperstate;
  mtu: number;
  /** Hardware address as lowercase colon-separated hex; null when the device has none. */
  mac: string | null;
  alias: string | null;
  group: number;
  /** Ifindex of the bridge/bond this link is enslaved to. */
  master: number | null;
  /** Ifindex of the peer or parent link (`IFLA_LINK`), possibly in the namespace `linkNetnsid`. */
  link: number | null;
  linkNetnsid: number | null;
  stats: DumpLinkStats;
}

/** One address of the dumped namespace. */
export interface DumpAddr {
  ifindex: number;
  family: 4 | 6;
  /** `address/prefixlen`, e.g. `10.1.1.2/24`. */
  cidr: string;
  /** `global`, `link`, `host`, or the raw scope number for anything else. */
  scope: "global" | "link" | "host" | number;
}

/** One route of the main table (multicast and cloned entries left out). */
export interface DumpRoute {
  family: 4 | 6;
  /** CIDR; the default route is `0.0.0.0/0` or `::/0`. */
  dst: string;
  gateway: string | null;
  oif: number | null;
  metric: number | null;
  /** `RTPROT_*`: 2 kernel, 3 boot (`ip route add`), 4 static, … */
  protocol: number;
  /** `RT_SCOPE_*`: 0 universe, 253 link, 254 host. */
  scope: number;
  table: number;
}

/** Everything `dump` reports about one namespace. */
export interface NsDump {
  links: DumpLink[];
  addrs: DumpAddr[];
  routes: DumpRoute[];
}

/** What exists now, of the objects a plan deals with (input to reconciling). */
export interface Observed {
  netns: ReadonlySet<string>;
  /** Root links that exist, of those the plan names (at least: other links may be listed too). */
  rootLinks: ReadonlySet<string>;
  /** Root link → the name of the bridge it is a port of (null: none); absent when not observed. */
  rootMasters?: ReadonlyMap<string, string | null>;
  /** OVS bridge → its port names. */
  ovs: ReadonlyMap<string, ReadonlySet<string>>;
  /** Namespace → its links, addresses and routes (for namespaces that exist). */
  dumps: ReadonlyMap<string, NsDump>;
  /**
   * Labs' file systems (mount points) that are mounted, of those the plan mounts; absent when not
   * observed (then the nodes' environments are taken as they are).
   */
  labfs?: ReadonlySet<string>;
}
