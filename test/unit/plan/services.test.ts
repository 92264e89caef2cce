/** `nslab plan` shows the lab's services: argv, after, ready, restart — in the script's comments and in JSON. */
import { describe, expect, it } from "vitest";
import { planLab } from "../../../src/engine/plan.js";
import { parseTopology } from "../../../src/model/load.js";
import { plannedServices, readinessText, servicePlanNotes } from "../../../src/plan/services.js";

// A host with the native agent (nodes' own mount namespaces) and the services' programs.
const host = {
  ovsKernelDatapath: false,
  nodeEnv: true,
  programs: { curl: "/usr/bin/curl", python3: "/usr/bin/python3" },
};
// Declared out of start order: the client's fetch waits for web's http.
const t = parseTopology(
  `name: psvc
nodes:
  client:
    interfaces: { eth0: 10.71.0.2/24 }
    services:
      fetch:
        command: [curl, -sSf, "http://web:8080/a b"]
        oneshot: true
        after: [web:http]
  web:
    interfaces: { eth0: 10.71.0.1/24 }
    services:
      http:
        command: [python3, -m, http.server, "8080"]
        ready: { tcp: 8080, timeout: 10 }
        restart: on-failure
        env: { LANG: C.UTF-8 }
links: [[web:eth0, client:eth0]]
`,
  { file: "psvc.yaml" },
);

describe("services in nslab plan", () => {
  it("the script ends with each service as comments, in start order, argv quoted as a shell would", () => {
    const script = planLab(t, host).toShell();
    const tail = script.slice(script.indexOf("# Services, started by `nslab up`"));
    expect(tail.split("\n").slice(3)).toEqual([
      "# web/http, psvc.yaml:13:7 (nodes.web.services.http):",
      "#   python3 -m http.server 8080",
      "#   ready: tcp 8080 listening within 10 s; restart: on-failure; env LANG",
      "#",
      "# client/fetch, psvc.yaml:6:7 (nodes.client.services.fetch):",
      "#   curl -sSf 'http://web:8080/a b'",
      "#   after web/http; ready: exited 0 within 30 s; oneshot",
      "",
    ]);
  });

  it("JSON lists them with their fields, in start order", () => {
    const json = JSON.parse(planLab(t, host).toJson());
    expect(json.services).toEqual(plannedServices(t));
    expect(json.services.map((s: { id: string }) => s.id)).toEqual(["web/http", "client/fetch"]);
    expect(json.services[0]).toMatchObject({
      command: ["python3", "-m", "http.server", "8080"],
      after: [],
      ready: { kind: "tcp", port: 8080, timeoutMs: 10_000 },
      restart: "on-failure",
      env: { LANG: "C.UTF-8" },
      where: "psvc.yaml:13:7 (nodes.web.services.http)",
    });
    expect(json.services[1]).toMatchObject({ after: ["web/http"], oneshot: true });
  });

  it("a lab without services has no services section", () => {
    const bare = parseTopology("name: nosvc\nnodes:\n  a: {}\n  b: {}\nlinks: [[a:e0, b:e0]]\n");
    expect(planLab(bare, host).toShell()).not.toContain("Services");
    expect(JSON.parse(planLab(bare, host).toJson()).services).toBeUndefined();
    expect(servicePlanNotes(bare)).toEqual([]);
  });

  it("says every kind of readiness", () => {
    expect(readinessText({ kind: "udp", port: 53, timeoutMs: 5000 })).toBe("udp 53 bound within 5 s");
    expect(readinessText({ kind: "file", path: "/run/x.pid", timeoutMs: 30_000 })).toBe(
      "/run/x.pid exists within 30 s",
    );
    expect(readinessText({ kind: "command", command: ["test", "-S", "/run/s"], timeoutMs: 2000 })).toBe(
      "test -S /run/s exits 0 within 2 s",
    );
    expect(readinessText({ kind: "started", timeoutMs: 30_000 })).toBe("once started");
  });
});
