/** The channels map operations to requests and replies back to exact per-operation outcomes. */
import { describe, expect, it } from "vitest";
import { agentChannel } from "../../../src/drivers/apply/agent-channel.js";
import { firewallChannel } from "../../../src/drivers/apply/firewall-channel.js";
import { parseBatchErrors } from "../../../src/drivers/apply/ipbatch.js";
import { iprouteChannel } from "../../../src/drivers/apply/iproute-channel.js";
import type { AgentCommand, AgentReply, NsAgent } from "../../../src/drivers/nsagent/index.js";
import type { Runner, RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import type { Op } from "../../../src/plan/ops.js";
import { RecordingRunner, runResult } from "../../support/recording-runner.js";

const ops: Op[] = [
  { op: "netns.add", ns: "n1", marker: "nslab:t" },
  { op: "link.up", ns: "n1", dev: "e0" },
  { op: "addr.add", ns: "n1", dev: "e0", cidr: "10.0.0.1/24" },
  { op: "sysctl.set", ns: "n2", key: "net.ipv4.ip_forward", value: "1" },
];

describe("agent channel", () => {
  it("switches namespaces only when needed and maps replies to operations", async () => {
    let sent: AgentCommand[] = [];
    const agent = {
      async exec(cmds: AgentCommand[]): Promise<AgentReply[]> {
        sent = cmds;
        return cmds.map((c) =>
          c.op === "addr"
            ? { status: "err", errno: 17, message: "RTNETLINK answers: File exists" }
            : c.op === "sysctl"
              ? { status: "skip" }
              : { status: "ok" },
        ) as AgentReply[];
      },
    } as unknown as NsAgent;
    const outcomes = await agentChannel(async () => agent).apply(ops, "stop");
    expect(sent.map((c) => c.op)).toEqual(["root", "mkns", "ns", "up", "addr", "ns", "sysctl"]);
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "ok", "failed", "skipped"]);
    expect(outcomes[2]).toMatchObject({
      command: "ip -n n1 addr add 10.0.0.1/24 dev e0",
      message: "RTNETLINK answers: File exists",
    });
  });
});

describe("iproute2 channel", () => {
  it("runs root lines in one batch, each namespace's lines in another, and maps failures to lines", async () => {
    const calls: { argv: readonly string[]; input?: string }[] = [];
    const runner: Runner = {
      async run(argv: readonly string[], o: RunOptions = {}): Promise<RunResult> {
        calls.push({ argv, ...(o.input !== undefined ? { input: o.input } : {}) });
        const inNs = argv.includes("nsenter");
        const failing = inNs && argv.includes("--net=/run/netns/n1");
        return runResult(
          argv,
          failing ? "Error: ipv4: Address already assigned.\nCommand failed -:4\n" : undefined,
          1,
        );
      },
      start() {
        throw new Error("no");
      },
    };
    const outcomes = await iprouteChannel(runner).apply(ops, "stop");
    expect(calls[0]).toEqual({ argv: ["ip", "-batch", "-"], input: "netns add n1\n" });
    expect(calls[1]).toEqual({
      argv: ["nsenter", "--net=/run/netns/n1", "--", "ip", "-batch", "-"],
      input:
        "link set dev lo alias nslab:t\nlink set dev lo up\nlink set dev e0 up\naddr add 10.0.0.1/24 dev e0\n",
    });
    // Namespaces are configured in parallel: n2's batch had started, so its op succeeded (and a
    // rollback would undo it along with the rest — outcomes are exact, not a prefix).
    expect(outcomes.map((o) => o.status)).toEqual(["ok", "ok", "failed", "ok"]);
    expect(outcomes[2]).toMatchObject({
      message: "Error: ipv4: Address already assigned.",
      command: "ip -n n1 addr add 10.0.0.1/24 dev e0",
    });
  });

  it("parses ip's batch errors", () => {
    expect(
      parseBatchErrors(
        'RTNETLINK answers: File exists\nCommand failed -:3\nCannot find device "x"\nCommand failed -:5\n',
      ),
    ).toEqual([
      { line: 2, message: "RTNETLINK answers: File exists" },
      { line: 4, message: 'Cannot find device "x"' },
    ]);
  });
});

describe("firewall channel", () => {
  const table = (ns: string | null, table: string): Op => ({
    op: "nft.table.add",
    ns,
    family: "ip",
    table,
    comment: "nslab:t",
  });
  /** Records nft's runs (each 5 ms) and how many ran at once; fails in namespace `failIn`. */
  class ConcurrentRunner extends RecordingRunner {
    #running = 0;
    most = 0;
    constructor(private readonly failIn?: string) {
      super();
    }
    override async run(argv: readonly string[], o: RunOptions = {}): Promise<RunResult> {
      await super.run(argv, o);
      this.most = Math.max(this.most, ++this.#running);
      await new Promise((r) => setTimeout(r, 5));
      this.#running--;
      const failing = this.failIn !== undefined && argv.includes(`--net=/run/netns/${this.failIn}`);
      return runResult(argv, failing ? "Error: no" : undefined, 5);
    }
  }

  it("runs the host's transaction first, then the nodes' (an nft each), several at a time", async () => {
    const r = new ConcurrentRunner();
    const list = [
      table("n1", "nslab"),
      table(null, "nslab-t"),
      ...["n2", "n3", "n4", "n5", "n6"].map((n) => table(n, "nslab")),
    ];
    const outcomes = await firewallChannel(r).apply(list, "stop");
    expect(outcomes.map((o) => o.status)).toEqual(list.map(() => "ok"));
    expect(r.calls[0]).toEqual({
      argv: ["nft", "-f", "-"],
      input: 'add table ip nslab-t { comment "nslab:t"; }\n',
    });
    expect(r.calls.slice(1).map((x) => x.argv[1])).toEqual([
      "--net=/run/netns/n1",
      "--net=/run/netns/n2",
      "--net=/run/netns/n3",
      "--net=/run/netns/n4",
      "--net=/run/netns/n5",
      "--net=/run/netns/n6",
    ]);
    expect(r.most).toBe(4);
  });

  it("stops starting nodes' transactions after a failure (stop), and names the failed one", async () => {
    const r = new ConcurrentRunner("n1");
    const list = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"].map((n) => table(n, "nslab"));
    const outcomes = await firewallChannel(r).apply(list, "stop");
    // n1..n4 had started together; nothing after them.
    expect(r.calls).toHaveLength(4);
    expect(outcomes.map((o) => o.status)).toEqual([
      "failed",
      "ok",
      "ok",
      "ok",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
    ]);
    expect(outcomes[0]).toMatchObject({ message: "Error: no" });
  });
});
