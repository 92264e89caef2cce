/**
 * Resolving `hosts:` and everything that names a machine: each machine's ssh destination, underlay
 * address and nslab command; each node's `host:`; `placement:`, `ssh_config:` and `vxlan:`. Nodes
 * without a `host:` are placed (placement.ts). Problems are collected with their positions, like
 * the rest of the resolver's.
 */
import { dirname, isAbsolute, resolve as resolvePath } from "node:path";
import type { Problem } from "../errors.js";
import type { TopologySource } from "../sources/source.js";
import { didYouMean } from "../sources/suggest.js";
import { parseAddress } from "./ip.js";
import { checkName } from "./names.js";
import { placeNodes } from "./placement.js";
import type { Host, Topology } from "./types.js";

/** The UDP port of VXLAN (IANA). */
export const VXLAN_PORT = 4789;
/** Outer headers of a VXLAN packet over IPv4 (IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const VXLAN_OVERHEAD_V4 = 50;
/** The same over IPv6 (an IPv6 header is 40 bytes). */
export const VXLAN_OVERHEAD_V6 = 70;

const SSH_DESTINATION = /^[A-Za-z0-9_.%+@:[\]-]+$/;
const WORD = /^[\x21-\x7e]+$/;

/** Resolve the multi-machine fields of `spec.raw` into `t` (which the resolver has built). */
export function resolveHosts(t: Topology, spec: TopologySource, problems: Problem[]): void {
  const raw = spec.raw;
  const at = (path: ReadonlyArray<string | number>, key = false) => spec.locate(path, { key });
  const fail = (message: string, path: ReadonlyArray<string | number>, hint?: string, key = false) =>
    problems.push({ message, location: at(path, key), ...(hint ? { hint } : {}) });

  if (!raw.hosts) {
    for (const n of t.nodes) {
      const host = (raw.nodes[n.name] as { host?: string } | null)?.host;
      if (host !== undefined)
        fail(
          `node '${n.name}' names host '${host}', but the file has no 'hosts:' section`,
          ["nodes", n.name, "host"],
          "list the machines under 'hosts:', or remove 'host:'",
        );
    }
    if (raw.placement !== undefined)
      fail("'placement' places nodes on machines, but the file has no 'hosts:' section", ["placement"]);
    if (raw.ssh_config !== undefined)
      fail("'ssh_config' is for reaching machines, but the file has no 'hosts:' section", ["ssh_config"]);
    return;
  }

  const hosts: Host[] = [];
  const underlays = new Map<string, string>();
  for (const [name, h] of Object.entries(raw.hosts)) {
    const path = ["hosts", name];
    const nameProblem = checkName(name, "node");
    if (nameProblem) {
      fail(nameProblem.replace("node name", "host name"), path, undefined, true);
      continue;
    }
    let ok = true;
    if (!SSH_DESTINATION.test(h.ssh) || h.ssh.startsWith("-")) {
      ok = false;
      fail(
        `host '${name}': ssh destination '${h.ssh}' is not usable`,
        [...path, "ssh"],
        "write user@address or a Host name of your ssh configuration (no spaces, not starting with '-')",
      );
    }
    const addr = parseAddress(h.underlay);
    if (typeof addr === "string") {
      ok = false;
      fail(`host '${name}': underlay ${addr}`, [...path, "underlay"], "give the machine's own IP address");
    } else {
      const first = underlays.get(addr.address);
      if (first) {
        ok = false;
        fail(
          `host '${name}': underlay address ${addr.address} is also host '${first}''s`,
          [...path, "underlay"],
          "each machine needs its own address",
        );
      } else underlays.set(addr.address, name);
    }
    const nslab = (h.nslab ?? "nslab").trim().split(/\s+/);
    if (h.nslab !== undefined && (nslab[0] === "" || !nslab.every((w: string) => WORD.test(w)))) {
      ok = false;
      fail(
        `host '${name}': nslab command '${h.nslab}' is not usable`,
        [...path, "nslab"],
        "write the command as words of printable characters, e.g. 'sudo -n nslab'",
      );
    }
    if (h.mtu !== undefined && (h.mtu < 1280 || h.mtu > 65535)) {
      ok = false;
      fail(`host '${name}': underlay MTU ${h.mtu} is out of range 1280–65535`, [...path, "mtu"]);
    }
    if (!ok || typeof addr === "string") continue;
    hosts.push({
      name,
      ssh: h.ssh,
      underlay: addr.address,
      family: addr.family,
      nslab,
      ...(h.mtu !== undefined ? { mtu: h.mtu } : {}),
      src: at(path, true),
    });
  }
  if (Object.keys(raw.hosts).length === 0)
    fail("'hosts:' is empty", ["hosts"], "list the machines, or remove 'hosts:' to run the lab here");
  t.hosts = hosts;
  // Relative to the topology file (a topology given as text or an object: as written, so relative
  // to where ssh runs).
  if (raw.ssh_config !== undefined)
    t.sshConfig =
      spec.path && !isAbsolute(raw.ssh_config)
        ? resolvePath(dirname(spec.path), raw.ssh_config)
        : raw.ssh_config;
  if (raw.vxlan?.port !== undefined) t.vxlanPort = raw.vxlan.port;

  const names = new Set(Object.keys(raw.hosts));
  let unplaced = 0;
  for (const n of t.nodes) {
    const host = (raw.nodes[n.name] as { host?: string } | null)?.host;
    if (host === undefined) {
      unplaced++;
      continue;
    }
    if (!names.has(host)) {
      fail(
        `node '${n.name}' names host '${host}', which is not under 'hosts:'`,
        ["nodes", n.name, "host"],
        didYouMean(host, names) ?? `the machines: ${[...names].join(", ")}`,
      );
      continue;
    }
    n.host = host;
  }
  if (unplaced > 0 && raw.placement === undefined) {
    for (const n of t.nodes)
      if ((raw.nodes[n.name] as { host?: string } | null)?.host === undefined)
        fail(
          `node '${n.name}' has no 'host:' and the lab spreads over several machines`,
          ["nodes", n.name],
          "give it 'host: NAME', or let nslab place it: 'placement: auto'",
          true,
        );
    return;
  }
  if (problems.length > 0 || hosts.length === 0) return;
  if (unplaced > 0 && raw.placement !== undefined) {
    const placed = placeNodes(t, raw.placement, { seed: t.name });
    for (const p of placed.problems) fail(p.message, ["nodes", p.node], p.hint, true);
  }
}

/** The inner MTU of a tunnel over an underlay path of MTU `underlay` (IPv4 or IPv6 outer headers). */
export function innerMtu(underlay: number, family: 4 | 6): number {
  return underlay - (family === 6 ? VXLAN_OVERHEAD_V6 : VXLAN_OVERHEAD_V4);
}
