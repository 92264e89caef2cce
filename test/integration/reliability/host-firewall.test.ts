/**
 * Lab traffic on a firewalled host (issue 10 §4): with br_netfilter on, frames crossing a lab's
 * Linux bridge pass the host's forward chains. Under the host-net EXCLUSIVE lock (a short window;
 * the labs that can be are built before it) the host gets a Docker-like firewall — iptables-nft
 * FORWARD policy DROP (IPv4 and IPv6) with a DOCKER-USER chain, and a native `inet` forward chain
 * with policy drop. Then: a bridge lab comes up with nslab's accepts and carries ICMP and TCP
 * (`nslab test`), `plan` prints the rules, an OVS lab keeps working, a bridge lab that was up before
 * the firewall is repaired by `up FILE` again; rollback, kill -9 + `down`, and kill -9 + lost record
 * + `down --all` remove exactly the lab's rules; after every `down` the rulesets are byte-for-byte
 * (counters aside) what they were, and after the window what they were at the start.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downAll } from "../../../src/index.js";
import { exclusiveHostNet, type HostLock } from "../../support/host-lock.js";
import { canTouchKernel, mustRun, nslab, startNslab } from "../../support/kernel.js";
import { netLab } from "../../support/net.js";

function sh(argv: string[], input?: string): { code: number; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The host's rulesets, without counters (other rules' counters move with traffic). */
function rulesets(): string {
  const nft = sh(["nft", "-s", "list", "ruleset"]).out;
  const xt = ["iptables-nft-save", "ip6tables-nft-save"]
    .map((t) =>
      sh([t])
        .out.split("\n")
        .filter((l) => !l.startsWith("#"))
        .map((l) => l.replace(/\[\d+:\d+\]/g, "[0:0]"))
        .join("\n"),
    )
    .join("\n");
  return `${nft}\n---\n${xt}`;
}

const hasTable = (family: string, table: string) => sh(["nft", "list", "table", family, table]).code === 0;

const bridgeLab = (name: string, net: number) => `name: ${name}
nodes:
  h1: { interfaces: { eth0: [10.${net}.0.1/24, "fd00:${net}::1/64"] } }
  h2: { interfaces: { eth0: [10.${net}.0.2/24, "fd00:${net}::2/64"] } }
  sw: { kind: bridge }
links:
  - endpoints: [h1:eth0, sw:p1]
  - endpoints: [h2:eth0, sw:p2]
expect:
  - h1 -> h2: reachable
  - { from: h2, to: h1, family: 6, expect: reachable }
  - { from: h1, to: h2, tcp: 8080, expect: reachable }
`;

describe.skipIf(!canTouchKernel && !mustRun)("lab traffic on a host whose forward chains drop", () => {
  const main = netLab("fw", ["-ovs", "-old", "-rb", "-kill", "-lost"]);
  const { prefix, lab, files } = main;
  const fileOf = (suffix: string, net: number, ovs = false) =>
    files.file(
      `${suffix || "main"}.yaml`,
      ovs
        ? bridgeLab(`${lab}${suffix}`, net).replace("kind: bridge", "kind: ovs-bridge")
        : bridgeLab(`${lab}${suffix}`, net),
    );
  const mainFile = fileOf("", 61);
  const ovsFile = fileOf("-ovs", 62, true);
  const oldFile = fileOf("-old", 63);
  const rbFile = fileOf("-rb", 64);
  const killFile = fileOf("-kill", 65);
  const lostFile = fileOf("-lost", 66);
  const pfx = (n: number) => `${prefix.slice(0, 4)}${n}`;
  const native = `nslabtest-${prefix.slice(1, 4)}`;
  let exclusive: HostLock | undefined;
  let start = "";
  let undo: (() => void) | undefined;

  beforeAll(() => {
    start = rulesets();
    // Labs that exist before the firewall: an OVS lab, and a bridge lab (no accepts needed yet).
    for (const [file, p] of [
      [ovsFile, pfx(2)],
      [oldFile, pfx(3)],
    ] as const) {
      const up = nslab(["up", file, "--prefix", p]);
      expect(up.code, up.stderr).toBe(0);
    }
    // Both carry traffic before the host drops anything.
    for (const l of [`${lab}-ovs`, `${lab}-old`]) {
      const t = nslab(["test", l]);
      expect(t.code, t.stdout + t.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    try {
      for (const s of ["", "-ovs", "-old", "-rb", "-kill", "-lost"]) nslab(["down", `${lab}${s}`]);
      undo?.();
    } finally {
      await exclusive?.release();
    }
    expect(rulesets()).toBe(start);
  }, 120_000);

  it("adds, uses and removes its accepts in every dropping chain, and leaves the rulesets as they were", async () => {
    // The exclusive window (the file's shared hold is given up meanwhile).
    exclusive = await exclusiveHostNet();
    const ipFilter = hasTable("ip", "filter");
    const ip6Filter = hasTable("ip6", "filter");
    const policy = (tool: string) => /:FORWARD (\w+)/.exec(sh([tool, "-t", "filter"]).out)?.[1] ?? "ACCEPT";
    const before4 = ipFilter ? policy("iptables-nft-save") : "ACCEPT";
    const before6 = ip6Filter ? policy("ip6tables-nft-save") : "ACCEPT";
    const hadDockerUser = ipFilter && sh(["iptables-nft", "-S", "DOCKER-USER"]).code === 0;
    undo = () => {
      sh(["nft", "delete", "table", "inet", native]);
      if (!hadDockerUser) {
        sh(["iptables-nft", "-D", "FORWARD", "-j", "DOCKER-USER"]);
        sh(["iptables-nft", "-X", "DOCKER-USER"]);
      }
      if (ipFilter) sh(["iptables-nft", "-P", "FORWARD", before4]);
      else sh(["nft", "delete", "table", "ip", "filter"]);
      if (ip6Filter) sh(["ip6tables-nft", "-P", "FORWARD", before6]);
      else sh(["nft", "delete", "table", "ip6", "filter"]);
      undo = undefined;
    };
    const t0 = performance.now();
    try {
      expect(sh(["iptables-nft", "-P", "FORWARD", "DROP"]).code).toBe(0);
      expect(sh(["ip6tables-nft", "-P", "FORWARD", "DROP"]).code).toBe(0);
      if (!hadDockerUser) {
        expect(sh(["iptables-nft", "-N", "DOCKER-USER"]).code).toBe(0);
        expect(sh(["iptables-nft", "-I", "FORWARD", "-j", "DOCKER-USER"]).code).toBe(0);
      }
      const nf = sh(
        ["nft", "-f", "-"],
        `table inet ${native} {\n  chain forward { type filter hook forward priority 10; policy drop; }\n}\n`,
      );
      expect(nf.code, nf.out).toBe(0);
      const firewalled = rulesets();

      // The lab that was up before: its bridged traffic is dropped now; `up FILE` again repairs it.
      expect(nslab(["test", `${lab}-old`]).code).not.toBe(0);
      const degraded = nslab(["status", `${lab}-old`]);
      expect(degraded.stdout).toMatch(/degraded/);
      expect(degraded.stdout).toMatch(
        /the host firewall drops this lab.s bridged traffic: iptables-nft ip filter FORWARD/,
      );
      const repair = nslab(["up", oldFile, "--prefix", pfx(3)]);
      expect(repair.code, repair.stderr).toBe(0);
      expect(repair.stderr).toMatch(/restoring 3 missing part\(s\)/);
      const t1 = nslab(["test", `${lab}-old`]);
      expect(t1.code, t1.stdout + t1.stderr).toBe(0);
      expect(nslab(["status", `${lab}-old`]).stdout).toMatch(/healthy/);

      // plan prints the rules for this host.
      const plan = nslab(["plan", mainFile, "--prefix", prefix]);
      expect(plan.code, plan.stderr).toBe(0);
      const br = `${prefix}sw`;
      expect(plan.stdout).toContain(
        `iptables-nft -I DOCKER-USER -i ${br} -o ${br} -m comment --comment nslab:${lab} -j ACCEPT`,
      );
      expect(plan.stdout).toContain(
        `ip6tables-nft -I FORWARD -i ${br} -o ${br} -m comment --comment nslab:${lab} -j ACCEPT`,
      );
      expect(plan.stdout).toContain(
        `insert rule inet ${native} forward iifname "${br}" oifname "${br}" counter accept comment "nslab:${lab}"`,
      );

      // A new bridge lab: ICMP (v4, v6) and TCP across the bridge.
      const up = nslab(["up", mainFile, "--prefix", prefix]);
      expect(up.code, up.stderr).toBe(0);
      const test = nslab(["test", lab]);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      const accept = new RegExp(`-i ${br} -o ${br} -m comment --comment "?nslab:${lab}"? -j ACCEPT`);
      expect(sh(["iptables-nft", "-S", "DOCKER-USER"]).out).toMatch(accept);
      expect(sh(["ip6tables-nft", "-S", "FORWARD"]).out).toMatch(accept);
      expect(sh(["nft", "list", "chain", "inet", native, "forward"]).out).toMatch(
        new RegExp(
          `iifname "${br}" oifname "${br}" counter packets [1-9]\\d* .*accept comment "nslab:${lab}"`,
        ),
      );
      // The OVS lab's traffic does not cross the host's IP hooks: it works as it did.
      const ovs = nslab(["test", `${lab}-ovs`]);
      expect(ovs.code, ovs.stdout + ovs.stderr).toBe(0);

      // A failing up rolls its accepts back (fail the last operation: an accept).
      const ops = (
        JSON.parse(nslab(["plan", rbFile, "--prefix", pfx(4), "--json"]).stdout) as {
          operations: { op: string }[];
        }
      ).operations;
      expect(ops.at(-1)?.op).toBe("fw.accept");
      const rb = nslab(["up", rbFile, "--prefix", pfx(4)], {
        env: { NSLAB_TEST_FAULTS: `fail-op=${ops.length}` },
      });
      expect(rb.code).not.toBe(0);
      expect(rb.stderr).toMatch(/injected|fault/i);
      expect(`${sh(["nft", "list", "ruleset"]).out}${sh(["iptables-nft-save"]).out}`).not.toContain(
        `nslab:${lab}-rb`,
      );

      // kill -9 with some accepts in (paused before the last one): `down` removes them.
      for (const [suffix, file, p] of [
        ["-kill", killFile, pfx(5)],
        ["-lost", lostFile, pfx(6)],
      ] as const) {
        const cli = startNslab(["up", file, "--prefix", p], { NSLAB_TEST_FAULTS: `pause-op=${ops.length}` });
        await cli.waitFor(`paused before operation ${ops.length}`);
        cli.child.kill("SIGKILL");
        await cli.exited;
        expect(sh(["iptables-nft-save"]).out).toContain(`nslab:${lab}${suffix}`);
        if (suffix === "-kill") {
          const down = nslab(["down", `${lab}${suffix}`]);
          expect(down.code, down.stderr).toBe(0);
        } else {
          // The record is lost too: down --all finds the lab by its markers, rules included.
          rmSync(`/run/nslab/${lab}${suffix}.json`, { force: true });
          const results = await downAll({ filter: (l) => l === `${lab}${suffix}` });
          expect(results.map((r) => r.lab)).toEqual([`${lab}${suffix}`]);
        }
        const all = `${sh(["nft", "list", "ruleset"]).out}${sh(["iptables-nft-save"]).out}${sh(["ip6tables-nft-save"]).out}`;
        expect(all).not.toContain(`nslab:${lab}${suffix}`);
      }

      for (const s of ["", "-old"]) expect(nslab(["down", `${lab}${s}`]).code).toBe(0);
      expect(rulesets()).toBe(firewalled);
    } finally {
      undo?.();
      console.log(`host-net exclusive window: ${Math.round(performance.now() - t0)} ms`);
      await exclusive.release();
      exclusive = undefined;
    }
    expect(rulesets()).toBe(start);
  }, 1_200_000);
});
