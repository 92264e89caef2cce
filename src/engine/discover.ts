/**
 * Finding nslab's objects without any state file, by their ownership markers alone: the alias of
 * root links, the alias of each namespace's loopback, OVS bridges' external_ids, the comment
 * `nslab:LAB` of rules (and names of tables) in the host's firewall, and host interfaces a lab
 * borrowed by their `nslab-phys:` alias (in a node, or pushed back to the root namespace), a lab's
 * file system by its tmpfs's name `nslab-LAB` where nslab mounts it, and the /etc/netns entries that
 * link to its hosts file. This is how `down --all` still cleans up after /run/nslab was lost, and
 * `down LAB` a lab its record does not describe (one made by running `nslab plan`'s script).
 */
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import type { Driver } from "../drivers/driver.js";
import { isRoot, listNetns } from "../drivers/host/facts.js";
import { readFirewall } from "../drivers/host/firewall.js";
import { readMounts } from "../drivers/host/mounts.js";
import { type NftTable, nftTablesOf } from "../drivers/nsagent/index.js";
import { rootAliases } from "../drivers/observe/root-aliases.js";
import { JsonRpcError, listBridges, OvsdbClient } from "../drivers/ovs/index.js";
import { labsInFirewall } from "../plan/firewall.js";
import type { HostFirewall } from "../plan/host-firewall.js";
import { fsRoot, labfsName, labfsPath, labHostsPath } from "../plan/node-env.js";
import { labOfMarker, OVS_LAB_KEY, physOfMarker } from "../plan/ops.js";
import { stateRoot } from "../state/dir.js";
import type { OwnedObject } from "../state/store.js";

/**
 * Every lab that has marked objects on this host, with those objects. `known`: namespaces not to
 * read (those of labs whose records name them: `status` looks only for labs without one). `only`:
 * the one lab looked for (`down` of a lab without a record) — other labs' namespaces are not read
 * beyond their loopback's marker, and the result holds that lab alone.
 */
export async function discoverLabs(
  driver: Driver,
  ovs: OvsdbClient | undefined,
  known: ReadonlySet<string> = new Set(),
  only?: string,
): Promise<Map<string, OwnedObject[]>> {
  const out = new Map<string, OwnedObject[]>();
  const add = (lab: string | undefined, o: OwnedObject) => {
    if (!lab || (only !== undefined && lab !== only)) return;
    const list = out.get(lab) ?? [];
    list.push(o);
    out.set(lab, list);
  };
  const namespaces = listNetns().filter((ns) => !known.has(ns));
  if (namespaces.length > 0) {
    const marked: string[] = [];
    for (const [name, alias] of await driver.loopbackAliases(namespaces)) {
      const lab = alias instanceof Error || alias === null ? undefined : labOfMarker(alias);
      if (!lab || (only !== undefined && lab !== only)) continue;
      add(lab, { kind: "netns", name });
      marked.push(name);
    }
    // A host interface a lab borrowed carries its marker into the node (only lab namespaces are read).
    for (const [name, d] of marked.length > 0 ? await driver.dumpMany(marked) : []) {
      if (d instanceof Error) continue;
      for (const l of d.links) {
        const p = physOfMarker(l.alias);
        if (p) add(p.lab, { kind: "phys", name: p.device, ns: name, inside: l.name });
      }
    }
  }
  // The root namespace, OVS and the firewall are asked at once (each is a process or a socket away).
  const [aliases, bridges, firewall] = await Promise.all([
    // Only the links' aliases: beside a big lab, not the root's whole dump (see rootAliases).
    rootAliases(driver),
    ovs ? ovsBridges(ovs) : [],
    // Read-only; as non-root there is nothing to read (nor anything nslab could have added).
    isRoot() ? readHostFirewall(driver) : undefined,
  ]);
  for (const [name, alias] of aliases) {
    add(labOfMarker(alias), { kind: "link", name });
    const p = physOfMarker(alias);
    if (p) add(p.lab, { kind: "phys", name: p.device });
  }
  for (const b of bridges) add(b.externalIds[OVS_LAB_KEY], { kind: "ovs-bridge", name: b.name });
  for (const [lab, objects] of labFileSystems(only)) for (const o of objects) add(lab, o);
  if (firewall) for (const lab of labsInFirewall(firewall)) add(lab, { kind: "firewall", name: lab });
  return out;
}

/**
 * The host's firewall with nslab's rules in it; whether it has any nftables table at all is asked of
 * the driver's agent first (a host without one is read without starting `nft`).
 */
export function readHostFirewall(driver: Driver): Promise<HostFirewall> {
  return readFirewall(driver.runner, { ownRules: true, nftTables: nftTablesBy(driver) });
}

/** The root namespace's nftables tables as the driver's agent lists them (undefined without one). */
export function nftTablesBy(driver: Driver): () => Promise<NftTable[] | undefined> {
  return async () => (driver.backend === "agent" ? nftTablesOf(await driver.agent()) : undefined);
}

/**
 * Labs' file systems (tmpfs `nslab-LAB` at its place) and the /etc/netns entries linking into them;
 * `only`: that lab's alone.
 */
function labFileSystems(only?: string): Map<string, OwnedObject[]> {
  const out = new Map<string, OwnedObject[]>();
  const hosts = new Map<string, string>(); // a lab's hosts file → the lab
  const root = stateRoot();
  // Mount points are directories under the state's fs/: none there (or not the one lab's looked
  // for), no lab's file system, and no need to read every mount of a host whose other labs hold
  // thousands, nor every /etc/netns entry.
  if (only !== undefined ? !existsSync(labfsPath(only, root)) : !hasEntries(fsRoot(root))) return out;
  for (const m of readMounts()) {
    const lab = m.source.slice("nslab-".length);
    if (m.fstype !== "tmpfs" || m.source !== labfsName(lab) || m.point !== labfsPath(lab, root)) continue;
    out.set(lab, [{ kind: "labfs", name: m.point }]);
    hosts.set(labHostsPath(m.point), lab);
  }
  if (hosts.size === 0) return out;
  let entries: string[] = [];
  try {
    entries = readdirSync("/etc/netns");
  } catch {
    return out;
  }
  for (const ns of entries) {
    let target: string;
    try {
      target = readlinkSync(`/etc/netns/${ns}/hosts`);
    } catch {
      continue;
    }
    const lab = hosts.get(target);
    if (lab) out.get(lab)!.push({ kind: "etc-netns", name: ns });
  }
  return out;
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/**
 * The OVS bridges; if the connection closes under us (another nslab process stopped the daemons it
 * had started, once no lab used them), read them again on a new one — none when OVS is gone.
 */
async function ovsBridges(ovs: OvsdbClient) {
  try {
    return await listBridges(ovs);
  } catch (e) {
    if (!(e instanceof JsonRpcError && e.failure === "closed")) throw e;
  }
  let fresh: OvsdbClient;
  try {
    fresh = await OvsdbClient.connect(ovs.socketPath);
  } catch (e) {
    if (e instanceof JsonRpcError && e.failure === "connect") return [];
    throw e;
  }
  try {
    return await listBridges(fresh);
  } finally {
    await fresh.close();
  }
}
