/**
 * Planning each namespace node's own environment: the lab's private file system (a tmpfs), each
 * node's tree in it (its /run, /tmp, copies of its files), and its kept mount namespace with the
 * mounts that show that tree in the node's view — without ever changing the host's files. How each
 * node file is shown is decided here, from what the host has at its path (HostFacts.paths):
 * - inside the node's private /run or /tmp, or inside a directory entry of the node: written there;
 * - an existing host directory replaced by a directory entry: a bind of the node's copy;
 * - an existing host file: a bind of the node's copy (unless an overlay of the node covers it);
 * - anything new: an overlay on the deepest directory the host has (upper and work in the lab's
 *   file system), one per such directory and node (nested ones share the outer one).
 * Then `ip netns exec`'s own convention: /etc/netns/NS/hosts. Pure.
 */
import { posix } from "node:path";
import type { Problem } from "../errors.js";
import type { FileOwner, NodeFile } from "../model/env-types.js";
import type { NetnsNode, Topology } from "../model/types.js";
import { getOwn } from "../util/keys.js";
import type { HostFacts } from "./host.js";
import { hostsFile } from "./hosts.js";
import { natResolv } from "./nat-dns.js";
import type { NodeMount, Op } from "./ops.js";

/** Where nslab keeps its state when HostFacts does not say. */
export const DEFAULT_STATE_ROOT = "/run/nslab";

/** The directory every lab's file system is mounted under. */
export function fsRoot(stateRoot = DEFAULT_STATE_ROOT): string {
  return `${stateRoot}/fs`;
}

/** The lab's private file system (a tmpfs mount point). */
export function labfsPath(lab: string, stateRoot = DEFAULT_STATE_ROOT): string {
  return `${fsRoot(stateRoot)}/${lab}`;
}

/** The marker of a lab's file system: the tmpfs's name, as mountinfo shows it. */
export function labfsName(lab: string): string {
  return `nslab-${lab}`;
}

/** The file that keeps node `node`'s mount namespace. */
export function nodeMountFile(labfs: string, node: string): string {
  return `${labfs}/ns/${node}`;
}

/** The lab's hosts file. */
export function labHostsPath(labfs: string): string {
  return `${labfs}/hosts`;
}

/**
 * What planning the node environment gives: the lab's file system and the nodes' trees in it (they
 * need no namespace: planned before the namespaces, they are written while the agent makes them),
 * the nodes' mount namespaces and /etc/netns entries (right after the namespaces), and problems.
 */
export interface NodeEnvPlan {
  files: Op[];
  mounts: Op[];
  problems: Problem[];
}

const under = (path: string, dir: string) => path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
const own = (owner: FileOwner | undefined) => (owner ? { owner } : {});

/** The node-environment operations of `t` on `host`. */
export function planNodeEnv(t: Topology, host: HostFacts): NodeEnvPlan {
  const out: NodeEnvPlan = { files: [], mounts: [], problems: [] };
  const nodes = t.nodes.filter((n): n is NetnsNode => n.kind === "netns");
  if (nodes.length === 0) return out;
  if (!host.nodeEnv) {
    // Without the native agent nodes share the host's mounts: fine, unless they need their own.
    for (const n of nodes)
      if ((n.files?.length ?? 0) > 0 || (n.services?.length ?? 0) > 0 || n.privateTmp)
        out.problems.push({
          message: `node '${n.name}' has files:, services: or privateTmp, which need the native agent (nodes' own mount namespaces); it is not available here`,
          location: n.src,
          hint: "build it (node scripts/build-native.mjs, needs a C compiler) and use the agent backend",
        });
    return out;
  }
  const root = host.stateRoot ?? DEFAULT_STATE_ROOT;
  const labfs = labfsPath(t.name, root);
  const hosts = labHostsPath(labfs);
  out.files.push(
    { op: "labfs.mount", path: labfs, name: labfsName(t.name) },
    { op: "nodefs.dir", path: `${labfs}/ns`, mode: 0o700 },
    { op: "nodefs.file", path: hosts, from: { content: hostsFile(t) }, mode: 0o644 },
  );
  const mntOps: Op[] = [];
  const etcOps: Op[] = [];
  const natCopy = natResolv(t, host).content;
  for (const n of nodes) {
    const { ops, mounts } = nodeTree(n, labfs, host, out.problems, natCopy);
    out.files.push(...ops);
    mntOps.push({
      op: "mntns.add",
      ns: n.netns,
      file: nodeMountFile(labfs, n.name),
      labfs,
      fsroot: fsRoot(root),
      mounts,
      ...(n.src ? { src: n.src } : {}),
    });
    etcOps.push({ op: "etcnetns.add", ns: n.netns, hosts, ...(n.src ? { src: n.src } : {}) });
  }
  // The /etc/netns entries right after the mount namespaces, on the same channel: applied with
  // overlap, they are made while the agent makes the network (100 nodes: ~12 ms of the main
  // thread that came after the network's reply when they were the plan's last operations).
  out.mounts.push(...mntOps, ...etcOps);
  out.problems.push(...programProblems(nodes, host), ...ownerProblems(nodes, host));
  return out;
}

/** Where an entry lands in the node's tree, and how it is shown. */
interface Placed {
  file: NodeFile;
  canonical: string;
  /** Its path in the lab's file system, once placed. */
  at?: string;
}

/** One node's tree in the lab's file system, and the mounts that show it. */
function nodeTree(n: NetnsNode, labfs: string, host: HostFacts, problems: Problem[], resolv?: string) {
  const base = `${labfs}/n/${n.name}`;
  const ops: Op[] = [];
  const binds: NodeMount[] = [];
  const overlays: NodeMount[] = [];
  /** Directories of the node's own, in its view → where they are in the lab's file system. */
  const trees: { dir: string; at: string }[] = [];
  const privateRun = n.privateRun !== false;
  if (privateRun) {
    ops.push({ op: "nodefs.dir", path: `${base}/run`, mode: 0o755 });
    ops.push({ op: "nodefs.dir", path: `${base}/run/lock`, mode: 0o1777 });
    trees.push({ dir: "/run", at: `${base}/run` });
  }
  if (n.privateTmp) {
    ops.push({ op: "nodefs.dir", path: `${base}/tmp`, mode: 0o1777 });
    trees.push({ dir: "/tmp", at: `${base}/tmp` });
  }
  const files: NodeFile[] = [...(n.files ?? [])];
  // Behind NAT, the host's resolv.conf without its loopback servers (nat-dns.ts).
  if (resolv !== undefined && !files.some((f) => f.path === "/etc/resolv.conf"))
    files.push({ kind: "file", path: "/etc/resolv.conf", from: { content: resolv }, mode: 0o644 });
  // A /etc/resolv.conf that links into /run would point into nothing in a node with its own /run.
  if (privateRun && host.resolvConf && !files.some((f) => f.path === "/etc/resolv.conf"))
    files.push({ kind: "file", path: host.resolvConf.at, from: { path: host.resolvConf.from }, mode: 0o644 });
  const placed: Placed[] = [];
  for (const file of files) {
    const fact = host.paths?.[file.path];
    if (!fact && file.path !== host.resolvConf?.at) {
      problems.push({ message: `internal: the host was not looked at for ${file.path}`, location: file.src });
      continue;
    }
    placed.push({ file, canonical: fact?.canonical ?? file.path });
  }
  // Parents before children: a directory entry is placed before what goes into it.
  placed.sort((a, b) => a.canonical.length - b.canonical.length);
  const dirEntries = placed.filter((p) => p.file.kind === "dir");
  const parentOf = (p: Placed) =>
    [...dirEntries]
      .reverse()
      .find((d) => d !== p && d.canonical !== p.canonical && under(p.canonical, d.canonical));
  const privateOf = (p: Placed) => [...trees].reverse().find((x) => under(p.canonical, x.dir));
  // Entries not inside the node's own directories: shown by a bind when the host has the same kind
  // of thing there, else by an overlay on the deepest directory the host has.
  const top = placed.filter((p) => !privateOf(p) && !parentOf(p));
  const bindable = (p: Placed) =>
    (host.paths?.[p.file.path]?.type ?? "missing") === (p.file.kind === "dir" ? "dir" : "file");
  const anchors = [...new Set(top.filter((p) => !bindable(p)).map((p) => anchorOf(p, host)))].sort(
    (a, b) => a.length - b.length,
  );
  const outer = anchors.filter((a, i) => !anchors.slice(0, i).some((o) => under(a, o)));
  const uppers = new Map<string, string>();
  outer.forEach((anchor, i) => {
    const why = anchorProblem(anchor, host);
    if (why) {
      for (const p of top.filter((x) => !bindable(x) && under(anchorOf(x, host), anchor)))
        problems.push({ message: `files: ${p.file.path}: ${why}`, location: p.file.src });
      return;
    }
    const upper = `${base}/ov/${i}/upper`;
    const work = `${base}/ov/${i}/work`;
    ops.push({ op: "nodefs.dir", path: upper, mode: 0o755 }, { op: "nodefs.dir", path: work, mode: 0o700 });
    overlays.push({ kind: "overlay", dir: anchor, upper, work });
    uppers.set(anchor, upper);
  });
  let k = 0;
  for (const p of placed) {
    const priv = privateOf(p);
    const parent = parentOf(p);
    const anchor = outer.find((a) => under(p.canonical, a) && a !== p.canonical);
    if (parent?.at) p.at = parent.at + p.canonical.slice(parent.canonical.length);
    else if (parent)
      continue; // its directory could not be placed (reported)
    else if (priv) {
      if (p.canonical === priv.dir) {
        problems.push({
          message: `files: ${p.file.path} is the node's own ${priv.dir} itself; put entries inside it`,
          location: p.file.src,
        });
        continue;
      }
      p.at = priv.at + p.canonical.slice(priv.dir.length);
    } else if (anchor !== undefined) {
      const upper = uppers.get(anchor);
      if (upper === undefined) continue; // reported with its anchor
      p.at = upper + p.canonical.slice(anchor.length);
    } else if (bindable(p)) {
      p.at = `${base}/${p.file.kind === "dir" ? "d" : "f"}/${k++}`;
      binds.push({ kind: "bind", from: p.at, to: p.canonical });
    }
  }
  // Directories first (parents before children, by the sort above), then files.
  for (const p of placed.filter((x) => x.at && x.file.kind === "dir")) {
    const f = p.file as Extract<NodeFile, { kind: "dir" }>;
    ops.push({ op: "nodefs.dir", path: p.at!, mode: f.mode ?? 0o755, ...own(f.owner), ...src(f) });
    if (f.from) ops.push({ op: "nodefs.tree", path: p.at!, from: f.from.path, ...own(f.owner), ...src(f) });
  }
  for (const p of placed.filter((x) => x.at && x.file.kind === "file")) {
    const f = p.file as Extract<NodeFile, { kind: "file" }>;
    ops.push({
      op: "nodefs.file",
      path: p.at!,
      from: f.from,
      mode: f.mode ?? 0o644,
      ...own(f.owner),
      ...src(f),
    });
  }
  const mounts: NodeMount[] = [...overlays, ...binds];
  if (!files.some((f) => f.path === "/etc/hosts"))
    mounts.push({ kind: "bind", from: labHostsPath(labfs), to: "/etc/hosts" });
  mounts.push({ kind: "sysfs" });
  for (const tree of [...trees].filter((x) => x.dir === "/tmp" || x.dir === "/run").reverse())
    mounts.push({ kind: "bind", from: tree.at, to: tree.dir });
  return { ops, mounts };
}

const src = (f: NodeFile) => (f.src ? { src: f.src } : {});

/** The directory an entry's overlay goes on: the deepest one the host has on its way. */
function anchorOf(p: Placed, host: HostFacts): string {
  const fact = host.paths?.[p.file.path];
  if (!fact) return posix.dirname(p.canonical);
  // A path the host has as a directory (a file entry over it) or a file (a directory entry over it)
  // is replaced from its parent.
  return fact.type === "missing" ? fact.existing : posix.dirname(fact.canonical);
}

/** Why an overlay cannot go on `anchor`, or undefined. */
function anchorProblem(anchor: string, host: HostFacts): string | undefined {
  if (anchor === "/")
    return "it needs a new directory at the top of the file system, which nslab cannot give a node without changing the host; put it below an existing directory (e.g. /srv, /opt)";
  if (/[,:\\]/.test(anchor))
    return `the directory ${anchor} (which would be overlaid) has ',', ':' or '\\' in its name`;
  const below = (host.mounts ?? []).find((m) => m.startsWith(`${anchor}/`));
  if (below)
    return `the host has a mount at ${below}, below ${anchor}, which an overlay of ${anchor} would hide`;
  return undefined;
}

/** Programs of services that the host does not have (nodes run the host's programs). */
function programProblems(nodes: readonly NetnsNode[], host: HostFacts): Problem[] {
  const problems: Problem[] = [];
  if (!host.programs) return problems;
  for (const n of nodes)
    for (const s of n.services ?? [])
      for (const argv of [s.command, s.ready.kind === "command" ? s.ready.command : undefined]) {
        if (!argv) continue;
        const program = argv[0]!;
        if (n.files?.some((f) => f.kind === "file" && f.path === program)) continue;
        if (getOwn(host.programs, program) === null)
          problems.push({
            message: `service '${n.name}/${s.name}': program '${program}' is not installed on this host (nodes run the host's programs)`,
            location: argv === s.command ? (s.at?.command ?? s.src) : (s.at?.ready ?? s.src),
            hint: program.startsWith("/")
              ? "check the path, or give the node that file with files:"
              : "install it, or give its absolute path; programs are looked up in /usr/sbin, /usr/bin, /sbin, /bin, /usr/local/sbin, /usr/local/bin",
          });
      }
  return problems;
}

/** Owners of node files that the host's accounts do not have. */
function ownerProblems(nodes: readonly NetnsNode[], host: HostFacts): Problem[] {
  const problems: Problem[] = [];
  const a = host.accounts;
  if (!a) return problems;
  for (const n of nodes)
    for (const f of n.files ?? []) {
      if (!f.owner) continue;
      const missing = [
        /^\d+$/.test(f.owner.user) || Object.hasOwn(a.users, f.owner.user)
          ? undefined
          : `user '${f.owner.user}'`,
        f.owner.group === undefined || /^\d+$/.test(f.owner.group) || Object.hasOwn(a.groups, f.owner.group)
          ? undefined
          : `group '${f.owner.group}'`,
      ].filter(Boolean);
      if (missing.length > 0)
        problems.push({
          message: `files: ${f.path} in node '${n.name}' is owned by ${missing.join(" and ")}, which this host does not have`,
          location: f.src,
        });
    }
  return problems;
}
