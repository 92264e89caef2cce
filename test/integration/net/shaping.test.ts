/**
 * Throughput, shaping and link faults against the real kernel: a rate from the file is a tbf qdisc that
 * iperf3 measures; the rate changes and clears on the running lab without recreating it; delay, loss
 * and jitter are refused at plan time on this kernel (no netem) before anything exists; a link taken
 * down makes `nslab test` fail and comes back. No iperf3 or listener is left running.
 */
import { describe, expect, it } from "vitest";
import { canTouchKernel, inNs, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { netLab, pidsIn } from "../../support/net.js";

const PAIR = (extra: string) => `name: shaped
nodes:
  a: { interfaces: { eth0: 10.31.0.1/24 } }
  b: { interfaces: { eth0: 10.31.0.2/24 } }
links:
  - endpoints: [a:eth0, b:eth0]
${extra}
expect:
  - a -> b: reachable
  - { from: a, to: b, tcp: 5001, expect: reachable }
`;

const mbps = (stdout: string) => JSON.parse(stdout).mbps as number;

describe.skipIf(!canTouchKernel && !mustRun)("throughput, shaping and link faults", () => {
  const { prefix, lab, files } = netLab("shape");
  const a = `${prefix}a`;
  const b = `${prefix}b`;

  it("limits the rate declared in the file (tbf), as iperf3 measures it", () => {
    const file = files.file("shaped.yaml", PAIR("    rate: 20mbit"));
    const up = nslab(["up", file, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(inNs(a, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).toMatch(
      /qdisc tbf \S+ root .*rate 20Mbit/,
    );
    expect(inNs(b, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).toMatch(
      /qdisc tbf \S+ root .*rate 20Mbit/,
    );
    const r = nslab(["iperf", lab, "a", "b", "--time", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ from: "a", to: "b", address: "10.31.0.2", protocol: "tcp", seconds: 2 });
    expect(result.mbps).toBeGreaterThan(10);
    expect(result.mbps).toBeLessThan(24);
    expect(pidsIn(a)).toEqual([]);
    expect(pidsIn(b)).toEqual([]);
  });

  it("changes and clears shaping on the running lab without recreating it", () => {
    const ifindex = inNs(a, ["cat", "/sys/class/net/eth0/ifindex"]).stdout;
    const slow = nslab(["link", lab, "a:eth0", "--rate", "5mbit"]);
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.stderr).toContain(`tc -n ${a} qdisc replace dev eth0 root tbf rate 5mbit`);
    const five = mbps(nslab(["iperf", lab, "a", "b", "--time", "2", "--json"]).stdout);
    expect(five).toBeGreaterThan(2);
    expect(five).toBeLessThan(7);
    // The other direction still has the file's 20mbit.
    expect(mbps(nslab(["iperf", lab, "b", "a", "--time", "2", "--json"]).stdout)).toBeGreaterThan(10);
    const clear = nslab(["link", lab, "a:eth0", "--clear", "--both"]);
    expect(clear.code, clear.stderr).toBe(0);
    expect(inNs(a, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).not.toMatch(/tbf/);
    expect(mbps(nslab(["iperf", lab, "a", "b", "--time", "2", "--json"]).stdout)).toBeGreaterThan(50);
    // Same interface: nothing was recreated.
    expect(inNs(a, ["cat", "/sys/class/net/eth0/ifindex"]).stdout).toBe(ifindex);
    // Clearing again is not an error.
    expect(nslab(["link", lab, "a:eth0", "--clear"]).code).toBe(0);
  });

  it("follows an edited file in place: a new rate replaces the qdisc, no rate removes it", () => {
    const ifindex = inNs(a, ["cat", "/sys/class/net/eth0/ifindex"]).stdout;
    const edited = files.file("shaped.yaml", PAIR("    rate: 3mbit"));
    const up = nslab(["up", edited, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(inNs(a, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).toMatch(/tbf .*rate 3Mbit/);
    expect(inNs(b, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).toMatch(/tbf .*rate 3Mbit/);
    const plain = files.file("shaped.yaml", PAIR(""));
    expect(nslab(["up", plain, "--prefix", prefix, "--name", lab]).code).toBe(0);
    expect(inNs(a, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).not.toMatch(/tbf/);
    expect(inNs(a, ["cat", "/sys/class/net/eth0/ifindex"]).stdout).toBe(ifindex);
  });

  it("measures UDP too (loss and jitter reported), leaving no iperf3 behind", () => {
    const r = nslab(["iperf", lab, "b", "a", "--udp", "--bitrate", "10M", "--time", "1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.protocol).toBe("udp");
    expect(result.mbps).toBeGreaterThan(5);
    expect(result.lostPercent).toBeTypeOf("number");
    expect(pidsIn(a)).toEqual([]);
    expect(pidsIn(b)).toEqual([]);
  });

  it("refuses delay/loss/jitter on this kernel: at plan time for a file, before changing a running link", () => {
    const netem = files.file("netem.yaml", PAIR("    delay: 20ms\n    loss: 1%"));
    const snap = scopedSnapshot(`${prefix}n`, `${lab}-netem`);
    const up = nslab(["up", netem, "--prefix", `${prefix}n`, "--name", `${lab}-netem`]);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(
      /netem\.yaml:6:5 \(links\[0\]\): link asks for delay, loss .*this kernel has no netem/,
    );
    expect(up.stderr).toMatch(/nothing was changed/);
    expect(scopedSnapshot(`${prefix}n`, `${lab}-netem`)).toEqual(snap);
    expect(nslab(["plan", netem]).code).toBe(2);
    const live = nslab(["link", lab, "a:eth0", "--delay", "10ms"]);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/delay needs netem, and this kernel has no netem/);
    expect(inNs(a, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).not.toMatch(/netem|tbf/);
  });

  it("rolls shaping back with the lab when up fails after a qdisc was set (iproute2 backend: tc -batch)", () => {
    const file = files.file("rollback.yaml", PAIR("    rate: 8mbit").replace("name: shaped", "name: rb"));
    const names = { prefix: `${prefix}r`, lab: `${lab}-rb` };
    const plan = JSON.parse(nslab(["plan", file, "--json", "--prefix", names.prefix]).stdout);
    const qdiscs = plan.operations
      .filter((o: { op: string }) => o.op === "qdisc.set")
      .map((o: { n: number }) => o.n);
    expect(qdiscs).toHaveLength(2);
    const snap = scopedSnapshot(names.prefix, names.lab);
    const env = { NSLAB_BACKEND: "iproute2", NSLAB_TEST_FAULTS: `fail-op=${qdiscs[1]}` };
    const failed = nslab(["up", file, "--prefix", names.prefix, "--name", names.lab], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/injected fault/);
    expect(scopedSnapshot(names.prefix, names.lab)).toEqual(snap);
    // The same lab without the fault: tc ran through `tc -batch` in each namespace.
    const ok = nslab(["up", file, "--prefix", names.prefix, "--name", names.lab], {
      env: { NSLAB_BACKEND: "iproute2" },
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(inNs(`${names.prefix}a`, ["tc", "qdisc", "show", "dev", "eth0"]).stdout).toMatch(
      /tbf .*rate 8Mbit/,
    );
    expect(nslab(["down", names.lab]).code).toBe(0);
    expect(scopedSnapshot(names.prefix, names.lab)).toEqual(snap);
  });

  it("a link taken down fails the test; brought back up, it passes", () => {
    expect(nslab(["test", lab, "--no-matrix"]).code).toBe(0);
    expect(nslab(["link", lab, "b:eth0", "down"]).code).toBe(0);
    const down = nslab(["test", lab, "--no-matrix"]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/FAIL {2}a -> b: reachable/);
    expect(nslab(["link", lab, "b:eth0", "up"]).code).toBe(0);
    const back = nslab(["test", lab]);
    expect(back.code, `${back.stdout}${back.stderr}`).toBe(0);
    expect(pidsIn(b)).toEqual([]);
  });
});
