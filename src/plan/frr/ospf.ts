/**
 * `routing: ospf`: the OSPF configuration nslab writes for a router. OSPFv2 on every interface with
 * an IPv4 address and OSPFv3 on every interface when the lab routes IPv6, all in area 0; segments
 * without another router are passive (their subnet is announced, no hellos sent); a veth straight to
 * another router is point-to-point (no DR election); hellos every second, a neighbour dead after 4,
 * and SPF/LSA throttling at its minimum, so a ring of 100 routers converges in seconds. Pure.
 */
import type { NetnsNode } from "../../model/types.js";
import type { ConfigBlock, ConfigLine } from "./config.js";
import type { Port } from "./ports.js";

/** Interface timers, in seconds (FRR's defaults: 10, 40, 5). */
export const OSPF_TIMERS = { hello: 1, dead: 4, retransmit: 1 } as const;

/** Whether `port` of `r` speaks OSPF of `family` (OSPFv3 only when `ospf6` is on for the router). */
export function ospfOn(r: NetnsNode, port: Port, family: 4 | 6, ospf6: boolean): boolean {
  if (family === 4) return port.iface.addresses.some((a) => a.family === 4);
  if (!ospf6) return false;
  // OSPFv3 runs over link-local addresses: every interface with IPv6, lo when it has an address.
  return port.faces === "loopback" ? port.iface.addresses.some((a) => a.family === 6) : r.ipv6 !== false;
}

/** The interface and `router ospf`/`router ospf6` blocks of router `r`. */
export function ospfBlocks(r: NetnsNode, ports: readonly Port[], ospf6: boolean): ConfigBlock[] {
  const routerId = r.frr!.routerId;
  const blocks: ConfigBlock[] = [];
  for (const port of ports) {
    const lines: ConfigLine[] = [];
    for (const family of [4, 6] as const) {
      if (!ospfOn(r, port, family, ospf6)) continue;
      const daemon = family === 4 ? "ospfd" : "ospf6d";
      const p = family === 4 ? "ip ospf" : "ipv6 ospf6";
      const add = (text: string) => lines.push({ daemon, text: ` ${p} ${text}` });
      add("area 0");
      if (port.faces === "stub" || port.faces === "loopback") {
        add("passive");
        continue;
      }
      if (port.faces === "p2p") add("network point-to-point");
      add(`hello-interval ${OSPF_TIMERS.hello}`);
      add(`dead-interval ${OSPF_TIMERS.dead}`);
      add(`retransmit-interval ${OSPF_TIMERS.retransmit}`);
    }
    if (lines.length > 0) blocks.push({ head: `interface ${port.iface.ifname}`, lines });
  }
  const line = (daemon: string, text: string): ConfigLine => ({ daemon, text: ` ${text}` });
  if (ports.some((p) => ospfOn(r, p, 4, ospf6)))
    blocks.push({
      head: "router ospf",
      daemon: "ospfd",
      lines: [
        line("ospfd", `ospf router-id ${routerId}`),
        line("ospfd", "log-adjacency-changes"),
        line("ospfd", "timers throttle spf 0 50 1000"),
        line("ospfd", "timers throttle lsa all 0"),
        line("ospfd", "timers lsa min-arrival 0"),
      ],
    });
  if (ports.some((p) => ospfOn(r, p, 6, ospf6)))
    blocks.push({
      head: "router ospf6",
      daemon: "ospf6d",
      lines: [
        line("ospf6d", `ospf6 router-id ${routerId}`),
        line("ospf6d", "log-adjacency-changes"),
        line("ospf6d", "timers throttle spf 0 50 1000"),
        line("ospf6d", "timers lsa min-arrival 0"),
      ],
    });
  return blocks;
}
