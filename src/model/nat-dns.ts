/**
 * Name resolution behind NAT gateways (`dns:` on a `kind: nat` node): the lab's name servers, and
 * the /etc/resolv.conf each namespace node gets naming them — a node file like any other (shown
 * only in the node's view; the host's file is never changed), so its queries leave through the NAT
 * like the rest of its traffic. Without `dns:` nodes use the host's /etc/resolv.conf. Pure.
 */
import type { SourceLocation } from "../errors.js";
import { MAX_NAMESERVERS, natNodes } from "./nat.js";
import type { Topology } from "./types.js";

/** The path every resolver reads. */
export const RESOLV_CONF = "/etc/resolv.conf";

/** The lab's name servers: the `dns:` lists of its NAT nodes, in the order written, each once. */
export function labNameservers(t: Topology): { servers: string[]; src?: SourceLocation } {
  const servers: string[] = [];
  let src: SourceLocation | undefined;
  for (const n of natNodes(t))
    for (const s of n.nat.dns ?? []) {
      src ??= n.nat.at?.dns ?? n.src;
      if (!servers.includes(s)) servers.push(s);
    }
  return { servers: servers.slice(0, MAX_NAMESERVERS), ...(src ? { src } : {}) };
}

/** The resolv.conf of a lab whose name servers are `servers`. */
export function resolvConfText(lab: string, servers: readonly string[]): string {
  return [
    `# nslab: lab '${lab}' — the name servers of its NAT gateway (dns:)`,
    ...servers.map((s) => `nameserver ${s}`),
    "",
  ].join("\n");
}

/**
 * Give every namespace node of `t` without an /etc/resolv.conf of its own (`files:`) the lab's
 * (when its NAT nodes name servers). Returns the nodes given one.
 */
export function addNatDns(t: Topology): string[] {
  const { servers, src } = labNameservers(t);
  if (servers.length === 0) return [];
  const content = resolvConfText(t.name, servers);
  const given: string[] = [];
  for (const n of t.nodes) {
    if (n.kind !== "netns" || n.files?.some((f) => f.path === RESOLV_CONF)) continue;
    n.files ??= [];
    n.files.push({
      kind: "file",
      path: RESOLV_CONF,
      from: { content },
      mode: 0o644,
      ...(src ? { src } : {}),
    });
    given.push(n.name);
  }
  return given;
}
