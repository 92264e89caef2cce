/**
 * The host's resolv.conf as the nodes behind a NAT gateway can use it (no `dns:` on the gateway:
 * nodes resolve through the host's name servers, reached through the NAT like the rest of their
 * traffic). A server on the host's own loopback (a local dnsmasq or unbound on 127.0.0.1) is, in a
 * node, the node itself: such lines are commented out of the nodes' copy, and when no other server
 * is left `up` says so. Pure.
 */
import { natNodes } from "../model/nat.js";
import type { Topology } from "../model/types.js";
import type { HostFacts } from "./host.js";

/** The name servers of a resolv.conf, in order. */
export function nameserversIn(text: string): string[] {
  return text.split("\n").flatMap((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l);
    return m ? [m[1]!] : [];
  });
}

/** Whether a name server is the host's own loopback (unreachable from a node). */
export function isLoopbackServer(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

/** What NAT nodes' hosts get of the host's resolv.conf: a copy to use instead, a warning. */
export interface NatResolv {
  /** The nodes' copy (loopback servers commented out); undefined: the host's file is fine as it is. */
  content?: string;
  /** Said by `up`: no server the nodes can reach is left. */
  warning?: { message: string; hint: string };
}

/** The resolv.conf nodes of `t` should see when its NAT nodes name no servers (`dns:`). */
export function natResolv(t: Topology, host: HostFacts): NatResolv {
  const nats = natNodes(t);
  if (nats.length === 0 || nats.some((n) => (n.nat.dns?.length ?? 0) > 0) || !host.hostResolv) return {};
  const { path, text } = host.hostResolv;
  const servers = nameserversIn(text);
  const loopback = servers.filter(isLoopbackServer);
  if (loopback.length === 0) return {};
  const content = text
    .split("\n")
    .map((l) => {
      const s = /^\s*nameserver\s+(\S+)/.exec(l)?.[1];
      return s !== undefined && isLoopbackServer(s)
        ? `# nslab: the host's own loopback, not reachable from a node: ${l.trim()}`
        : l;
    })
    .join("\n");
  const usable = servers.length - loopback.length;
  return {
    content,
    ...(usable === 0
      ? {
          warning: {
            message: `the host's ${path} names only ${loopback.join(", ")} (its own loopback): the nodes behind NAT node '${nats[0]!.name}' cannot resolve names through it`,
            hint: `give the NAT node the servers to use, e.g. the upstreams of the host's resolver: dns: [ADDRESS]`,
          },
        }
      : {}),
  };
}
