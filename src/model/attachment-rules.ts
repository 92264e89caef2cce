/**
 * Whole-topology rules for links to what is outside the lab's namespaces and for the management
 * network: node ends used once, root-namespace names unique, a host interface moved in once, MTUs
 * in range, the host ends' addresses unique. Each returns every problem of its kind.
 */
import { formatLocation, type Problem } from "../errors.js";
import type { Rule } from "./rules.js";
import type { Topology } from "./types.js";

const where = (src: Problem["location"]) => (src ? formatLocation(src) : "elsewhere");

/** The node end of an attachment is the end of nothing else. */
export const attachmentEndsUsedOnce: Rule = (t) => {
  const problems: Problem[] = [];
  const seen = new Map<string, Problem["location"]>();
  for (const l of t.links)
    for (const e of [l.a, l.b])
      if (!seen.has(`${e.node}:${e.iface}`)) seen.set(`${e.node}:${e.iface}`, l.src);
  for (const a of t.attachments ?? []) {
    const key = `${a.node.node}:${a.node.iface}`;
    if (seen.has(key))
      problems.push({
        message: `${key} is already an end of the link at ${where(seen.get(key))}`,
        location: a.src,
      });
    else seen.set(key, a.src);
  }
  return problems;
};

/** Every name an attachment or the management network puts in the root namespace, with what it is. */
function rootNames(t: Topology): { name: string; what: string; src: Problem["location"]; ours: boolean }[] {
  const out: { name: string; what: string; src: Problem["location"]; ours: boolean }[] = [];
  for (const n of t.nodes) {
    if (n.kind === "netns") continue;
    out.push({ name: n.ifname, what: "bridge", src: n.src, ours: false });
    for (const i of n.interfaces)
      out.push({ name: i.ifname, what: `port of ${n.name}`, src: i.src, ours: false });
  }
  for (const a of t.attachments ?? [])
    if (a.kind === "host" || a.kind === "mgmt-net")
      out.push({ name: a.host.ifname, what: `${a.kind} end`, src: a.host.src, ours: true });
  const m = t.management;
  if (m) {
    out.push({ name: m.bridge, what: "management bridge", src: m.src, ours: true });
    for (const p of m.ports)
      out.push({ name: p.port, what: `management port of ${p.node}`, src: m.src, ours: true });
  }
  return out;
}

/** Root-namespace names of host ends and the management network collide with nothing of the lab. */
export const attachmentRootNamesUnique: Rule = (t) => {
  const problems: Problem[] = [];
  const seen = new Map<string, { what: string; src: Problem["location"] }>();
  for (const r of rootNames(t)) {
    const first = seen.get(r.name);
    if (!first) seen.set(r.name, r);
    else if (r.ours)
      problems.push({
        message: `${r.what} '${r.name}' collides with ${first.what} at ${where(first.src)} in the root namespace`,
        location: r.src,
      });
  }
  // Host interfaces the lab borrows or hangs off must not be names the lab creates.
  for (const a of t.attachments ?? []) {
    if (a.kind !== "phys" && a.kind !== "macvlan") continue;
    const name = a.kind === "phys" ? a.device : a.parent;
    const mine = seen.get(name);
    if (mine)
      problems.push({
        message: `'${name}' is the ${mine.what} this lab creates; ${a.kind}: names an existing host interface`,
        location: a.src,
      });
  }
  return problems;
};

/** A host interface is moved into one node only. */
export const physMovedOnce: Rule = (t) => {
  const problems: Problem[] = [];
  const seen = new Map<string, Problem["location"]>();
  for (const a of t.attachments ?? []) {
    if (a.kind !== "phys") continue;
    const first = seen.get(a.device);
    if (first)
      problems.push({
        message: `host interface '${a.device}' is already moved into a node by the link at ${where(first)}`,
        location: a.src,
        hint: "an interface can live in one namespace only; use macvlan: to share it",
      });
    else seen.set(a.device, a.src);
  }
  return problems;
};

/** MTUs written on attachments and the host ends are in range; host-end addresses are unique. */
export const attachmentSettings: Rule = (t) => {
  const problems: Problem[] = [];
  for (const a of t.attachments ?? [])
    for (const [mtu, src] of [
      [a.mtu, a.src],
      [
        a.kind === "host" ? a.host.mtu : undefined,
        a.kind === "host" ? (a.host.at?.mtu ?? a.host.src) : undefined,
      ],
    ] as const)
      if (mtu !== undefined && (mtu < 68 || mtu > 65535))
        problems.push({ message: `MTU ${mtu} is out of range 68–65535`, location: src });
  const owners = new Map<string, string>();
  for (const n of t.nodes)
    for (const i of n.interfaces)
      for (const c of i.addresses) owners.set(`${c.family}/${c.address}`, `${n.name}:${i.name}`);
  for (const c of t.management?.hostAddresses ?? []) {
    const first = owners.get(`${c.family}/${c.address}`);
    if (first)
      problems.push({
        message: `address ${c.address} of ${first} is the host's address on the management network`,
        location: t.management?.src,
      });
    owners.set(`${c.family}/${c.address}`, "the host (management)");
  }
  for (const a of t.attachments ?? []) {
    if (a.kind !== "host") continue;
    a.host.addresses.forEach((c, k) => {
      const first = owners.get(`${c.family}/${c.address}`);
      if (first)
        problems.push({
          message: `address ${c.address} of host:${a.host.name} is already used by ${first}`,
          location: a.host.at?.addresses?.[k] ?? a.host.src,
        });
      else owners.set(`${c.family}/${c.address}`, `host:${a.host.name}`);
    });
  }
  return problems;
};

/** The rules of this file, in the order their problems read best. */
export const ATTACHMENT_RULES: readonly Rule[] = [
  attachmentEndsUsedOnce,
  attachmentRootNamesUnique,
  physMovedOnce,
  attachmentSettings,
];
