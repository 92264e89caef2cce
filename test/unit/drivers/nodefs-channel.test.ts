/** The node-environment channel sends a run of mount namespaces as one agent request, exact outcomes. */
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

/** A fake agent: records each request; `mkmnt` of `failNs` is refused; stop-on-error skips the rest. */
function fakeAgent(failNs?: string) {
  const requests: { cmds: AgentCommand[]; stopOnError: boolean }[] = [];
  const agent = {
    async exec(cmds: AgentCommand[], options: { stopOnError?: boolean } = {}): Promise<AgentReply[]> {
      requests.push({ cmds, stopOnError: options.stopOnError ?? false });
      let failed = false;
      return cmds.map((c) => {
        if (failed && options.stopOnError) return { status: "skip" };
        if (c.op === "mkmnt" && c.ns === failNs) {
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
});
