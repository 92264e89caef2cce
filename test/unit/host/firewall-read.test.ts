/**
 * readFirewall's first look: whether the namespace has any nftables table at all (asked of a
 * running agent). None: `nft` is not started and the firewall reads as empty; some, or no answer: the
 * whole ruleset is read as before. Commands are answered from recorded output, never run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFirewall } from "../../../src/drivers/host/firewall.js";
import type { NftTable } from "../../../src/drivers/nsagent/index.js";
import type { RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import { RecordingRunner } from "../../support/recording-runner.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

/** nft and iptables-nft-save answer with the Docker-like host's recorded output. */
class HostRunner extends RecordingRunner {
  override async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    await super.run(argv, options);
    const out = (stdout: string): RunResult => ({ argv, exitCode: 0, stdout, stderr: "", durationMs: 1 });
    if (argv[0] === "nft") return out(fixture("docker-like.nft.json"));
    if (argv[0] === "iptables-nft-save") return out(fixture("docker-like.ip.save"));
    if (argv[0] === "ip6tables-nft-save") return out(fixture("docker-like.ip6.save"));
    return out("");
  }
  ran(tool: string): boolean {
    return this.calls.some((c) => c.argv[0] === tool);
  }
}

const tables = (t: NftTable[] | undefined) => () => Promise.resolve(t);

describe("readFirewall", () => {
  it("does not start nft when the namespace has no nftables table", async () => {
    const runner = new HostRunner();
    const fw = await readFirewall(runner, { ownRules: true, nftTables: tables([]) });
    expect(runner.ran("nft")).toBe(false);
    expect(runner.ran("iptables-nft-save")).toBe(false);
    expect(fw.read.nft).toBe(true);
    expect(fw.chains).toEqual([]);
    expect(fw.rules).toEqual([]);
    expect(fw.tables).toEqual([]);
  });

  it("reads the whole ruleset when there is a table, when the agent cannot say, or fails", async () => {
    for (const nftTables of [
      tables([{ family: "ip", name: "filter" }]),
      tables(undefined),
      () => Promise.reject(new Error("agent died")),
    ]) {
      const runner = new HostRunner();
      const fw = await readFirewall(runner, { ownRules: true, nftTables });
      expect(runner.calls[0]?.argv).toEqual(["nft", "-j", "list", "ruleset"]);
      expect(runner.ran("iptables-nft-save")).toBe(true);
      expect(fw.read.nft).toBe(true);
      expect(fw.chains).toContainEqual(
        expect.objectContaining({
          backend: "iptables-nft",
          table: "filter",
          base: "FORWARD",
          policy: "drop",
        }),
      );
    }
  });

  it("runs nft without asking when no agent is there to ask", async () => {
    const runner = new HostRunner();
    const fw = await readFirewall(runner);
    expect(runner.calls.map((c) => c.argv[0])).toEqual(["nft", "iptables-nft-save", "ip6tables-nft-save"]);
    expect(fw.read.nft).toBe(true);
  });
});
