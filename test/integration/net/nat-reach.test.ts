/**
 * NAT labs on hosts unlike the test machine, against the real kernel without touching the machine's
 * own settings: the "host" is a network namespace of this test's own (nslab run in it with
 * `nsenter --net`: its root-namespace operations, firewall reads and sysctls are that namespace's),
 * its uplink a veth to a stand-in upstream namespace running a stand-in DNS server and TCP servers
 * (nothing leaves the machine). In that host:
 * - br_netfilter's bridge-nf-call-* off (they are per network namespace on this kernel): hosts
 *   behind the NAT resolve a name through it (`dns:`) and move 1 MiB of TCP both ways; the
 *   upstream sees only the uplink's address;
 * - a Docker-like firewall (iptables-nft FORWARD policy DROP with DOCKER-USER, ip6tables-nft DROP,
 *   a native inet forward chain with policy drop), br_netfilter on: the lab's accepts let the NAT'd
 *   traffic out and the replies back, and node ↔ node traffic over the management bridge; without
 *   them (deleted by hand) both stop, and `up FILE` puts them back; `down` leaves the host's
 *   ruleset as it was, byte for byte (counters aside).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, canTouchKernel, mustRun, ourPids, scopedSnapshot } from "../../support/kernel.js";
import { deleteOwnNamespace, netNames, scratch } from "../../support/net.js";

function sh(argv: string[], input?: string, timeout = 60_000): { code: number; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const RESPONDER = join(import.meta.dirname, "..", "..", "support", "dns-responder.mjs");
const NAME = "svc.nat.test";

describe.skipIf(!canTouchKernel && !mustRun)(
  "NAT labs on a stand-in host: br_netfilter off, a dropping firewall",
  () => {
    const { prefix, lab } = netNames("natr");
    const files = scratch();
    const pfxFw = `${prefix.slice(0, 4)}f`;
    const kernelBefore = scopedSnapshot(prefix, pfxFw, lab);
    /** Labs that are up (only those are taken down at the end: `down` of a lab that is not up scans every namespace). */
    const live = new Set<string>();
    const r = 100 + Math.floor(Math.random() * 150);
    const host = `${prefix}hst`; // the stand-in host: a namespace nslab treats as the root one
    const upstream = `${prefix}ups`;
    const uplink = `${prefix}upl`;
    const hostAddr = `198.18.${r}.1`;
    const upAddr = `198.18.${r}.2`;
    const servers: ChildProcess[] = [];
    let dnsLog = "";

    /** The CLI with the stand-in host as its root namespace. */
    const cli = (args: string[]) => {
      const p = spawnSync("nsenter", [`--net=/run/netns/${host}`, process.execPath, CLI, ...args], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 180_000,
      });
      if (p.pid) ourPids.add(p.pid);
      if (args[0] === "up" && p.status === 0)
        live.add(/^name: (\S+)/.exec(readFileSync(args[1]!, "utf8"))![1]!);
      if (args[0] === "down" && p.status === 0) live.delete(args[1]!);
      return { code: p.status ?? -1, out: `${p.stdout}${p.stderr}` };
    };
    const inHost = (argv: string[], input?: string) =>
      sh(["nsenter", `--net=/run/netns/${host}`, ...argv], input);
    const exec = (l: string, node: string, command: string, timeout = 60) =>
      cli(["exec", l, node, "--", "timeout", String(timeout), "sh", "-c", command]);
    /** The host's rulesets, counters aside. */
    const rulesets = () =>
      [
        inHost(["nft", "-s", "list", "ruleset"]).out,
        ...["iptables-nft-save", "ip6tables-nft-save"].map((t) =>
          inHost([t])
            .out.split("\n")
            .filter((l) => !l.startsWith("#"))
            .map((l) => l.replace(/\[\d+:\d+\]/g, "[0:0]"))
            .join("\n"),
        ),
      ].join("\n---\n");
    const bridgeNf = (value?: "0" | "1") => {
      const keys = ["iptables", "ip6tables", "arptables"].map(
        (k) => `/proc/sys/net/bridge/bridge-nf-call-${k}`,
      );
      if (value !== undefined)
        for (const k of keys) expect(inHost(["sh", "-c", `echo ${value} > ${k}`]).code).toBe(0);
      return keys.map((k) => inHost(["cat", k]).out.trim()).join(",");
    };
    /** Sources the upstream saw (its nft counters: the uplink's address, anything else). */
    const seen = () => {
      const out = sh(["ip", "netns", "exec", upstream, "nft", "list", "table", "ip", "seen"]).out;
      const [ours, others] = [...out.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
      return { ours: ours ?? -1, others: others ?? -1 };
    };

    const natLab = (name: string, net: number, extra = "") => `name: ${name}
${extra}nodes:
  h1: { interfaces: { eth0: 10.${net}.0.1/24 } }
  h2: { interfaces: { eth0: 10.${net}.0.2/24 } }
  gw: { kind: nat, uplink: ${uplink}, dns: [${upAddr}], interfaces: { eth0: 10.${net}.0.254/24 } }
  sw: { kind: bridge }
links:
  - endpoints: [h1:eth0, sw:p1]
  - endpoints: [h2:eth0, sw:p2]
  - endpoints: [gw:eth0, sw:p3]
`;

    /** Name resolution and TCP both ways through the NAT, from h1 of lab `l`. */
    const throughNat = (l: string) => {
      const resolved = exec(l, "h1", `getent ahostsv4 ${NAME} | head -1`);
      expect(resolved.out, resolved.out).toMatch(new RegExp(`^${upAddr.replaceAll(".", "\\.")}\\s`));
      const down = exec(l, "h1", `socat -u TCP:${NAME}:5010 - | wc -c`);
      expect(down.out.trim(), down.out).toBe("1048576");
      const up = exec(l, "h1", `head -c 1048576 /dev/zero | socat -u - TCP:${NAME}:5011`);
      expect(up.code, up.out).toBe(0);
      expect(exec(l, "h2", `ping -c 2 -W 3 ${upAddr}`).code).toBe(0);
    };

    beforeAll(() => {
      for (const argv of [
        ["ip", "netns", "add", host],
        ["ip", "netns", "add", upstream],
        ["ip", "-n", host, "link", "add", uplink, "type", "veth", "peer", "name", "eth0", "netns", upstream],
        ["ip", "-n", host, "addr", "add", `${hostAddr}/24`, "dev", uplink],
        ["ip", "-n", host, "link", "set", uplink, "up"],
        ["ip", "-n", host, "link", "set", "lo", "up"],
        ["ip", "-n", upstream, "addr", "add", `${upAddr}/24`, "dev", "eth0"],
        ["ip", "-n", upstream, "link", "set", "eth0", "up"],
        ["ip", "-n", upstream, "link", "set", "lo", "up"],
      ])
        expect(sh(argv).code, argv.join(" ")).toBe(0);
      const counters = `table ip seen {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ip saddr ${hostAddr} counter\n    ip saddr != ${hostAddr} counter\n  }\n}\n`;
      expect(sh(["ip", "netns", "exec", upstream, "nft", "-f", "-"], counters).code).toBe(0);
      const inUp = (argv: string[]) => spawn("ip", ["netns", "exec", upstream, ...argv], { stdio: "ignore" });
      servers.push(
        inUp(["socat", "TCP-LISTEN:5010,reuseaddr,fork", "SYSTEM:head -c 1048576 /dev/zero"]),
        inUp(["socat", "-u", "TCP-LISTEN:5011,reuseaddr,fork", "OPEN:/dev/null"]),
      );
      const dns = spawn(
        "ip",
        ["netns", "exec", upstream, process.execPath, RESPONDER, "53", `${NAME}=${upAddr}`],
        {
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      dns.stdout?.on("data", (b: Buffer) => {
        dnsLog += b.toString();
      });
      servers.push(dns);
    });

    afterAll(async () => {
      for (const l of [...live]) cli(["down", l]);
      for (const s of servers) s.kill("SIGKILL");
      await deleteOwnNamespace(upstream);
      await deleteOwnNamespace(host);
      files.cleanup();
      expect(scopedSnapshot(prefix, pfxFw, lab)).toEqual(kernelBefore);
    }, 180_000);

    it("with br_netfilter off: names resolve through the NAT, TCP both ways, the upstream sees only the uplink", async () => {
      const rootBefore = sh(["cat", "/proc/sys/net/bridge/bridge-nf-call-iptables"]).out;
      if (bridgeNf() !== ",,") bridgeNf("0"); // absent: br_netfilter is not loaded at all (off too)
      expect(["0,0,0", ",,"]).toContain(bridgeNf());
      const before = rulesets();
      const up = cli(["up", files.file("a.yaml", natLab(lab, 72)), "--prefix", prefix]);
      expect(up.code, up.out).toBe(0);
      // The host's resolv.conf is not the lab's: the node sees its own.
      expect(cli(["exec", lab, "h1", "--", "cat", "/etc/resolv.conf"]).out).toContain(
        `nameserver ${upAddr}\n`,
      );
      throughNat(lab);
      expect(exec(lab, "h2", "ping -c 1 -W 3 10.72.0.1").code).toBe(0); // bridged
      await new Promise((res) => setTimeout(res, 200)); // the responder's output
      const queries = dnsLog.split("\n").filter((l) => l.startsWith(`query ${NAME} `));
      expect(queries.length).toBeGreaterThan(0);
      expect(
        queries.every((q) => q.endsWith(`from ${hostAddr}`)),
        queries.join("\n"),
      ).toBe(true);
      expect(seen().ours).toBeGreaterThan(10);
      expect(seen().others).toBe(0);
      const down = cli(["down", lab]);
      expect(down.code, down.out).toBe(0);
      expect(rulesets()).toBe(before);
      expect(inHost(["cat", `/proc/sys/net/ipv4/conf/${uplink}/forwarding`]).out.trim()).toBe("0");
      // The machine's own setting was never touched.
      expect(sh(["cat", "/proc/sys/net/bridge/bridge-nf-call-iptables"]).out).toBe(rootBefore);
    }, 300_000);

    it("behind a firewall that drops forwarding: the lab's accepts carry NAT and the management bridge", () => {
      if (bridgeNf() === ",,") return; // br_netfilter not loaded: bridged frames never meet the chains
      bridgeNf("1");
      const l = `${lab}-fw`;
      const pfx = pfxFw;
      const mgmt = `198.18.${r === 249 ? 100 : r + 1}`;
      for (const argv of [
        ["iptables-nft", "-P", "FORWARD", "DROP"],
        ["iptables-nft", "-N", "DOCKER-USER"],
        ["iptables-nft", "-A", "FORWARD", "-j", "DOCKER-USER"],
        ["iptables-nft", "-A", "DOCKER-USER", "-j", "RETURN"],
        ["ip6tables-nft", "-P", "FORWARD", "DROP"],
      ])
        expect(inHost(argv).code, argv.join(" ")).toBe(0);
      const native =
        "table inet hostfw {\n  chain forward {\n    type filter hook forward priority 10; policy drop;\n  }\n}\n";
      expect(inHost(["nft", "-f", "-"], native).code).toBe(0);
      const before = rulesets();
      const file = files.file("fw.yaml", natLab(l, 73, `management: { ipv4: ${mgmt}.0/24 }\n`));
      const up = cli(["up", file, "--prefix", pfx]);
      expect(up.code, up.out).toBe(0);
      expect(up.out).toMatch(/host firewall drops forwarded traffic: accepting lab/);
      const mgmtOf = (node: string) => {
        const a = cli(["exec", l, node, "--", "ip", "-4", "-o", "addr", "show", "dev", "mgmt0"]).out;
        return /inet (\S+)\//.exec(a)?.[1] ?? `(no mgmt0 address: ${a})`;
      };
      const h2mgmt = mgmtOf("h2");
      const works = () => {
        throughNat(l);
        expect(inHost(["ping", "-c", "1", "-W", "3", h2mgmt]).code).toBe(0); // host → node: input/output
        expect(exec(l, "h1", `ping -c 1 -W 3 ${h2mgmt}`).code).toBe(0); // node ↔ node: forwarded, bridged
      };
      works();

      // The control: without the lab's accepts, the same traffic is dropped.
      const rules = inHost(["iptables-nft-save", "-t", "filter"])
        .out.split("\n")
        .filter((x) => x.includes(`nslab:${l}`));
      expect(rules.length).toBeGreaterThanOrEqual(3); // mgmt bridge, lab bridge, NAT out and back
      for (const rule of rules)
        expect(
          inHost(["iptables-nft", ...rule.replace(/^-A /, "-D ").replaceAll('"', "").split(" ")]).code,
        ).toBe(0);
      expect(exec(l, "h1", `socat -u TCP:${upAddr}:5010 - | wc -c`, 5).out.trim()).not.toBe("1048576");
      expect(exec(l, "h1", `ping -c 1 -W 2 ${h2mgmt}`).code).not.toBe(0);
      const status = cli(["status", l]).out;
      expect(status).toMatch(/drops this lab's bridged traffic: .* no nslab accept for .*mgmt/);
      expect(status).toMatch(/drops this lab's NAT traffic: .* no nslab accepts for .* → /);
      // `up FILE` again puts them back.
      const again = cli(["up", file, "--prefix", pfx]);
      expect(again.code, again.out).toBe(0);
      works();

      const down = cli(["down", l]);
      expect(down.code, down.out).toBe(0);
      expect(rulesets()).toBe(before);
    }, 300_000);
  },
);
