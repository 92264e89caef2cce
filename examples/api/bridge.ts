/**
 * The walkthrough's Linux-bridge experiment, built in code: two namespaces joined through a bridge.
 * `withLab` brings it up under a unique name and prefix (so it never collides with the seed lab or
 * with another run), the script proves it works, faults a link, and the lab is taken down after.
 *
 * Run as root:  node --import tsx examples/api/bridge.ts   (from a checkout)
 *               node bridge.js                             (compiled, in a project using nslab)
 */
import assert from "node:assert/strict";
import { defineTopology, type Lab } from "nslab";
import { withLab } from "nslab/testing";

const topology = defineTopology("api-bridge")
  .node("ns1")
  .address("ns1:veth0", "10.1.1.2/24")
  .node("ns2")
  .address("ns2:veth1", "10.1.1.3/24")
  .bridge("br0")
  .link("ns1:veth0", "br0:br-veth0")
  .link("ns2:veth1", "br0:br-veth1");

/** One ping from ns1 to ns2: answered or not. */
const answers = async (lab: Lab) => (await lab.pingFrom("ns1", "ns2", { attempts: 1 })).ok;

const name = await withLab(topology, async (lab) => {
  console.log(
    `lab ${lab.name}: namespaces ${lab.netns("ns1")} and ${lab.netns("ns2")}, bridge ${lab.ifname("br0")}`,
  );

  // Every pair of addresses on a shared subnet answers, both ways.
  const report = await lab.ping();
  assert.equal(report.lost, 0, JSON.stringify(report.results, null, 2));

  // The walkthrough's own command, ip netns exec ns1 ping 10.1.1.3, in the lab's (prefixed) ns1.
  const ns2 = lab.address("ns2");
  const walkthrough = await lab.exec("ns1", ["ping", "-c", "1", "-W", "2", ns2]);
  assert.equal(walkthrough.exitCode, 0, walkthrough.stdout + walkthrough.stderr);

  // A link fault: ns2's end down, no answer; back up, answers again.
  await lab.link("ns2:veth1", "down");
  assert.equal(await answers(lab), false, "ns2 still answers with its link down");
  await lab.link("ns2:veth1", "up");
  let back = false;
  for (let i = 0; i < 10 && !back; i++) back = await answers(lab);
  assert.ok(back, "ns2 does not answer after its link came back up");

  // What the kernel has now.
  const status = await lab.status();
  assert.ok(status.healthy, "the lab is not healthy");
  return lab.name;
});

console.log(`ok: lab ${name} answered, survived a link fault, and is down again`);
