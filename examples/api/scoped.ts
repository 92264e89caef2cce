/**
 * A lab in a scope: `await using` takes it down when the block ends, whatever happens in it. The
 * topology is built in code — a router between two hosts, a web service on one of them — with the
 * expectations `lab.test()` checks; every operation that waits takes an AbortSignal.
 *
 * Run as root:  node --import tsx examples/api/scoped.ts   (from a checkout)
 *               node scoped.js                             (compiled, in a project using nslab)
 */
import assert from "node:assert/strict";
import { defineTopology, Lab } from "nslab";

const suffix = process.pid.toString(36).slice(-3);
const topology = defineTopology(`api-scoped-${suffix}`)
  .node("h1", { interfaces: { eth0: "10.77.1.2/24" }, routes: [{ to: "default", via: "10.77.1.1" }] })
  .node("web", {
    interfaces: { eth0: "10.77.2.2/24" },
    routes: [{ to: "default", via: "10.77.2.1" }],
    files: { "/srv/site/index.html": { content: "hello from web\n" } },
    services: {
      http: {
        command: ["python3", "-m", "http.server", "8080", "--directory", "/srv/site"],
        ready: { tcp: 8080 },
      },
    },
  })
  .router("r1", { interfaces: { eth0: "10.77.1.1/24", eth1: "10.77.2.1/24" } })
  .link("h1:eth0", "r1:eth0")
  .link("web:eth0", "r1:eth1")
  .expect("h1", "web", "reachable", { tcp: 8080 })
  .expect("h1", "10.77.9.9", "unreachable");

{
  await using lab = await Lab.up(topology, { prefix: `s${suffix}-` });

  // The declared expectations and the subnet ping matrix.
  const report = await lab.test({ signal: AbortSignal.timeout(60_000) });
  assert.equal(report.failed, 0, JSON.stringify(report.results, null, 2));

  // The service answers by the node's name (every node's /etc/hosts names the lab).
  const page = await lab.exec("h1", [
    "python3",
    "-c",
    "import urllib.request as u; print(u.urlopen('http://web:8080/').read().decode(), end='')",
  ]);
  assert.equal(page.stdout, "hello from web\n", page.stderr);

  // What the service wrote (python's access log goes to stderr, which the supervisor keeps).
  console.log(await lab.logs("web", "http"));
}
console.log("the lab is down: the scope ended");
