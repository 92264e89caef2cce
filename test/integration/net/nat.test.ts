/**
 * NAT nodes (`kind: nat`, issue 14) against the real kernel, with br_netfilter as this host has it
 * (active): lab hosts on a Linux bridge reach a stand-in upstream — a namespace of this test's
 * own, joined to the root namespace by a veth whose root end is the lab's explicit uplink (never
 * the host's real uplink, nothing off this machine) — with ICMP and 1 MiB of TCP both ways, and
 * the upstream sees only the uplink's address (masqueraded). Two NAT labs share the uplink: its
 * forwarding flag is set once, stays while one lab remains, and is restored after the last. The
 * root ruleset and sysctls end as they were. Under host-net EXCLUSIVE: the labs' tables appear in
 * the host's ruleset, which other tests compare.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { exclusiveHostNet, type HostLock } from "../../support/host-lock.js";
import { canTouchKernel, inNs, mustRun, nslab } from "../../support/kernel.js";
import { deleteOwnNamespace, netLab } from "../../support/net.js";

function sh(argv: string[]): { code: number; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const natLab = (name: string, net: number, uplink: string) => `name: ${name}
nodes:
  h1: { interfaces: { eth0: 10.${net}.0.1/24 } }
  h2: { interfaces: { eth0: 10.${net}.0.2/24 } }
  gw: { kind: nat, uplink: ${uplink}, interfaces: { eth0: 10.${net}.0.254/24 } }
  sw: { kind: bridge }
links:
  - endpoints: [h1:eth0, sw:p1]
  - endpoints: [h2:eth0, sw:p2]
  - endpoints: [gw:eth0, sw:p3]
`;

describe.skipIf(!canTouchKernel && !mustRun)("NAT nodes to a stand-in upstream", () => {
  const { prefix, lab, files } = netLab("nat", ["-b", "-m"]);
  const r = 100 + Math.floor(Math.random() * 150);
  const uplink = `${prefix}upl`;
  const upstream = `${prefix}ups`;
  const hostAddr = `198.18.${r}.1`;
  const upAddr = `198.18.${r}.2`;
  const fwdKey = `/proc/sys/net/ipv4/conf/${uplink}/forwarding`;
  let lock: HostLock | undefined;
  // The upstream's servers run until the namespace is deleted (with them, by deleteOwnNamespace).
  const servers: ReturnType<typeof spawn>[] = [];

  afterAll(async () => {
    try {
      for (const s of servers) s.kill();
      for (const l of [lab, `${lab}-b`, `${lab}-m`]) nslab(["down", l]);
      sh(["ip", "link", "del", uplink]);
      await deleteOwnNamespace(upstream);
    } finally {
      await lock?.release();
    }
  }, 180_000);

  it("masquerades ICMP and TCP out of the uplink; forwarding is counted across labs and restored", async () => {
    const pfxB = `${prefix.slice(0, 4)}b`;
    const fileA = files.file("a.yaml", natLab(lab, 71, uplink));
    const fileB = files.file("b.yaml", natLab(`${lab}-b`, 71, uplink)); // the same lab subnet: isolated
    // The stand-in upstream: its own namespace, no route back to any lab; counts sources it sees.
    for (const argv of [
      ["ip", "netns", "add", upstream],
      ["ip", "link", "add", uplink, "type", "veth", "peer", "name", "eth0", "netns", upstream],
      ["ip", "addr", "add", `${hostAddr}/24`, "dev", uplink],
      ["ip", "link", "set", uplink, "up"],
      ["ip", "-n", upstream, "addr", "add", `${upAddr}/24`, "dev", "eth0"],
      ["ip", "-n", upstream, "link", "set", "eth0", "up"],
      ["ip", "-n", upstream, "link", "set", "lo", "up"],
    ])
      expect(sh(argv).code, argv.join(" ")).toBe(0);
    const counters = `table ip seen {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ip saddr ${hostAddr} counter\n    ip saddr != ${hostAddr} counter\n  }\n}\n`;
    const nf = spawnSync("ip", ["netns", "exec", upstream, "nft", "-f", "-"], {
      input: counters,
      encoding: "utf8",
    });
    expect(nf.status, nf.stderr).toBe(0);
    // 1 MiB down (the upstream sends) and up (it counts what it received).
    const server = spawn(
      "ip",
      [
        "netns",
        "exec",
        upstream,
        "socat",
        "TCP-LISTEN:5010,reuseaddr,fork",
        "SYSTEM:head -c 1048576 /dev/zero",
      ],
      { stdio: "ignore" },
    );
    const sink = spawn(
      "ip",
      ["netns", "exec", upstream, "socat", "-u", "TCP-LISTEN:5011,reuseaddr,fork", `OPEN:/dev/null`],
      { stdio: "ignore" },
    );
    servers.push(server, sink);
    const before = {
      nft: sh(["nft", "-s", "list", "ruleset"]).out,
      global: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"),
      uplink: readFileSync(fwdKey, "utf8"),
    };
    expect(before.uplink.trim()).toBe("0");

    lock = await exclusiveHostNet();
    const t0 = performance.now();
    try {
      const upA = nslab(["up", fileA, "--prefix", prefix]);
      expect(upA.code, upA.stderr).toBe(0);
      expect(readFileSync(fwdKey, "utf8").trim()).toBe("1");
      const upB = nslab(["up", fileB, "--prefix", pfxB]);
      expect(upB.code, upB.stderr).toBe(0);
      for (const p of [prefix, pfxB]) {
        const h1 = `${p}h1`;
        expect(inNs(h1, ["ping", "-c", "2", "-W", "3", upAddr]).code).toBe(0);
        expect(inNs(`${p}h2`, ["ping", "-c", "1", "-W", "3", "10.71.0.1"]).code).toBe(0); // bridged
        const down = inNs(h1, ["sh", "-c", `socat -u TCP:${upAddr}:5010 - | wc -c`], 60_000);
        expect(down.stdout.trim(), down.stderr).toBe("1048576");
        const up = inNs(
          h1,
          ["sh", "-c", `head -c 1048576 /dev/zero | socat -u - TCP:${upAddr}:5011`],
          60_000,
        );
        expect(up.code, up.stderr).toBe(0);
      }
      // The upstream saw only the uplink's address.
      const seen = sh(["ip", "netns", "exec", upstream, "nft", "list", "table", "ip", "seen"]).out;
      const [ours, others] = [...seen.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
      expect(ours).toBeGreaterThan(10);
      expect(others).toBe(0);

      // A's NAT node's namespace deleted by hand: `up` of the file makes it again, with the node's
      // masquerade table in it, and A reaches the upstream again.
      expect(sh(["ip", "netns", "del", `${prefix}gw`]).code).toBe(0);
      for (let i = 0; i < 100 && existsSync(`/sys/class/net/${prefix}p3`); i++) sh(["sleep", "0.05"]);
      const again = nslab(["up", fileA, "--prefix", prefix]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("restored in place");
      expect(sh(["ip", "netns", "exec", `${prefix}gw`, "nft", "list", "table", "ip", "nslab"]).out).toContain(
        "masquerade",
      );
      expect(inNs(`${prefix}h1`, ["ping", "-c", "2", "-W", "3", upAddr]).code).toBe(0);
      // Its masquerade table deleted by hand in the node: status names it, up of the file adds it again.
      expect(sh(["ip", "netns", "exec", `${prefix}gw`, "nft", "delete", "table", "ip", "nslab"]).code).toBe(
        0,
      );
      const broken = JSON.parse(nslab(["status", lab, "--json"]).stdout) as {
        healthy: boolean;
        health: { what: string; check: string }[];
      };
      expect(broken.healthy).toBe(false);
      expect(broken.health.filter((p) => p.check === "NAT").map((p) => p.what)).toEqual([
        expect.stringMatching(/^NAT node gw does not masquerade: its table ip nslab is gone/),
      ]);
      expect(nslab(["up", fileA, "--prefix", prefix]).code).toBe(0);
      const fixed = JSON.parse(nslab(["status", lab, "--json"]).stdout) as typeof broken;
      expect(fixed.health.filter((p) => p.check === "NAT")).toEqual([]);
      expect(sh(["ip", "netns", "exec", `${prefix}gw`, "nft", "list", "table", "ip", "nslab"]).out).toContain(
        "masquerade",
      );
      expect(inNs(`${prefix}h1`, ["ping", "-c", "2", "-W", "3", upAddr]).code).toBe(0);
      // Its table emptied by hand (the chain stays, its rule goes): status names it, up of the file
      // adds the rule again, once.
      expect(sh(["ip", "netns", "exec", `${prefix}gw`, "nft", "flush", "table", "ip", "nslab"]).code).toBe(0);
      const emptied = JSON.parse(nslab(["status", lab, "--json"]).stdout) as typeof broken;
      expect(emptied.healthy).toBe(false);
      expect(emptied.health.filter((p) => p.check === "NAT").map((p) => p.what)).toEqual([
        expect.stringMatching(/^NAT node gw does not masquerade: its table ip nslab holds no rule/),
      ]);
      expect(nslab(["up", fileA, "--prefix", prefix]).code).toBe(0);
      const refilled = JSON.parse(nslab(["status", lab, "--json"]).stdout) as typeof broken;
      expect(refilled.health.filter((p) => p.check === "NAT")).toEqual([]);
      const table = sh(["ip", "netns", "exec", `${prefix}gw`, "nft", "list", "table", "ip", "nslab"]).out;
      expect(table.match(/masquerade/g)).toHaveLength(1);
      expect(inNs(`${prefix}h1`, ["ping", "-c", "2", "-W", "3", upAddr]).code).toBe(0);
      // The lab's tables in the host: emptied (nft flush table), then gone (a firewall reload's
      // `flush ruleset` takes them so): status names each, up of the file restores it, once.
      const natProblems = () =>
        (JSON.parse(nslab(["status", lab, "--json"]).stdout) as typeof broken).health
          .filter((p) => p.check === "NAT")
          .map((p) => p.what);
      for (const [family, how, says, rule] of [
        [
          "ip",
          "flush",
          /^the host does not masquerade NAT node gw out of its uplink: chain nat-gw of the lab's table ip nslab-\S+ holds no rule/,
          /masquerade/g,
        ],
        [
          "ip",
          "delete",
          /^the host does not masquerade NAT node gw out of its uplink: the lab's table ip nslab-\S+ is gone/,
          /masquerade/g,
        ],
        [
          "bridge",
          "flush",
          /^the host's conntrack tracks this lab's bridged frames: chain lab-notrack of the lab's table bridge nslab-\S+ holds no rule/,
          /pkttype other notrack/g,
        ],
        [
          "bridge",
          "delete",
          /^the host's conntrack tracks this lab's bridged frames: the lab's table bridge nslab-\S+ is gone/,
          /pkttype other notrack/g,
        ],
      ] as const) {
        const rootTable = [family, `nslab-${lab}`];
        expect(sh(["nft", how, "table", ...rootTable]).code).toBe(0);
        expect(natProblems()).toEqual([expect.stringMatching(says)]);
        const fixedUp = nslab(["up", fileA, "--prefix", prefix]);
        expect(fixedUp.code, fixedUp.stderr).toBe(0);
        expect(natProblems()).toEqual([]);
        expect(sh(["nft", "list", "table", ...rootTable]).out.match(rule)).toHaveLength(1);
        expect(inNs(`${prefix}h1`, ["ping", "-c", "2", "-W", "3", upAddr]).code).toBe(0);
        expect(inNs(`${prefix}h2`, ["ping", "-c", "1", "-W", "3", "10.71.0.1"]).code).toBe(0); // bridged
      }

      // A down: B still reaches the upstream, the uplink still forwards.
      expect(nslab(["down", lab]).code).toBe(0);
      expect(readFileSync(fwdKey, "utf8").trim()).toBe("1");
      const still = inNs(`${pfxB}h1`, ["sh", "-c", `socat -u TCP:${upAddr}:5010 - | wc -c`], 60_000);
      expect(still.stdout.trim()).toBe("1048576");
      // B down: forwarding restored, nothing of either lab left in the ruleset.
      expect(nslab(["down", `${lab}-b`]).code).toBe(0);
      expect(readFileSync(fwdKey, "utf8")).toBe(before.uplink);
      expect(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8")).toBe(before.global);
      expect(sh(["nft", "-s", "list", "ruleset"]).out).toBe(before.nft);
      expect(existsSync("/run/nslab/forwarding.json")).toBe(false);
    } finally {
      for (const l of [lab, `${lab}-b`]) nslab(["down", l]);
      console.log(`host-net exclusive window: ${Math.round(performance.now() - t0)} ms`);
      await lock.release();
      lock = undefined;
    }
  }, 1_200_000);

  it("gives a generated lab Mininet's --nat: nat0 on the first switch, hosts routed through it", async () => {
    const pfxM = `${prefix.slice(0, 4)}m`;
    const before = sh(["nft", "-s", "list", "ruleset"]).out;
    lock = await exclusiveHostNet();
    try {
      const up = nslab(["up", "--topo", "single,2", "--nat", uplink, "--name", `${lab}-m`, "--prefix", pfxM]);
      expect(up.code, up.stderr).toBe(0);
      expect(inNs(`${pfxM}h2`, ["ip", "route", "show", "default"]).stdout).toMatch(/default via 10\.0\.0\.3/);
      expect(inNs(`${pfxM}h1`, ["ping", "-c", "1", "-W", "3", upAddr]).code).toBe(0);
      const down = inNs(`${pfxM}h2`, ["sh", "-c", `socat -u TCP:${upAddr}:5010 - | wc -c`], 60_000);
      expect(down.stdout.trim(), down.stderr).toBe("1048576");
      expect(nslab(["down", `${lab}-m`]).code).toBe(0);
      expect(readFileSync(fwdKey, "utf8").trim()).toBe("0");
      expect(sh(["nft", "-s", "list", "ruleset"]).out).toBe(before);
    } finally {
      nslab(["down", `${lab}-m`]);
      await lock.release();
      lock = undefined;
    }
  }, 1_200_000);
});
