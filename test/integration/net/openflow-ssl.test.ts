/**
 * `ssl:` controllers end to end: a generated lab with `--controller remote,…,protocol=ssl` gets
 * nslab's PKI (made by Debian's ovs-pki) and Open vSwitch's one SSL setting marked as nslab's;
 * ovs-testcontroller listening on pssl: with the controller's key and certificate from that PKI
 * connects, and its flows switch every pair. A second lab shares the setting; the first `down`
 * keeps it, the last removes it. A setting nslab did not make (the host's own) is used as it is and
 * left in place by up and down. nslab's PKI stays for the next lab by design; this file removes it
 * when it made it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab } from "../../support/kernel.js";
import { netLab, run } from "../../support/net.js";

const hasTools = ["/usr/bin/ovs-testcontroller", "/usr/bin/ovs-pki"].every((p) => existsSync(p));

// The state directory every nslab on this host shares (a private one would not see the other labs
// that hold the shared Open vSwitch daemons).
const stateDir = process.env.NSLAB_STATE_DIR || "/run/nslab";
const env = {};
const pki = join(stateDir, "openflow-pki");
const owner = `nslab:${stateDir}`;
const hadPki = existsSync(pki);

const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started)
    if (c.exitCode === null && c.signalCode === null && c.pid)
      try {
        process.kill(c.pid, "SIGTERM");
      } catch {
        // already gone
      }
  // The PKI this file made goes, unless an SSL setting still uses it; with Open vSwitch stopped (the
  // last lab's down stops the daemons nslab started) nothing does.
  const ssl = spawnSync("ovs-vsctl", ["--timeout=5", "get", "Open_vSwitch", ".", "ssl"], {
    encoding: "utf8",
  });
  if (!hadPki && (ssl.status !== 0 || ssl.stdout.trim() === "[]"))
    rmSync(pki, { recursive: true, force: true });
});

/** The database's SSL setting as `ovs-vsctl` shows it ("" when none), and its marker. */
function sslSetting(): { ref: string; owner: string } {
  const ref = run("ovs-vsctl", ["get", "Open_vSwitch", ".", "ssl"]).trim();
  if (ref === "[]" || ref === "") return { ref: "", owner: "" };
  const ids = run("ovs-vsctl", ["--if-exists", "get", "SSL", ref, "external_ids:nslab-owner"]).trim();
  return { ref, owner: ids.replace(/^"|"$/g, "") };
}

function up(lab: string, prefix: string, port: number) {
  return nslab(
    [
      "up",
      "--topo",
      "single,2",
      "--controller",
      `remote,ip=127.0.0.1,port=${port},protocol=ssl`,
      // ovs-testcontroller 3.1's OpenFlow 1.5 packet-outs are refused by ovs-vswitchd (OFPBMC_BAD_MASK):
      // the canonical 1.3, as Mininet's users give it.
      "--switch",
      "ovs,protocols=OpenFlow13",
      "--name",
      lab,
      "--prefix",
      prefix,
    ],
    { env },
  );
}

/** Until `status --json` shows lab's bridge connected (true) or the time is up (false). */
async function untilConnected(lab: string, timeoutMs = 40_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = nslab(["status", lab, "--json"], { env });
    const s1 = (
      JSON.parse(r.stdout).nodes as { name: string; openflow?: { controllers: { connected: boolean }[] } }[]
    ).find((n) => n.name === "s1");
    if (s1?.openflow?.controllers[0]?.connected) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

describe.skipIf((!canTouchKernel || !hasTools) && !mustRun)("ssl: controllers", () => {
  const a = netLab("ssla");
  const b = netLab("sslb");
  const holder = netLab("sslh");
  const port = 20000 + Math.floor(Math.random() * 20000);

  it("up sets nslab's SSL setting and PKI; ovs-testcontroller on pssl: connects and every pair pings", async () => {
    const r = up(a.lab, a.prefix, port);
    expect(r.code, r.stderr).toBe(0);
    // (With a setting of the host's own, nslab would use that one as it is: the last test.)
    expect(sslSetting().owner, "Open vSwitch had an SSL setting of its own (ovs-vsctl get-ssl)").toBe(owner);
    const got = run("ovs-vsctl", ["get-ssl"]);
    expect(got).toContain(`Private key: ${join(pki, "sc-privkey.pem")}`);
    expect(got).toContain(`CA Certificate: ${join(pki, "pki", "controllerca", "cacert.pem")}`);
    expect(run("ovs-vsctl", ["get-controller", `${a.prefix}s1`]).trim()).toBe(`ssl:127.0.0.1:${port}`);

    const controller = spawn(
      "ovs-testcontroller",
      [
        "-p",
        join(pki, "ctl-privkey.pem"),
        "-c",
        join(pki, "ctl-cert.pem"),
        "-C",
        join(pki, "pki", "switchca", "cacert.pem"),
        `pssl:${port}:127.0.0.1`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    started.push(controller);
    expect(await untilConnected(a.lab)).toBe(true);
    const t = nslab(["test", a.lab], { env });
    expect(t.code, t.stdout + t.stderr).toBe(0);
    // The controller's flows switched the traffic (secure mode: nothing else would). nslab test's
    // one ping a pair may all go through the controller's packet-outs before a flow matches (seen
    // once on a loaded machine): a few more pings meet the flows it installed.
    const more = nslab(["exec", a.lab, "h1", "--", "ping", "-c", "5", "-i", "0.2", "-W", "2", "10.0.0.2"], {
      env,
    });
    expect(more.code, more.stdout + more.stderr).toBe(0);
    const flows = run("ovs-ofctl", ["-O", "OpenFlow13", "dump-flows", `${a.prefix}s1`]);
    expect(flows, flows).toMatch(/priority=1,.*n_packets=[1-9]|n_packets=[1-9].*priority=1,/);
  });

  it("a second lab shares the setting; the first down keeps it, the last removes it", async () => {
    const before = sslSetting();
    const r = up(b.lab, b.prefix, port);
    expect(r.code, r.stderr).toBe(0);
    expect(sslSetting()).toEqual(before);
    expect(await untilConnected(b.lab)).toBe(true);
    expect(nslab(["down", a.lab], { env }).code).toBe(0);
    expect(sslSetting()).toEqual(before);
    expect(nslab(["down", b.lab], { env }).code).toBe(0);
    expect(sslSetting().ref).toBe("");
    // The PKI stays for the next lab: a controller keeps its certificate.
    expect(existsSync(join(pki, "ctl-cert.pem"))).toBe(true);
  });

  it("uses a setting nslab did not make as it is, and leaves it in place at down", () => {
    // Open vSwitch running before the setting is made: the last lab's down stopped the daemons nslab
    // had started (on a fresh machine nothing else runs them), so a plain OVS lab holds them.
    const held = nslab(
      ["up", "--topo", "single,2", "--switch", "ovs", "--name", holder.lab, "--prefix", holder.prefix],
      { env },
    );
    expect(held.code, held.stderr).toBe(0);
    // The host's own SSL setting, made here with ovs-vsctl as an administrator would.
    const set = spawnSync("ovs-vsctl", [
      "set-ssl",
      join(pki, "sc-privkey.pem"),
      join(pki, "sc-cert.pem"),
      join(pki, "pki", "controllerca", "cacert.pem"),
    ]);
    expect(set.status, String(set.stderr)).toBe(0);
    try {
      const hosts = sslSetting();
      expect(hosts.owner).toBe("");
      const r = up(a.lab, a.prefix, port);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/nslab did not make and leaves alone/);
      expect(sslSetting()).toEqual(hosts);
      expect(nslab(["down", a.lab], { env }).code).toBe(0);
      expect(sslSetting()).toEqual(hosts);
    } finally {
      spawnSync("ovs-vsctl", ["del-ssl"]);
      nslab(["down", holder.lab], { env });
    }
  });
});
