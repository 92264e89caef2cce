/**
 * The node-environment channel: the lab's file system (a tmpfs, through the native agent), the
 * files and directories of each node in it (files written here, directories made by the agent, in
 * the host's view of that tmpfs), each node's kept mount namespace (the agent: template, queued
 * mounts, `mkmnt`), and iproute2's /etc/netns/NS/hosts entries (made by the agent, removed here).
 * Never writes anywhere else on the host.
 */
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { readlink, rmdir, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { FileOwner } from "../../model/env-types.js";
import { commandArgv, opCommands } from "../../plan/commands.js";
import type { Op, OpOf } from "../../plan/ops.js";
import type { AgentCommand, AgentReply, NsAgent } from "../nsagent/index.js";
import { formatArgv } from "../runner/index.js";
import type { Channel, OpOutcome } from "./types.js";

const ETC_NETNS = "/etc/netns";
/** How many /etc/netns entries are removed side by side (libuv has four threads). */
const ETC_NETNS_AT_ONCE = 64;

export function nodefsChannel(agent: () => Promise<NsAgent>): Channel {
  return {
    name: "node environment",
    independent: true,
    async apply(ops, mode) {
      const outcomes: OpOutcome[] = ops.map(() => ({ status: "skipped" }));
      let template: string | undefined;
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        // A run of the nodes' directories, mount namespaces and /etc/netns entries goes to the
        // agent in one request: one round trip for the lab instead of one per node, and the
        // thousands of file system calls made by the agent's process, not this thread (which the
        // links' channel needs meanwhile); it stops at the first refusal.
        if (mode === "stop" && BY_AGENT.has(op.op)) {
          let end = i + 1;
          while (end < ops.length && BY_AGENT.has(ops[end]!.op)) end++;
          template = await agentRun(ops.slice(i, end), agent, template, outcomes, i);
          if (outcomes.slice(i, end).some((o) => o.status === "failed")) break;
          i = end - 1;
          continue;
        }
        // A run of /etc/netns removals: a few dozen at a time in libuv's threads (one after the
        // other, 10,000 of them took twice as long as the synchronous calls).
        if (op.op === "etcnetns.del") {
          let end = i + 1;
          while (end < ops.length && ops[end]!.op === "etcnetns.del") end++;
          for (let k = i; k < end; k += ETC_NETNS_AT_ONCE)
            await Promise.all(
              ops.slice(k, Math.min(end, k + ETC_NETNS_AT_ONCE)).map(async (o, j) => {
                outcomes[k + j] = await applyOne(o, agent, template).catch((e: Error) => ({
                  status: "failed" as const,
                  message: e.message,
                  command: commandOf(o),
                }));
              }),
            );
          if (mode === "stop" && outcomes.slice(i, end).some((o) => o.status === "failed")) break;
          i = end - 1;
          continue;
        }
        try {
          const done = await applyOne(op, agent, template);
          if (op.op === "mntns.add") template = `${op.fsroot}\t${op.labfs}`;
          outcomes[i] = done;
        } catch (e) {
          outcomes[i] = { status: "failed", message: (e as Error).message, command: commandOf(op) };
        }
        if (outcomes[i]!.status === "failed" && mode === "stop") break;
      }
      // /etc/netns itself stays, as iproute2 leaves /run/netns: it is every tool's. Removed when a
      // lab's down left it empty, it went under another lab's `up` between its making /etc/netns and
      // /etc/netns/NS (ENOENT: the stress run's one failure in 1,627 cycles), or anyone's mkdir.
      return outcomes;
    },
  };
}

/** The agent's commands making one node's mount namespace (the template only when it changes). */
function mountCommands(op: OpOf<"mntns.add">, template: string | undefined): AgentCommand[] {
  const cmds: AgentCommand[] = [];
  if (template !== `${op.fsroot}\t${op.labfs}`)
    cmds.push({ op: "mnttmpl", fsroot: op.fsroot, labfs: op.labfs });
  for (const m of op.mounts)
    cmds.push(
      m.kind === "sysfs"
        ? { op: "mntsys" }
        : m.kind === "bind"
          ? { op: "mntbind", from: m.from, to: m.to }
          : { op: "mntover", dir: m.dir, upper: m.upper, work: m.work },
    );
  cmds.push({ op: "mkmnt", ns: op.ns, file: op.file, labfs: op.labfs });
  return cmds;
}

/** Operations the agent makes, a run of them in one request when building. */
const BY_AGENT = new Set<Op["op"]>(["nodefs.dir", "mntns.add", "etcnetns.add"]);

/** The agent's commands for one of {@link BY_AGENT}'s operations; `template`: the one the agent holds. */
function agentCommands(op: Op, template: string | undefined, owners: Owners): AgentCommand[] {
  switch (op.op) {
    case "mntns.add":
      return mountCommands(op, template);
    case "nodefs.dir":
      return [{ op: "mkdir", path: op.path, mode: op.mode, ...(op.owner ? owners(op.owner) : {}) }];
    case "etcnetns.add":
      return [{ op: "hostslink", dir: `${ETC_NETNS}/${op.ns}`, target: op.hosts }];
    default:
      throw new Error(`internal: ${op.op} is not made by the agent`);
  }
}

/**
 * Several of {@link BY_AGENT}'s operations in one agent request (stopping at the first error); each
 * op's outcome is written to `outcomes` from index `at`. Returns the template the agent holds after.
 */
async function agentRun(
  ops: readonly Op[],
  agent: () => Promise<NsAgent>,
  template: string | undefined,
  outcomes: OpOutcome[],
  at: number,
): Promise<string | undefined> {
  const spans: number[] = [];
  const cmds: AgentCommand[] = [];
  const owners = ownerIds();
  let held = template;
  // An operation that cannot even be said (an owner unknown here) fails; the ones before it are sent.
  let refused: OpOutcome | undefined;
  for (const op of ops) {
    try {
      const c = agentCommands(op, held, owners);
      if (op.op === "mntns.add") held = `${op.fsroot}\t${op.labfs}`;
      cmds.push(...c);
      spans.push(c.length);
    } catch (e) {
      refused = { status: "failed", message: (e as Error).message, command: commandOf(op) };
      break;
    }
  }
  let replies: AgentReply[] = [];
  if (cmds.length > 0)
    try {
      replies = await (await agent()).exec(cmds, { stopOnError: true });
    } catch (e) {
      outcomes[at] = { status: "failed", message: (e as Error).message, command: commandOf(ops[0]!) };
      return undefined;
    }
  let k = 0;
  let failed = false;
  spans.forEach((n, j) => {
    const mine = replies.slice(k, k + n);
    k += n;
    const err = mine.find((r) => r.status === "err");
    if (err?.status === "err") {
      failed = true;
      outcomes[at + j] = { status: "failed", message: err.message, command: commandOf(ops[j]!) };
    } else if (mine.every((r) => r.status === "ok")) outcomes[at + j] = { status: "ok" };
  });
  if (refused && !failed) outcomes[at + spans.length] = refused;
  // After a refusal the agent's template is not known: the next request sends it again.
  return failed || refused ? undefined : held;
}

const commandOf = (op: Op) =>
  opCommands(op)
    .map((c) => formatArgv(commandArgv(c)))
    .join(" && ");

/** Run agent commands; the first error is thrown with the agent's words. */
async function viaAgent(agent: () => Promise<NsAgent>, cmds: AgentCommand[]): Promise<AgentReply[]> {
  const replies = await (await agent()).exec(cmds, { stopOnError: true });
  const err = replies.find((r) => r.status === "err");
  if (err?.status === "err") throw Object.assign(new Error(err.message), { errno: err.errno });
  return replies;
}

async function applyOne(
  op: Op,
  agent: () => Promise<NsAgent>,
  template: string | undefined,
): Promise<OpOutcome> {
  switch (op.op) {
    case "labfs.mount":
      await viaAgent(agent, [{ op: "mkfs", path: op.path, name: op.name }]);
      break;
    case "labfs.umount":
      await viaAgent(agent, [{ op: "umnt", path: op.path, name: op.name }]);
      break;
    case "nodefs.dir":
    case "etcnetns.add":
      await viaAgent(agent, agentCommands(op, template, ownerIds()));
      break;
    case "nodefs.file":
      mkdirSync(dirname(op.path), { recursive: true, mode: 0o755 });
      if ("path" in op.from) copyFileSync(op.from.path, op.path);
      else writeFileSync(op.path, op.from.content);
      chmodSync(op.path, op.mode);
      own(op.path, op.owner);
      break;
    case "nodefs.tree":
      cpSync(op.from, op.path, { recursive: true, dereference: false, preserveTimestamps: true });
      if (op.mode !== undefined) chmodSync(op.path, op.mode);
      if (op.owner) ownTree(op.path, op.owner);
      break;
    case "mntns.add":
      await viaAgent(agent, mountCommands(op, template));
      break;
    case "mntns.del":
      await viaAgent(agent, [{ op: "delmnt", file: op.file }]);
      break;
    case "etcnetns.del":
      await delEtcNetns(op.ns, op.hosts);
      break;
    default:
      throw new Error(`internal: ${op.op} is not a node-environment operation`);
  }
  return { status: "ok" };
}

/**
 * Remove our /etc/netns/NS/hosts (only if it is our link), then NS's directory if that left it
 * empty (/etc/netns itself stays, see the channel). In libuv's threads: `down` has
 * the kernel delete the lab's network meanwhile.
 */
async function delEtcNetns(ns: string, hosts: string): Promise<void> {
  const dir = `${ETC_NETNS}/${ns}`;
  const link = `${dir}/hosts`;
  if ((await readlink(link).catch(() => undefined)) === hosts) await unlink(link);
  await rmdir(dir).catch(() => undefined); // gone already, or not empty: someone else's entries
}

/** uid/gid of an owner on this host (names from /etc/passwd and /etc/group). */
function ids(owner: FileOwner): { uid: number; gid: number } {
  const table = (file: string) =>
    new Map(
      readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(":"))
        .map((f) => [f[0]!, f] as const),
    );
  const users = table("/etc/passwd");
  const u = /^\d+$/.test(owner.user) ? undefined : users.get(owner.user);
  const uid = u ? Number(u[2]) : Number(owner.user);
  if (!Number.isInteger(uid)) throw new Error(`no user '${owner.user}' on this host`);
  let gid = u ? Number(u[3]) : uid;
  if (owner.group !== undefined) {
    const g = /^\d+$/.test(owner.group) ? undefined : table("/etc/group").get(owner.group);
    gid = g ? Number(g[2]) : Number(owner.group);
    if (!Number.isInteger(gid)) throw new Error(`no group '${owner.group}' on this host`);
  }
  return { uid, gid };
}

/** uid/gid of owners, each looked up once (a lab's nodes mostly share theirs). */
type Owners = (owner: FileOwner) => { uid: number; gid: number };

function ownerIds(): Owners {
  const known = new Map<string, { uid: number; gid: number }>();
  return (owner) => {
    const key = `${owner.user}:${owner.group ?? ""}`;
    const v = known.get(key) ?? ids(owner);
    known.set(key, v);
    return v;
  };
}

function own(path: string, owner: FileOwner | undefined): void {
  if (!owner) return;
  const { uid, gid } = ids(owner);
  chownSync(path, uid, gid);
}

function ownTree(path: string, owner: FileOwner): void {
  const { uid, gid } = ids(owner);
  const walk = (p: string) => {
    chownSync(p, uid, gid);
    if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) walk(`${p}/${e}`);
  };
  walk(path);
}
