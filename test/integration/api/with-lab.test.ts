/**
 * withLab and the Lab handle against the real kernel: a lab under a unique name and prefix, its
 * handle's lookups and commands, copies of one topology side by side (Linux bridge and OVS), and
 * teardown in every way a test can end — returning, throwing, timing out under vitest and
 * node:test, and the test process being killed. Each test ends with a leak check on its prefix.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError } from "../../../src/drivers/runner/index.js";
import { NslabError } from "../../../src/errors.js";
import type { Lab } from "../../../src/lab/handle.js";
import { defineTopology } from "../../../src/model/builder.js";
import { readLab } from "../../../src/state/store.js";
import { withLab } from "../../../src/testing.js";
import { canTouchKernel, eventually, inNs, kernelSnapshot, mustRun } from "../../support/kernel.js";

const root = join(import.meta.dirname, "..", "..", "..");
const seed = (name: string) => join(root, "examples", "seed", `${name}.yaml`);

/** Nothing of lab `lab` (prefix `prefix`) is left: no record, namespace, root link or OVS bridge. */
function expectGone(lab: string, prefix: string): void {
  const s = kernelSnapshot((n) => n.startsWith(prefix) || n === lab);
  expect(s).toEqual({
    netns: [],
    rootLinks: [],
    ovsBridges: [],
    state: [],
    labFileSystems: [],
    etcNetns: [],
  });
  expect(readLab(lab)).toBeUndefined();
}

async function gone(lab: string, prefix: string, timeoutMs = 20_000): Promise<boolean> {
  return eventually(() => {
    const s = kernelSnapshot((n) => n.startsWith(prefix) || n === lab);
    return s.netns.length + s.rootLinks.length + s.ovsBridges.length + s.state.length === 0;
  }, timeoutMs);
}

const hosts = (name: string, sw: "bridge" | "ovs-bridge" = "bridge") => {
  const b = defineTopology(name)
    .node("h1")
    .address("h1:eth0", "10.78.0.1/24", "fd00:78::1/64")
    .node("h2")
    .address("h2:eth0", "10.78.0.2/24", "fd00:78::2/64");
  return (sw === "bridge" ? b.bridge("sw") : b.ovsBridge("sw"))
    .link("h1:eth0", "sw:p1")
    .link("h2:eth0", "sw:p2");
};

describe.skipIf(!canTouchKernel && !mustRun)("withLab", () => {
  it("brings a lab up under a unique name and prefix, hands over its handle, and takes it down", async () => {
    let seen: { name: string; prefix: string } | undefined;
    const result = await withLab(hosts("api-basic"), async (lab) => {
      seen = { name: lab.name, prefix: lab.prefix };
      expect(lab.name).toMatch(/^api-basic-w[0-9a-z]{3}$/);
      expect(lab.prefix).toMatch(/^w[0-9a-z]{3}-$/);
      expect(lab.upResult?.alreadyUp).toBe(false);

      // The kernel's names are the prefixed ones; inside the namespaces, names are as written.
      const snap = kernelSnapshot((n) => n.startsWith(lab.prefix));
      expect(snap.netns).toEqual([lab.netns("h1"), lab.netns("h2")].sort());
      expect(snap.rootLinks).toEqual([lab.ifname("sw"), lab.ifname("sw:p1"), lab.ifname("sw:p2")].sort());
      expect(inNs(lab.netns("h1"), ["ip", "-br", "addr", "show", "dev", "eth0"]).stdout).toContain(
        "10.78.0.1/24",
      );

      const report = await lab.ping();
      expect(report.results).toHaveLength(4);
      expect(report.lost).toBe(0);
      expect((await lab.status()).healthy).toBe(true);

      // exec: output, exit code, stdin, environment, check.
      const hostname = await lab.exec("h2", ["ip", "-br", "addr", "show", "dev", "eth0"], { check: true });
      expect(hostname.stdout).toContain("10.78.0.2/24");
      const echo = await lab.exec("h1", ["sh", "-c", 'cat; echo "$GREETING" >&2; exit 4'], {
        input: "from stdin",
        env: { GREETING: "hello" },
      });
      expect(echo).toEqual({ exitCode: 4, stdout: "from stdin", stderr: "hello\n" });
      await expect(lab.exec("h1", ["false"], { check: true })).rejects.toBeInstanceOf(CommandError);
      const six = await lab.exec("h1", [
        "ping",
        "-6",
        "-c",
        "1",
        "-W",
        "2",
        lab.address("h2", { family: 6 }),
      ]);
      expect(six.exitCode, six.stdout + six.stderr).toBe(0);

      // A link fault and back (IPv4: the kernel drops an interface's IPv6 addresses when it goes
      // down, as net.ipv6.conf.*.keep_addr_on_down is 0, and `link up` does not restore them).
      const answers = async () => (await lab.pingFrom("h1", "h2", { attempts: 1 })).ok;
      expect(await lab.pingFrom("h1", lab.address("h2", { family: 6 }))).toMatchObject({ ok: true });
      await lab.link("h2:eth0", "down");
      expect(await answers()).toBe(false);
      await lab.link("h2:eth0", "up");
      expect(await eventuallyAsync(answers)).toBe(true);
      return "value";
    });
    expect(result).toBe("value");
    expectGone(seen!.name, seen!.prefix);
  });

  it("takes the lab down when the callback throws, and rethrows its error", async () => {
    let seen: Lab | undefined;
    const error = new Error("the test failed");
    await expect(
      withLab(hosts("api-throws"), async (lab) => {
        seen = lab;
        throw error;
      }),
    ).rejects.toBe(error);
    expectGone(seen!.name, seen!.prefix);
  });

  it("takes a topology file too (a seed lab, safely prefixed)", async () => {
    let seen: Lab | undefined;
    await withLab(seed("direct"), async (lab) => {
      seen = lab;
      expect(lab.name).toMatch(/^seed-direct-w/);
      expect(lab.netns("ns1")).toBe(`${lab.prefix}ns1`);
      expect((await lab.ping()).lost).toBe(0);
    });
    expectGone(seen!.name, seen!.prefix);
  });

  describe.concurrent("copies of one topology side by side", () => {
    for (const [i, kind] of (["bridge", "bridge", "ovs-bridge", "ovs-bridge"] as const).entries()) {
      it(`copy ${i + 1} (${kind})`, async (ctx) => {
        let mine: Lab | undefined;
        await withLab(
          hosts("api-copy", kind),
          async (lab) => {
            mine = lab;
            const report = await lab.ping();
            expect(report.lost, JSON.stringify(report.results.filter((r) => !r.ok))).toBe(0);
            // Each copy reaches its own h2: the same address in every copy, but another namespace.
            const r = await lab.exec("h1", ["ip", "neigh", "show", "dev", "eth0"]);
            expect(r.exitCode).toBe(0);
          },
          { test: ctx },
        );
        expectGone(mine!.name, mine!.prefix);
      });
    }
  });

  it("takes the lab down when the test ends while the callback still runs (a runner's timeout)", async () => {
    // What vitest does on a timeout: abort the test's signal, run its onTestFinished hooks — and
    // never wait for the test function itself.
    const abort = new AbortController();
    const hooks: (() => void | Promise<void>)[] = [];
    const ctx = { signal: abort.signal, onTestFinished: (fn: () => void | Promise<void>) => hooks.push(fn) };
    let seen: Lab | undefined;
    let upNow: () => void = () => {};
    const isUp = new Promise<void>((resolve) => {
      upNow = resolve;
    });
    const running = withLab(
      hosts("api-timeout"),
      async (lab) => {
        seen = lab;
        upNow();
        await lab.exec("h1", ["sleep", "60"]);
        return "finished";
      },
      { test: ctx },
    );
    await isUp;
    expect(hooks).toHaveLength(1);
    abort.abort(new Error("Test timed out"));
    await hooks[0]!();
    expectGone(seen!.name, seen!.prefix);
    // The signal killed the command the callback was waiting for.
    await expect(running).rejects.toBeInstanceOf(CommandError);
  });

  it("interrupts up when the test's signal is already aborted, leaving nothing", async () => {
    const abort = new AbortController();
    abort.abort(new Error("cancelled"));
    const e = await withLab(hosts("api-aborted"), async () => "ran", { signal: abort.signal }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NslabError);
    expect((e as NslabError).code).toBe("E_INTERRUPTED");
    expect(kernelSnapshot((n) => n.startsWith("api-aborted")).state).toEqual([]);
  });

  for (const runner of ["vitest", "node:test"] as const) {
    it(`takes the lab down when a ${runner} test times out`, async () => {
      const args =
        runner === "vitest"
          ? [
              join(root, "node_modules", "vitest", "vitest.mjs"),
              "run",
              "--config",
              "test/fixtures/api/vitest.fixture.config.ts",
            ]
          : ["--import", "tsx", "--test", "test/fixtures/api/node-test-timeout.fixture.ts"];
      const run = await runChild(args);
      const lab = run.lab();
      expect(run.code, run.output).not.toBe(0); // the test timed out
      expect(run.output).toMatch(runner === "vitest" ? /Test timed out in 6000ms/ : /cancelled 1/);
      // The runner waited for the teardown: gone by the time it exits.
      expectGone(lab.name, lab.prefix);
    });
  }

  it("takes the lab down when the test process is killed (SIGKILL): the watchdog does", async () => {
    const child = startChild(["--import", "tsx", "test/fixtures/api/killed.fixture.ts"]);
    const lab = await child.lab;
    expect(readLab(lab.name)?.status).toBe("up");
    child.process.kill("SIGKILL");
    expect(await gone(lab.name, lab.prefix)).toBe(true);
    expectGone(lab.name, lab.prefix);
  });
});

async function eventuallyAsync(fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return fn();
}

/** A fixture process; `lab` resolves when it announces the lab it brought up. */
function startChild(args: string[]): {
  process: ChildProcess;
  lab: Promise<{ name: string; prefix: string }>;
  output: () => string;
  exited: Promise<number>;
} {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: "1", CI: "" } });
  let output = "";
  let announced: (lab: { name: string; prefix: string }) => void = () => {};
  const lab = new Promise<{ name: string; prefix: string }>((resolve, reject) => {
    announced = resolve;
    setTimeout(() => reject(new Error(`no lab announced; output so far:\n${output}`)), 60_000).unref();
  });
  const read = (d: Buffer) => {
    output += d;
    const m = output.match(/LAB (\S+) (\S+)/);
    if (m) announced({ name: m[1]!, prefix: m[2]! });
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  return { process: child, lab, output: () => output, exited };
}

async function runChild(args: string[]) {
  const child = startChild(args);
  const code = await child.exited;
  const output = child.output();
  const m = output.match(/LAB (\S+) (\S+)/);
  return {
    code,
    output,
    lab: () => {
      if (!m) throw new Error(`the fixture announced no lab:\n${output}`);
      return { name: m[1]!, prefix: m[2]! };
    },
  };
}
