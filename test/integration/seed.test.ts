/**
 * The walkthrough's three experiments, for real: bring each seed lab up with the CLI, check the
 * walkthrough's names and addresses as `ip`/`ovs-vsctl` see them, ping and a TCP transfer both
 * ways, take it down, and compare a kernel snapshot with the one from before.
 *
 * The seed labs use the walkthrough's fixed names (ns1, ns2, br0 …); these tests first make sure
 * nobody's lab already uses them, and always take their lab down.
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type HostLock, hostLock } from "../support/host-lock.js";
import { canTouchKernel, inNs, kernelSnapshot, mustRun, nslab, scopedSnapshot } from "../support/kernel.js";

const SEEDS = [
  { file: "examples/seed/direct.yaml", lab: "seed-direct", root: [] as string[] },
  { file: "examples/seed/bridge.yaml", lab: "seed-bridge", root: ["br0", "br-veth0", "br-veth1"] },
  { file: "examples/seed/ovs.yaml", lab: "seed-ovs", root: ["ovs-br", "ovs-veth0", "ovs-veth1"] },
];

describe.skipIf(!canTouchKernel && !mustRun)("the walkthrough's experiments", () => {
  let names: HostLock | undefined;
  beforeAll(async () => {
    // Other test runs on this host may want the walkthrough's names too: one at a time.
    names = await hostLock("seed-names", "exclusive");
    const s = kernelSnapshot();
    const taken = ["ns1", "ns2"].filter((n) => s.netns.includes(n));
    if (taken.length > 0)
      throw new Error(`namespaces ${taken.join(", ")} exist already; the seed tests need them`);
  });

  afterAll(() => names?.release());

  let current: string | undefined;
  afterEach(() => {
    if (current) nslab(["down", current]);
    current = undefined;
  });

  for (const seed of SEEDS) {
    it(`${seed.file}: up, ping and TCP both ways, down leaves nothing`, async () => {
      const mine = ["ns1", "ns2", "br0", "br-veth", "ovs-br", "ovs-veth", "seed-"];
      const before = scopedSnapshot(...mine);
      current = seed.lab;
      const up = nslab(["up", seed.file]);
      expect(up.stderr).toContain(`lab '${seed.lab}' is up`);
      expect(up.code).toBe(0);

      // The walkthrough's names and addresses, as ip sees them.
      expect(inNs("ns1", ["ip", "-br", "addr", "show", "dev", "veth0"]).stdout).toMatch(
        /veth0@\S+\s+UP\s+10\.1\.1\.2\/24/,
      );
      expect(inNs("ns2", ["ip", "-br", "addr", "show", "dev", "veth1"]).stdout).toMatch(
        /veth1@\S+\s+UP\s+10\.1\.1\.3\/24/,
      );
      const root = kernelSnapshot().rootLinks;
      for (const name of seed.root) expect(root).toContain(name);
      if (seed.lab === "seed-bridge") {
        const brPorts = spawnText("ip", ["-br", "link", "show", "master", "br0"]);
        expect(brPorts).toMatch(/br-veth0/);
        expect(brPorts).toMatch(/br-veth1/);
      }
      if (seed.lab === "seed-ovs") {
        const show = spawnText("ovs-vsctl", ["list-ports", "ovs-br"]);
        expect(show.split("\n").filter(Boolean).sort()).toEqual(["ovs-veth0", "ovs-veth1"]);
        expect(spawnText("ovs-vsctl", ["get", "bridge", "ovs-br", "datapath_type"]).trim()).toMatch(
          /netdev|system/,
        );
      }

      // The walkthrough's own command, and the reverse direction.
      expect(inNs("ns1", ["ping", "-c", "1", "-W", "2", "10.1.1.3"]).code).toBe(0);
      expect(inNs("ns2", ["ping", "-c", "1", "-W", "2", "10.1.1.2"]).code).toBe(0);
      expect(nslab(["ping", seed.lab]).code).toBe(0);

      // TCP both ways (the OVS userspace datapath needs TX checksum offload off to pass this).
      await tcpTransfer("ns2", "10.1.1.3", "ns1");
      await tcpTransfer("ns1", "10.1.1.2", "ns2");

      const down = nslab(["down", seed.file]);
      expect(down.code).toBe(0);
      current = undefined;
      expect(scopedSnapshot(...mine)).toEqual(before);
      // A second down is a no-op.
      const again = nslab(["down", seed.lab]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain("nothing to do");
    });
  }
});

function spawnText(cmd: string, args: string[]): string {
  return spawnSync(cmd, args, { encoding: "utf8" }).stdout;
}

/** Send 256 KiB over TCP from `clientNs` to a server in `serverNs` at `addr`, and check it arrived. */
async function tcpTransfer(serverNs: string, addr: string, clientNs: string): Promise<void> {
  const port = 5000 + Math.floor(Math.random() * 1000);
  // A tiny server and client in Node itself, run inside the namespaces.
  const server = spawn("ip", [
    "netns",
    "exec",
    serverNs,
    process.execPath,
    "-e",
    `let n=0;const s=require("net").createServer(c=>{c.on("data",d=>n+=d.length);c.on("end",()=>{process.stdout.write(String(n));s.close()})}).listen(${port},"${addr}",()=>console.error("ready"))`,
  ]);
  let received = "";
  server.stdout.on("data", (d) => (received += d));
  await new Promise<void>((resolve, reject) => {
    server.stderr.on("data", (d) => String(d).includes("ready") && resolve());
    server.on("exit", () => reject(new Error("server exited early")));
  });
  const client = inNs(
    clientNs,
    [
      process.execPath,
      "-e",
      `const c=require("net").connect(${port},"${addr}",()=>{c.end(Buffer.alloc(262144,1))});c.on("error",e=>{console.error(e.message);process.exit(1)});setTimeout(()=>{console.error("timeout");process.exit(2)},10000).unref()`,
    ],
    20_000,
  );
  const exited = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => {
      server.kill();
      resolve(null);
    }, 15_000);
    server.on("exit", (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
  expect(client.code, client.stderr).toBe(0);
  expect(exited).toBe(0);
  expect(Number(received)).toBe(262144);
}
