/**
 * The Lab handle without a kernel: lookups from the topology (names as written → kernel names),
 * and exec's command line, environment and `check`, through a recording runner.
 */
import { describe, expect, it } from "vitest";
import type { Runner, RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import { CommandError } from "../../../src/drivers/runner/index.js";
import type { NslabError } from "../../../src/errors.js";
import { Lab } from "../../../src/lab/handle.js";
import { defineTopology } from "../../../src/model/builder.js";
import { newLabState, removeLab, saveLab } from "../../../src/state/store.js";

const topology = defineTopology("handle")
  .node("h1")
  .address("h1:eth0", "10.0.0.1/24", "fd00::1/64")
  .address("h1:eth1", "10.0.1.1/24")
  .node("h2")
  .address("h2:eth0", "fd00::2/64", "10.0.0.2/24")
  .node("h3")
  .interface("h3:eth0")
  .bridge("br0")
  .link("h1:eth0", "br0:p1")
  .link("h2:eth0", "br0:p2")
  .link("h1:eth1", "h3:eth0")
  .toTopology({ name: "handle-wabc", prefix: "wabc-" });

/** Records each run and answers with `answer`. */
class FakeRunner implements Runner {
  readonly calls: { argv: readonly string[]; options: RunOptions }[] = [];
  constructor(private readonly answer: Partial<RunResult> = {}) {}
  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv, options });
    return { argv, exitCode: 0, stdout: "", stderr: "", durationMs: 1, ...this.answer };
  }
  start(): never {
    throw new Error("not here");
  }
}

function open(runner?: Runner): Lab {
  saveLab({ ...newLabState(topology, []), status: "up" });
  return Lab.open(topology.name, runner ? { runner } : {});
}

describe("Lab", () => {
  it("maps the topology's names to the kernel's", () => {
    const lab = open();
    expect(lab.name).toBe("handle-wabc");
    expect(lab.prefix).toBe("wabc-");
    expect(lab.netns("h1")).toBe("wabc-h1");
    expect(lab.ifname("h1:eth0")).toBe("eth0"); // inside a namespace: as written
    expect(lab.ifname("br0:p1")).toBe("wabc-p1"); // in the root namespace: prefixed
    expect(lab.ifname("br0")).toBe("wabc-br0");
    expect(lab.node("br0").kind).toBe("bridge");
  });

  it("finds addresses: IPv4 first, by family, by interface", () => {
    const lab = open();
    expect(lab.address("h1")).toBe("10.0.0.1");
    expect(lab.address("h2")).toBe("10.0.0.2"); // IPv4 first even when written second
    expect(lab.address("h2", { family: 6 })).toBe("fd00::2");
    expect(lab.address("h1:eth1")).toBe("10.0.1.1");
    expect(lab.addresses("h1").map((a) => `${a.address}/${a.prefix}`)).toEqual([
      "10.0.0.1/24",
      "fd00::1/64",
      "10.0.1.1/24",
    ]);
    expect(lab.addresses("h1", { family: 6 })).toHaveLength(1);
  });

  it("says what exists when a name is wrong", () => {
    const lab = open();
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return `${(e as NslabError).code}: ${(e as NslabError).message} (${(e as NslabError).hint ?? ""})`;
      }
      return "no error";
    };
    expect(codeOf(() => lab.node("h9"))).toBe(
      "E_NOT_FOUND: lab 'handle-wabc' has no node 'h9' (its nodes: h1, h2, h3, br0)",
    );
    expect(codeOf(() => lab.netns("br0"))).toMatch(/^E_USAGE: node 'br0' is a bridge/);
    expect(codeOf(() => lab.ifname("h1"))).toMatch(/^E_USAGE: node 'h1' is a namespace/);
    expect(codeOf(() => lab.ifname("h1:eth7"))).toMatch(
      /^E_NOT_FOUND: .*no interface 'eth7' \(its interfaces: eth0, eth1\)/,
    );
    expect(codeOf(() => lab.address("h3"))).toMatch(/^E_NOT_FOUND: h3 of lab 'handle-wabc' has no address/);
    expect(codeOf(() => lab.address("h1:a:b"))).toMatch(/^E_USAGE: 'h1:a:b' is not an endpoint/);
    expect(codeOf(() => Lab.open("no-such-lab"))).toMatch(/^E_NOT_FOUND: no lab named 'no-such-lab' is up/);
  });

  it("runs exec in the node's namespace, with the given input and environment", async () => {
    const runner = new FakeRunner({ stdout: "hi\n" });
    const lab = open(runner);
    const r = await lab.exec("h2", ["cat"], { input: "hi\n", env: { A: "1" }, timeoutMs: 5000 });
    expect(r).toEqual({ exitCode: 0, stdout: "hi\n", stderr: "" });
    expect(runner.calls[0]?.argv).toEqual(["ip", "netns", "exec", "wabc-h2", "cat"]);
    expect(runner.calls[0]?.options).toMatchObject({
      input: "hi\n",
      env: { A: "1" },
      timeoutMs: 5000,
      allowFailure: true,
    });
  });

  it("returns a non-zero exit as a result, or with check: throws a CommandError", async () => {
    const lab = open(new FakeRunner({ exitCode: 3, stderr: "nope\n" }));
    expect(await lab.exec("h1", ["false"])).toEqual({ exitCode: 3, stdout: "", stderr: "nope\n" });
    const e = await lab.exec("h1", ["false"], { check: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandError);
    expect(e).toMatchObject({ code: "E_COMMAND", exitCode: 3, stderr: "nope\n", argv: ["false"] });
    expect((e as CommandError).hint).toContain("namespace wabc-h1");
  });

  it("passes its signal to exec, combined with the call's own", async () => {
    const runner = new FakeRunner();
    const outer = new AbortController();
    saveLab({ ...newLabState(topology, []), status: "up" });
    const lab = Lab.open(topology.name, { runner, signal: outer.signal });
    const own = new AbortController();
    await lab.exec("h1", ["true"], { signal: own.signal });
    const signal = runner.calls[0]?.options.signal;
    expect(signal?.aborted).toBe(false);
    outer.abort();
    expect(signal?.aborted).toBe(true);
    removeLab(topology.name);
  });
});

describe("Lab: one handle for every operation on a running lab", () => {
  it("tests the lab: its subnet pairs are pinged inside their nodes, through the handle's runner", async () => {
    const runner = new FakeRunner({ stdout: "64 bytes from x: icmp_seq=1 ttl=64 time=0.05 ms\n" });
    // iproute2: every command through the runner (the agent would ping the matrix itself).
    saveLab({ ...newLabState(topology, []), status: "up" });
    const report = await Lab.open(topology.name, { runner, backend: "iproute2" }).test();
    expect(report.lab).toBe("handle-wabc");
    expect(report.broughtUp).toBe(false);
    expect(report.failed).toBe(0);
    expect(report.results.length).toBeGreaterThan(0);
    expect(runner.calls.every((c) => c.argv[0] === "nsenter" && c.argv.includes("ping"))).toBe(true);
    expect(runner.calls.map((c) => c.argv[1])).toContain("--net=/run/netns/wabc-h1");
  });

  it("shapes one end of a link: the qdisc goes through the driver into the end's node", async () => {
    const runner = new FakeRunner();
    saveLab({ ...newLabState(topology, []), status: "up" });
    const lab = Lab.open(topology.name, { runner, backend: "iproute2" });
    const r = await lab.shape("h1:eth1", { rateBps: 10e6 });
    expect(r.shaping).toBe("rate 10mbit");
    expect(r.commands).toEqual([
      "tc -n wabc-h1 qdisc replace dev eth1 root tbf rate 10mbit burst 12500 latency 50ms",
    ]);
    expect(runner.calls.map((c) => c.argv.join(" "))).toEqual([
      "nsenter --net=/run/netns/wabc-h1 -- tc -batch -",
    ]);
    expect(runner.calls[0]?.options.input).toBe(
      "qdisc replace dev eth1 root tbf rate 10mbit burst 12500 latency 50ms\n",
    );
  });

  it("refuses operations on a lab that is not up, naming its state", async () => {
    saveLab({ ...newLabState(topology, []), status: "dirty" });
    const lab = Lab.open(topology.name, { runner: new FakeRunner() });
    await expect(lab.ping()).rejects.toMatchObject({
      code: "E_NOT_FOUND",
      message: "lab 'handle-wabc' is dirty, not up",
    });
    await expect(lab.iperf("h1", "h2")).rejects.toMatchObject({ code: "E_NOT_FOUND" });
    await expect(lab.test()).rejects.toMatchObject({ hint: expect.stringMatching(/nslab test FILE/) });
    removeLab(topology.name);
  });
});
