/**
 * What planning nodes' own environments needs to know about this host (HostFacts): whether nodes
 * can have their own mount namespace (root and the native agent), what the host has at the paths
 * of node files (so the planner picks a bind or an overlay), its mount points (an overlay must not
 * hide one), where services' programs are, its accounts (for owners), and where /etc/resolv.conf
 * really is. Only what the topology asks about is looked at.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { posix } from "node:path";
import type { NetnsNode, Topology } from "../../model/types.js";
import type { Accounts, HostFacts, PathFact } from "../../plan/host.js";
import { setOwn } from "../../util/keys.js";
import { findAgentBinary } from "../nsagent/index.js";
import { isRoot } from "./facts.js";
import { readMounts } from "./mounts.js";

/** The fixed PATH services and node commands get. */
export const NODE_PATH = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

/** The node-environment facts for `t`, with nslab's state under `stateRoot`. */
export function nodeEnvFacts(t: Topology, stateRoot: string): Partial<HostFacts> {
  const nodes = t.nodes.filter((n): n is NetnsNode => n.kind === "netns");
  const resolv = resolvConf();
  const nat = nodes.filter((n) => n.nat);
  // Behind NAT gateways that name no servers, nodes use the host's: read what they would see.
  const hostResolv =
    nat.length > 0 && !nat.some((n) => n.nat?.dns)
      ? readResolv(resolv?.from ?? "/etc/resolv.conf")
      : undefined;
  const dns = hostResolv ? { hostResolv } : {};
  if (nodes.length === 0 || !isRoot() || !findAgentBinary()) return dns;
  const paths: Record<string, PathFact> = {};
  if (hostResolv) paths["/etc/resolv.conf"] = pathFact("/etc/resolv.conf");
  for (const n of nodes) for (const f of n.files ?? []) paths[f.path] ??= pathFact(f.path);
  const programs: Record<string, string | null> = {};
  for (const n of nodes)
    for (const s of n.services ?? [])
      for (const argv of [s.command, s.ready.kind === "command" ? s.ready.command : undefined])
        if (argv?.[0] !== undefined && !Object.hasOwn(programs, argv[0]))
          setOwn(programs, argv[0], findProgram(argv[0]));
  const owners = nodes.some((n) => n.files?.some((f) => f.owner));
  return {
    ...dns,
    nodeEnv: true,
    stateRoot,
    paths,
    // Only an overlay over a node file's directory needs them (it must not hide a mount); the
    // host's mount table is long where many namespaces exist (each one a mount in /run/netns).
    mounts: Object.keys(paths).length > 0 ? mountPoints() : [],
    programs,
    ...(owners ? { accounts: accounts() } : {}),
    ...(resolv ? { resolvConf: resolv } : {}),
  };
}

/** What the host has at `path`: its canonical form, its kind, the deepest directory that exists. */
export function pathFact(path: string): PathFact {
  // Resolve the longest prefix that exists (symbolic links followed), then append the rest.
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing) && existing !== "/") {
    rest.unshift(posix.basename(existing));
    existing = posix.dirname(existing);
  }
  const real = realpathSync(existing);
  const canonical = rest.length > 0 ? posix.join(real, ...rest) : real;
  if (rest.length > 0) {
    // A file where a directory is needed: the deepest directory is its parent.
    const dir = statSync(real).isDirectory() ? real : posix.dirname(real);
    return { canonical, type: "missing", existing: dir };
  }
  const st = statSync(real);
  return {
    canonical,
    type: st.isFile() ? "file" : st.isDirectory() ? "dir" : "other",
    existing: st.isDirectory() ? real : posix.dirname(real),
  };
}

/** Where `program` is (an absolute path as given, else in the fixed PATH), or null. */
export function findProgram(program: string): string | null {
  if (program.includes("/")) return existsSync(program) ? program : null;
  for (const dir of NODE_PATH) {
    const p = `${dir}/${program}`;
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** The host's mount points (its own view). */
const mountPoints = (): string[] => readMounts().map((m) => m.point);

function accounts(): Accounts {
  const rows = (file: string) =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(":"));
  const users: Record<string, { uid: number; gid: number }> = {};
  const groups: Record<string, number> = {};
  for (const f of rows("/etc/passwd")) setOwn(users, f[0]!, { uid: Number(f[2]), gid: Number(f[3]) });
  for (const f of rows("/etc/group")) setOwn(groups, f[0]!, Number(f[2]));
  return { users, groups };
}

function readResolv(path: string): { path: string; text: string } | undefined {
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch {
    return undefined;
  }
}

/** /etc/resolv.conf when it links into /run (a node with its own /run would see nothing there). */
function resolvConf(): { at: string; from: string } | undefined {
  try {
    if (!lstatSync("/etc/resolv.conf").isSymbolicLink()) return undefined;
    const at = realpathSync("/etc/resolv.conf");
    if (!at.startsWith("/run/")) return undefined;
    // systemd-resolved's stub (127.0.0.53) is not reachable from a node: its upstreams are.
    const upstream = "/run/systemd/resolve/resolv.conf";
    return { at, from: existsSync(upstream) ? upstream : at };
  } catch {
    return undefined;
  }
}
