/**
 * The node-environment channel sends a run of directories, mount namespaces and /etc/netns entries
 * as one agent request, with exact outcomes.
 */
import { describe, expect, it } from "vitest";
import { nodefsChannel } from "../../../src/drivers/apply/nodefs-channel.js";
import type { AgentCommand, AgentReply, NsAgent } from "../../../src/drivers/nsagent/index.js";
import type { Op } from "../../../src/plan/ops.js";

const mntns = (ns: string): Op => ({
  op: "mntns.add",
  ns,
  file: `/run/nslab/fs/t/ns/${ns}`,
  labfs: "/run/nslab/fs/t",
  fsroot: "/",
  mounts: [{ kind: "bind", from: "/run/nslab/fs/t/hosts", to: "/etc/hosts" }, { kind: "sysfs" }],
});

const dir = (path: string, owner?: { user: string; group?: string }): Op => ({
  op: "nodefs.dir",
  path,
  mode: 0o1777,
  ...(owner ? { owner } : {}),
});
const etc = (ns: string): Op => ({ op: "etcnetns.add", ns, hosts: "/run/nslab/fs/t/hosts" });

/**
 * A fake agent: records each request; `mkmnt` of `failNs` (or the `hostslink` of its entry) is
 * refused; stop-on-error skips the rest.
 */
function fakeAgent(failNs?: string) {
  const requests: { cmds: AgentCommand[]; stopOnError: boolean }[] = [];
  const agent = {
    async exec(cmds: AgentCommand[], options: { stopOnError?: boolean } = {}): Promise<AgentReply[]> {
      requests.push({ cmds, stopOnError: options.stopOnError ?? false });
      let failed = false;
      return cmds.map((c) => {
        if (failed && options.stopOnError) return { status: "skip" };
        if (
          (c.op === "mkmnt" && c.ns === failNs) ||
          (c.op === "hostslink" && c.dir === `/etc/netns/${failNs}`)
        ) {
          failed = true;
          return { status: "err", errno: 22, message: "Invalid argument" };
        }
        return { status: "ok" };
      });
    },
  } as unknown as NsAgent;
  return { agent, requests };
}

describe("node environment channel", () => {
  it("makes the mount namespaces of many nodes in one agent request, the template once", async () => {
    const { agent, requests } = fakeAgent();
    const ops = [mntns("a"), mntns("b"), mntns("c")];
    const outcomes = await nodefsChannel(async () => agent).apply(ops, "stop");
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.stopOnError).toBe(true);
    expect(requests[0]!.cmds.map((c) => c.op)).toEqual([
      "mnttmpl",
      ...["a", "b", "c"].flatMap(() => ["mntbind", "mntsys", "mkmnt"]),
    ]);
  });

  it("reports the refused node as failed and the ones after it as not attempted", async () => {
    const { agent, requests } = fakeAgent("b");
    const ops = [mntns("a"), mntns("b"), mntns("c")];
    const outcomes = await nodefsChannel(async () => agent).apply(ops, "stop");
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "failed", "skipped"]);
    expect(outcomes[1]).toMatchObject({ message: "Invalid argument" });
    expect(requests).toHaveLength(1);
  });

  it("in continue mode keeps one request per node (a refusal does not stop the others)", async () => {
    const { agent, requests } = fakeAgent("b");
    const ops = [mntns("a"), mntns("b"), mntns("c")];
    const outcomes = await nodefsChannel(async () => agent).apply(ops, "continue");
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "failed", "ok"]);
    expect(requests).toHaveLength(3);
    expect(requests[0]!.cmds[0]!.op).toBe("mnttmpl");
    expect(requests[2]!.cmds[0]!.op).toBe("mntbind");
  });

  it("makes the nodes' directories, mount namespaces and /etc/netns entries in one request, in order", async () => {
    const { agent, requests } = fakeAgent();
    const ops = [
      dir("/run/nslab/fs/t/n/a/run"),
      dir("/run/nslab/fs/t/n/b/run", { user: "0" }),
      mntns("a"),
      etc("a"),
    ];
    const outcomes = await nodefsChannel(async () => agent).apply(ops, "stop");
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.cmds).toEqual([
      { op: "mkdir", path: "/run/nslab/fs/t/n/a/run", mode: 0o1777 },
      { op: "mkdir", path: "/run/nslab/fs/t/n/b/run", mode: 0o1777, uid: 0, gid: 0 },
      { op: "mnttmpl", fsroot: "/", labfs: "/run/nslab/fs/t" },
      { op: "mntbind", from: "/run/nslab/fs/t/hosts", to: "/etc/hosts" },
      { op: "mntsys" },
      { op: "mkmnt", ns: "a", file: "/run/nslab/fs/t/ns/a", labfs: "/run/nslab/fs/t" },
      { op: "hostslink", dir: "/etc/netns/a", target: "/run/nslab/fs/t/hosts" },
    ]);
  });

  it("an /etc/netns entry the agent refuses fails that node's operation, with the agent's words", async () => {
    const { agent } = fakeAgent("b");
    const ops = [etc("a"), etc("b"), etc("c")];
    const outcomes = await nodefsChannel(async () => agent).apply(ops, "stop");
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "failed", "skipped"]);
    expect(outcomes[1]).toMatchObject({
      message: "Invalid argument",
      command: "mkdir -p /etc/netns/b && ln -s /run/nslab/fs/t/hosts /etc/netns/b/hosts",
    });
  });

  it("a directory whose owner this host does not know fails before anything after it is sent", async () => {
    const { agent, requests } = fakeAgent();
    const ops = [dir("/x/a"), dir("/x/b", { user: "no-such-user-nslab" }), dir("/x/c")];
    const outcomes = await nodefsChannel(async () => agent).apply(ops, "stop");
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "failed", "skipped"]);
    expect(outcomes[1]).toMatchObject({ message: "no user 'no-such-user-nslab' on this host" });
    expect(requests.map((r) => r.cmds.map((c) => c.op))).toEqual([["mkdir"]]);
  });
});
