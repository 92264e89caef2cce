/**
 * Finding nslab's objects without any state file, by their ownership markers alone: the alias of
 * root links, the alias of each namespace's loopback, OVS bridges' external_ids, the comment
 * `nslab:LAB` of rules (and names of tables) in the host's firewall, and host interfaces a lab
 * borrowed by their `nslab-phys:` alias (in a node, or pushed back to the root namespace), a lab's
 * file system by its tmpfs's name `nslab-LAB` where nslab mounts it, and the /etc/netns entries that
 * link to its hosts file. This is how `down --all` still cleans up after /run/nslab was lost, and
 * `down LAB` a lab its record does not describe (one made by running `nslab plan`'s script).
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import type { Driver } from "../drivers/driver.js";
import { bootTimeMs, isRoot, listNetns } from "../drivers/host/facts.js";
import { readFirewall } from "../drivers/host/firewall.js";
import { readMounts } from "../drivers/host/mounts.js";
import { type NftTable, nftTablesOf } from "../drivers/nsagent/index.js";
import { rootAliases } from "../drivers/observe/root-aliases.js";
import {
  type BridgeInfo,
  bridgesInFile,
  JsonRpcError,
  listBridges,
  OvsdbClient,
  ovsRuntimePaths,
} from "../drivers/ovs/index.js";
import { checkName } from "../model/names.js";
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
  const present = listNetns();
  const namespaces = present.filter((ns) => !known.has(ns));
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
    // No ovsdb-server answering: the database file itself, where a lab gone without a `down` (a
    // reboot) left its bridges (then `down` starts Open vSwitch to remove them).
    ovs ? ovsBridges(ovs) : bridgesLeftInFile(driver),
    // Read-only; as non-root there is nothing to read (nor anything nslab could have added).
    isRoot() ? readHostFirewall(driver) : undefined,
  ]);
  for (const [name, alias] of aliases) {
    add(labOfMarker(alias), { kind: "link", name });
    const p = physOfMarker(alias);
    if (p) add(p.lab, { kind: "phys", name: p.device });
  }
  for (const b of bridges) add(b.externalIds[OVS_LAB_KEY], { kind: "ovs-bridge", name: b.name });
  for (const [lab, objects] of labFileSystems(new Set(present), only)) for (const o of objects) add(lab, o);
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
 * `only`: that lab's alone. Also the entries a lab left when its file system went without a `down`
 * (a reboot, where /run is memory and /etc a disk): links to `fs/LAB/hosts` of this state directory
 * that lead nowhere, each found under the LAB its target names. `namespaces`: those in /run/netns.
 */
function labFileSystems(namespaces: ReadonlySet<string>, only?: string): Map<string, OwnedObject[]> {
  const out = new Map<string, OwnedObject[]>();
  const hosts = new Map<string, string>(); // a lab's hosts file → the lab
  const root = stateRoot();
  // Mount points are directories under the state's fs/: none there (or not the one lab's looked
  // for), no lab's file system, and no need to read every mount of a host whose other labs hold
  // thousands.
  if (only !== undefined ? existsSync(labfsPath(only, root)) : hasEntries(fsRoot(root)))
    for (const m of readMounts()) {
      const lab = m.source.slice("nslab-".length);
      if (m.fstype !== "tmpfs" || m.source !== labfsName(lab) || m.point !== labfsPath(lab, root)) continue;
      out.set(lab, [{ kind: "labfs", name: m.point }]);
      hosts.set(labHostsPath(m.point), lab);
    }
  for (const [lab, ns] of etcNetnsEntries(hosts, fsRoot(root), namespaces, only)) {
    const list = out.get(lab) ?? [];
    list.push({ kind: "etc-netns", name: ns });
    out.set(lab, list);
  }
  return out;
}

/**
 * /etc/netns entries ([lab, namespace]) whose hosts link leads to a lab's hosts file in `hosts`, or
 * into `fsDir` (FSDIR/LAB/hosts, LAB a lab's name) where nothing is: a leftover, which has no
 * namespace (one of `namespaces`) either. `only`: that lab's.
 */
function etcNetnsEntries(
  hosts: ReadonlyMap<string, string>,
  fsDir: string,
  namespaces: ReadonlySet<string>,
  only?: string,
): [string, string][] {
  let entries: string[];
  try {
    entries = readdirSync("/etc/netns");
  } catch {
    return [];
  }
  const found: [string, string][] = [];
  for (const ns of entries) {
    // Beside a big lab that is up (and no file system asked about), its thousands of entries unread.
    if (hosts.size === 0 && namespaces.has(ns)) continue;
    let target: string;
    try {
      target = readlinkSync(`/etc/netns/${ns}/hosts`);
    } catch {
      continue;
    }
    const lab = hosts.get(target) ?? leftBehindBy(target, fsDir);
    if (lab !== undefined && (only === undefined || lab === only)) found.push([lab, ns]);
  }
  return found;
}

/** The lab whose hosts file `target` names (FSDIR/LAB/hosts) if nothing is there, else undefined. */
function leftBehindBy(target: string, fsDir: string): string | undefined {
  if (!target.startsWith(`${fsDir}/`) || !target.endsWith("/hosts")) return undefined;
  const lab = target.slice(fsDir.length + 1, -"/hosts".length);
  if (checkName(lab, "lab") !== undefined || existsSync(target)) return undefined;
  return lab;
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/**
 * The bridges labs left in Open vSwitch's database file when they went without a `down` (a reboot:
 * the file is on disk, the daemons are gone). Read (ovsdb-tool, ~15 ms) only when no ovsdb-server
 * has written the file since this host booted and it names a lab at all: `status` and `down` of a
 * lab that is not up pay a stat otherwise.
 */
async function bridgesLeftInFile(driver: Driver): Promise<Pick<BridgeInfo, "name" | "externalIds">[]> {
  const { dbPath } = ovsRuntimePaths();
  const boot = bootTimeMs();
  try {
    if (boot === undefined || statSync(dbPath).mtimeMs >= boot) return [];
    if (!readFileSync(dbPath, "latin1").includes(`"${OVS_LAB_KEY}"`)) return [];
  } catch {
    return []; // no database file
  }
  return bridgesInFile(dbPath, driver.runner);
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
