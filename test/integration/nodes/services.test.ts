/**
 * Nodes that run software, against the real kernel: a web service (python3 http.server) serving a
 * file only its node sees, ready by its TCP port, fetched by name from another node through
 * `nslab exec` (the lab's /etc/hosts) and named through `ip netns exec` (/etc/netns/NODE/hosts); the
 * host's file system unchanged; the request in the service's log; `down` ending a process started
 * by hand and leaving no mount, /etc/netns entry or process behind; a service that never gets ready
 * failing `up` with its log, rolled back.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI, canTouchKernel, inNs, mustRun, nslab } from "../../support/kernel.js";
import { netLab, pidsIn, run } from "../../support/net.js";

/** The HTTP status code node `node` of lab `lab` gets for `url` (curl in the node). */
const httpCode = (lab: string, node: string, url: string) =>
  nslab([
    "exec",
    lab,
    node,
    "--",
    "curl",
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--max-time",
    "5",
    url,
  ]).stdout;
const mounted = (lab: string) => readFileSync("/proc/self/mountinfo", "utf8").includes(` nslab-${lab} `);

describe.skipIf(!canTouchKernel && !mustRun)("services and node files", () => {
  const { prefix, lab, files } = netLab("svc", ["-bad", "-k9", "-add", "-rep"]);
  files.file("index.html", "<h1>hello from web</h1>\n");
  const topo = files.file(
    "web.yaml",
    `name: web
nodes:
  web:
    interfaces: { eth0: 10.71.0.1/24 }
    files:
      /srv/site/index.html: ./index.html
      /etc/motd: { content: "only in web\\n" }
    services:
      http:
        command: [python3, -m, http.server, "8080", --directory, /srv/site]
        ready: { tcp: 8080 }
  client:
    interfaces: { eth0: 10.71.0.2/24 }
    services:
      fetch:
        command: [curl, -sSf, --max-time, "5", "http://web:8080/"]
        oneshot: true
        after: [web:http]
      flaky:
        command: [sh, -c, "echo flaky ran; exit 3"]
        restart: on-failure
links:
  - [web:eth0, client:eth0]
`,
  );
  const hostsBefore = readFileSync("/etc/hosts", "utf8");
  const motdBefore = existsSync("/etc/motd") ? readFileSync("/etc/motd", "utf8") : undefined;

  it("starts the service, ready, and a client fetches http://web:8080/ by name", () => {
    const up = nslab(["up", topo, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    const get = nslab(["exec", lab, "client", "--", "curl", "-sS", "--max-time", "5", "http://web:8080/"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toBe("<h1>hello from web</h1>\n");
    // iproute2's own way in names the nodes too.
    expect(inNs(`${prefix}client`, ["getent", "hosts", "web"]).stdout).toMatch(/^10\.71\.0\.1\s+web\b/);
    // Files only the node sees; the host's are unchanged.
    expect(nslab(["exec", lab, "web", "--", "cat", "/etc/motd"]).stdout).toBe("only in web\n");
    expect(nslab(["exec", lab, "client", "--", "ls", "/srv/site"]).code).not.toBe(0);
    expect(existsSync("/srv/site")).toBe(false);
    expect(readFileSync("/etc/hosts", "utf8")).toBe(hostsBefore);
    expect(existsSync("/etc/motd") ? readFileSync("/etc/motd", "utf8") : undefined).toBe(motdBefore);
    // A private /run: what a node writes there stays in the node.
    expect(nslab(["exec", lab, "web", "--", "touch", `/run/${lab}-mark`]).code).toBe(0);
    expect(existsSync(`/run/${lab}-mark`)).toBe(false);
    expect(nslab(["exec", lab, "web", "--", "ls", `/run/${lab}-mark`]).code).toBe(0);
  });

  it("ran client/fetch after web/http was ready; shows logs and each service's state", async () => {
    // fetch (a oneshot after web:http) succeeded, or up would have failed.
    expect(nslab(["logs", lab, "client", "fetch"]).stdout).toContain("<h1>hello from web</h1>");
    const web = nslab(["logs", lab, "web"]);
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toMatch(/"GET \/ HTTP\/1\.1" 200/);
    // Both of client's services, each line prefixed with its service.
    expect(nslab(["logs", lab, "client"]).stdout).toMatch(/^flaky: flaky ran$/m);
    await new Promise((r) => setTimeout(r, 1000)); // flaky is restarted with a back-off
    const status = JSON.parse(nslab(["status", lab, "--json"]).stdout);
    const byId = new Map(status.services.map((x: { id: string }) => [x.id, x]));
    expect(byId.get("web/http")).toMatchObject({ state: "running" });
    expect(byId.get("client/fetch")).toMatchObject({ state: "exited", exitCode: 0 });
    expect((byId.get("client/flaky") as { restarts: number }).restarts).toBeGreaterThan(0);
    expect(nslab(["status", lab]).stdout).toMatch(/web\/http: running \(pid \d+\)/);
    expect(nslab(["logs", lab, "web", "nope"]).stderr).toMatch(/has no service 'nope'/);
  });

  it("up of the edited file changes files and services in place: redefined, added, removed", () => {
    const services = () =>
      new Map<string, { pid: number; state: string }>(
        JSON.parse(nslab(["status", lab, "--json"]).stdout).services.map((x: { id: string }) => [x.id, x]),
      );
    const before = services();
    const http = before.get("web/http")!.pid;
    // flaky redefined, fetch (a oneshot, done) removed, web/echo added (ready on its own port).
    const edited = files.file(
      "web2.yaml",
      readFileSync(topo, "utf8")
        .replace("only in web\\n", "edited in place\\n")
        .replace("echo flaky ran; exit 3", "echo flaky ran again; exit 3")
        .replace(/ {6}fetch:\n(?: {8}.*\n)+/, "")
        .replace(
          "        ready: { tcp: 8080 }\n",
          `        ready: { tcp: 8080 }\n      echo:\n        command: [python3, -m, http.server, "8081", --directory, /srv/site]\n        ready: { tcp: 8081 }\n`,
        ),
    );
    expect(readFileSync(edited, "utf8")).not.toContain("fetch:");
    const up = nslab(["-v", "up", edited, "--prefix", prefix, "--name", lab]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/was changed in place/);
    expect(up.stderr).toMatch(/stopping client\/fetch/);
    expect(up.stderr).toMatch(/starting web\/echo/);
    expect(up.stderr).toMatch(/restarting client\/flaky/);
    expect(nslab(["exec", lab, "web", "--", "cat", "/etc/motd"]).stdout).toBe("edited in place\n");
    const after = services();
    expect(after.get("web/http")!.pid).toBe(http); // unchanged: not restarted
    expect(after.has("client/fetch")).toBe(false);
    expect(after.get("web/echo")).toMatchObject({ state: "running" });
    const get = nslab(["exec", lab, "client", "--", "curl", "-sS", "--max-time", "5", "http://web:8081/"]);
    expect(get.stdout).toBe("<h1>hello from web</h1>\n");
    expect(nslab(["logs", lab, "client", "flaky"]).stdout).toMatch(/^flaky ran again$/m);
    // A running service removed (its process ends, it leaves the status) and one redefined while
    // it runs (web/http on another port: the old process ends, the new one is ready).
    const echo = after.get("web/echo")!.pid;
    const third = files.file(
      "web3.yaml",
      readFileSync(topo, "utf8")
        .replace(/ {6}fetch:\n(?: {8}.*\n)+/, "")
        .replaceAll("8080", "8082"),
    );
    const again = nslab(["-v", "up", third, "--prefix", prefix, "--name", lab]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/stopping web\/echo/);
    expect(again.stderr).toMatch(/restarting web\/http/);
    expect(existsSync(`/proc/${echo}`)).toBe(false);
    expect(existsSync(`/proc/${http}`)).toBe(false);
    const last = services();
    expect(last.has("web/echo")).toBe(false);
    expect(last.get("web/http")).toMatchObject({ state: "running" });
    expect(last.get("web/http")!.pid).not.toBe(http);
    const moved = nslab(["exec", lab, "client", "--", "curl", "-sS", "--max-time", "5", "http://web:8082/"]);
    expect(moved.stdout).toBe("<h1>hello from web</h1>\n");
  });

  it("up of an edited file that gives a lab without services its first starts them", () => {
    const plain = files.file(
      "plain.yaml",
      "name: plain\nnodes:\n  a: { interfaces: { eth0: 10.72.0.1/24 } }\n  b: { interfaces: { eth0: 10.72.0.2/24 } }\nlinks:\n  - [a:eth0, b:eth0]\n",
    );
    const name = `${lab}-add`;
    const up = nslab(["up", plain, "--prefix", `${prefix}p`, "--name", name]);
    expect(up.code, up.stderr).toBe(0);
    const served = files.file(
      "plain2.yaml",
      readFileSync(plain, "utf8").replace(
        "  a: { interfaces: { eth0: 10.72.0.1/24 } }\n",
        `  a:\n    interfaces: { eth0: 10.72.0.1/24 }\n    services:\n      http:\n        command: [python3, -m, http.server, "8083"]\n        ready: { tcp: 8083 }\n`,
      ),
    );
    const again = nslab(["up", served, "--prefix", `${prefix}p`, "--name", name]);
    expect(again.code, again.stderr).toBe(0);
    const status = JSON.parse(nslab(["status", name, "--json"]).stdout);
    expect(status.services).toEqual([expect.objectContaining({ id: "a/http", state: "running" })]);
    expect(httpCode(name, "b", "http://10.72.0.1:8083/")).toBe("200");
    expect(nslab(["down", name]).code).toBe(0);
  });

  it("up of the same file starts failed services again, and a supervisor that is gone once its processes are", async () => {
    const name = `${lab}-rep`;
    const file = files.file(
      "rep.yaml",
      `name: rep
nodes:
  a:
    interfaces: { eth0: 10.73.0.1/24, eth1: 10.73.1.1/24 }
    services:
      http:
        command: [python3, -m, http.server, "8084"]
        ready: { tcp: 8084 }
      once:
        command: [sleep, "600"]
        restart: "no"
  b: { interfaces: { eth0: 10.73.0.2/24, eth1: 10.73.1.2/24 } }
  s: { kind: bridge }
links:
  - [a:eth0, b:eth0]
  - [a:eth1, s:p1]
  - [b:eth1, s:p2]
`,
    );
    const up = () => nslab(["-v", "up", file, "--prefix", `${prefix}r`, "--name", name]);
    type Svc = { id: string; pid: number; state: string };
    const report = () =>
      JSON.parse(nslab(["status", name, "--json"]).stdout) as {
        healthy: boolean;
        services: Svc[];
        health: { what: string }[];
      };
    const pidOf = (id: string) => report().services.find((x) => x.id === id)!.pid;
    const fetched = (to = "10.73.0.1") => httpCode(name, "b", `http://${to}:8084/`);
    const gone = async (pid: number) => {
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
      return !existsSync(`/proc/${pid}`);
    };
    expect(up().code).toBe(0);
    let http = pidOf("a/http");
    const once = pidOf("a/once");
    // a/once (restart: no) killed: failed until started again; a/http is not touched.
    process.kill(once, "SIGKILL");
    expect(await gone(once)).toBe(true);
    for (let i = 0; i < 50 && report().healthy; i++) await new Promise((r) => setTimeout(r, 100));
    expect(
      report().health.map((p) => p.what),
      JSON.stringify(report().health),
    ).toEqual([expect.stringMatching(/killed by signal 9/)]);
    const repaired = up();
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toMatch(/1 service started again \(a\/once\)/);
    let r = report();
    expect(r.healthy, JSON.stringify(r.health)).toBe(true);
    expect(pidOf("a/http")).toBe(http);
    let once2 = pidOf("a/once");
    expect(once2).not.toBe(once);
    // Nothing failed: nothing is started again.
    expect(up().stderr).toMatch(/is already up \(nothing to do\)/);
    // a's namespace deleted by hand: its services run on in the old one, cut off, and so do both
    // veth pairs (b's end and the bridge's port are left); the repair makes the namespace and the
    // pairs anew and starts the services again there.
    run("ip", ["netns", "del", `${prefix}ra`]);
    const moved = up();
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toMatch(/2 services started again \(a\/http, a\/once\)/);
    expect(await gone(http)).toBe(true);
    http = pidOf("a/http");
    once2 = pidOf("a/once");
    expect(fetched()).toBe("200");
    expect(fetched("10.73.1.1")).toBe("200");
    // The supervisor killed: its services still run, so they are not started twice.
    const root = process.env.NSLAB_STATE_DIR || "/run/nslab";
    const supervisor = Number(readFileSync(`${root}/labs/${name}/supervisor`, "utf8").split(" ")[0]);
    process.kill(supervisor, "SIGKILL");
    expect(await gone(supervisor)).toBe(true);
    expect(report().health.map((p) => p.what)).toEqual([expect.stringMatching(/supervisor is not running/)]);
    const refused = up();
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toMatch(/processes it started still are \(a\/http: pid \d+, a\/once: pid \d+\)/);
    expect(existsSync(`/proc/${http}`)).toBe(true);
    // Once they are gone too, up starts the supervisor again with every service.
    for (const pid of [http, once2]) process.kill(pid, "SIGKILL");
    expect((await gone(http)) && (await gone(once2))).toBe(true);
    const restarted = up();
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).toMatch(/2 services started again \(a\/http, a\/once\)/);
    r = report();
    expect(r.healthy, JSON.stringify(r.health)).toBe(true);
    expect(r.services.map((x) => [x.id, x.state])).toEqual([
      ["a/http", "running"],
      ["a/once", "running"],
    ]);
    expect(fetched()).toBe("200");
    expect(nslab(["down", name]).code).toBe(0);
  });

  it("ends every process of the lab at down, also one started by hand, and leaves nothing", async () => {
    const sleeper = spawn("ip", ["netns", "exec", `${prefix}client`, "sleep", "300"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 300));
    expect(pidsIn(`${prefix}client`).length).toBeGreaterThan(0);
    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr + down.stdout).toMatch(/ended [1-9]\d* process/);
    await new Promise((r) => setTimeout(r, 100));
    expect(sleeper.exitCode !== null || sleeper.signalCode !== null).toBe(true);
    expect(mounted(lab)).toBe(false);
    expect(existsSync(`/etc/netns/${prefix}client`)).toBe(false);
    expect(existsSync(`/etc/netns/${prefix}web`)).toBe(false);
    // /etc/netns itself stays (every tool's; removing it raced other labs' up).
    expect(existsSync("/etc/netns")).toBe(true);
  });

  it("fails up naming a service that never gets ready, with its log, and rolls back", () => {
    const bad = files.file(
      "bad.yaml",
      `name: bad
nodes:
  a:
    interfaces: { eth0: 10.72.0.1/24 }
    services:
      never:
        command: [sh, -c, "echo starting never; sleep 60"]
        ready: { tcp: 9999, timeout: 1s }
  b:
    interfaces: { eth0: 10.72.0.2/24 }
links:
  - [a:eth0, b:eth0]
`,
    );
    const name = `${lab}-bad`;
    const up = nslab(["up", bad, "--prefix", prefix, "--name", name]);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/service a\/never: not ready within 1000 ms/);
    expect(up.stderr).toMatch(/starting never/);
    expect(mounted(name)).toBe(false);
    expect(existsSync(`/etc/netns/${prefix}a`)).toBe(false);
    expect(run("ip", ["netns", "list"])).not.toMatch(new RegExp(`^${prefix}[ab]\\b`, "m"));
  });

  it("after kill -9 of up during the service phase, down stops the supervisor and every process", async () => {
    const slow = files.file(
      "slow.yaml",
      `name: slow
nodes:
  a:
    interfaces: { eth0: 10.73.0.1/24 }
    services:
      first:
        command: [sleep, "300"]
      slow:
        command: [sleep, "301"]
        ready: { file: /run/never, timeout: 60s }
        after: [first]
  b:
    interfaces: { eth0: 10.73.0.2/24 }
links:
  - [a:eth0, b:eth0]
`,
    );
    const name = `${lab}-k9`;
    const up = spawn(process.execPath, [CLI, "up", slow, "--prefix", prefix, "--name", name], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    up.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!err.includes("starting a/slow") && Date.now() < deadline && up.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    expect(err).toContain("starting a/slow");
    up.kill("SIGKILL");
    await new Promise((r) => up.on("close", r));
    const left = pidsIn(`${prefix}a`);
    expect(left.length).toBe(2); // both services run on, supervised
    const down = nslab(["down", name]);
    expect(down.code, down.stderr).toBe(0);
    for (const pid of left) expect(existsSync(`/proc/${pid}/ns`)).toBe(false);
    expect(mounted(name)).toBe(false);
    expect(run("ip", ["netns", "list"])).not.toMatch(new RegExp(`^${prefix}[ab]\\b`, "m"));
  });
});
