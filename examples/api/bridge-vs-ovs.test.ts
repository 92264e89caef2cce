/**
 * One test, parametrised over the switch: two hosts through a Linux bridge, and through an Open
 * vSwitch bridge. Both run at once (node:test concurrency) without colliding — `withLab` gives each
 * lab its own name and prefix, and takes it down after, also when the test fails or times out.
 * Each checks ICMP both ways and a TCP round trip through the switch (a tiny echo server in one
 * namespace, a client in the other: how you would test your own network software).
 *
 * Run as root:  node --import tsx --test examples/api/bridge-vs-ovs.test.ts   (from a checkout)
 *               node --test bridge-vs-ovs.test.js                            (compiled, in a project)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineTopology, type Lab } from "nslab";
import { withLab } from "nslab/testing";

const SWITCHES = ["bridge", "ovs-bridge"] as const;

/** h1 — sw — h2 on 10.0.0.0/24 (and fd00:0::/64), through a switch of the given kind. */
function twoHosts(kind: (typeof SWITCHES)[number]) {
  const b = defineTopology(`two-hosts-${kind}`)
    .node("h1")
    .address("h1:eth0", "10.0.0.1/24", "fd00::1/64")
    .node("h2")
    .address("h2:eth0", "10.0.0.2/24", "fd00::2/64");
  (kind === "bridge" ? b.bridge("sw") : b.ovsBridge("sw")).link("h1:eth0", "sw:p1").link("h2:eth0", "sw:p2");
  return b;
}

/** Echo server on h2: answers one connection with what it received, then exits. */
const SERVER = `const s=require("net").createServer(c=>{c.pipe(c);c.on("close",()=>s.close())});s.listen(7000,process.argv[1]);setTimeout(()=>process.exit(3),15000).unref()`;
/** Client on h1: connects (retrying while the server starts), sends, prints the echo. */
const CLIENT = `const net=require("net");const go=(n)=>{const c=net.connect(7000,process.argv[1],()=>c.end("hello through the switch"));let got="";c.on("data",d=>got+=d);c.on("end",()=>process.stdout.write(got));c.on("error",e=>n>0?setTimeout(()=>go(n-1),100):(console.error(e.message),process.exit(1)))};go(50)`;

async function tcpRoundTrip(lab: Lab): Promise<string> {
  const address = lab.address("h2");
  const server = lab.exec("h2", [process.execPath, "-e", SERVER, address], { timeoutMs: 20_000 });
  const client = await lab.exec("h1", [process.execPath, "-e", CLIENT, address], {
    timeoutMs: 20_000,
    check: true,
  });
  assert.equal((await server).exitCode, 0, "the echo server failed");
  return client.stdout;
}

describe("two hosts through a switch", { concurrency: true }, () => {
  for (const kind of SWITCHES) {
    it(`through ${kind === "bridge" ? "a Linux bridge" : "an Open vSwitch bridge"}`, {
      timeout: 60_000,
    }, async (t) => {
      await withLab(
        twoHosts(kind),
        async (lab) => {
          const report = await lab.ping();
          assert.equal(report.results.length, 4, "IPv4 and IPv6, both ways");
          assert.equal(
            report.lost,
            0,
            JSON.stringify(
              report.results.filter((r) => !r.ok),
              null,
              2,
            ),
          );
          assert.equal(await tcpRoundTrip(lab), "hello through the switch");
        },
        { test: t },
      );
    });
  }
});
