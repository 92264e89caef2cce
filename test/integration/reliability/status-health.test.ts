/**
 * `status` tells the truth (issue 10 part 5), on the real kernel: the ovs-vswitchd of a lab killed
 * under it (a private Open vSwitch this test starts — OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR and
 * NSLAB_STATE_DIR — so no other lab is touched), a lab's veth deleted by hand, and a lab whose record
 * was removed: each reported with its fix, repaired by `up` of its file again, cleaned up by `down`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { liveProcess } from "../../../src/util/proc.js";
import { canTouchKernel, eventually, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { netNames, scratch } from "../../support/net.js";
import { privateOvs } from "../../support/private-ovs.js";

interface Report {
  lab: string;
  status: string;
  healthy: boolean;
  health: { what: string; where: string; fix: string; check: string }[];
  objects?: { kind: string; name: string }[];
}

const BRIDGE_LAB = (name: string) => `name: ${name}
nodes:
  h1: {interfaces: {eth0: 10.78.0.1/24}}
  h2: {interfaces: {eth0: 10.78.0.2/24}}
  sw: {kind: bridge}
links:
  - [h1:eth0, sw:p1]
  - [h2:eth0, sw:p2]
`;

const OVS_LAB = (name: string) => `name: ${name}
nodes:
  h1: {interfaces: {eth0: 10.78.0.1/24}}
  h2: {interfaces: {eth0: 10.78.0.2/24}}
  sw: {kind: ovs-bridge, datapath: netdev}
links:
  - [h1:eth0, sw:p1]
  - [h2:eth0, sw:p2]
`;

describe.skipIf(!canTouchKernel && !mustRun)("status and the machinery a lab depends on", () => {
  const { prefix, lab } = netNames("sh");
  const files = scratch();
  const ovs = privateOvs(files.path("private"));
  const { env } = ovs;
  const file = files.file("lab.yaml", OVS_LAB(lab));
  const before = scopedSnapshot(prefix, lab);
  const notePids = () => ovs.notePids();
  afterAll(() => {
    nslab(["down", lab], { env });
    ovs.killLeft();
    files.cleanup();
  });
  const up = () => nslab(["up", file, "--name", lab, "--prefix", prefix], { env });
  const status = (): Report => {
    const r = nslab(["status", lab, "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };
  const repair = `nslab up ${file} --name ${lab} --prefix ${prefix}`;

  const vswitchdProblems = (r: Report) => r.health.filter((p) => p.what.startsWith("ovs-vswitchd"));

  it("a killed ovs-vswitchd: status says so and how to repair it; up of the file restarts it", async () => {
    const first = up();
    notePids();
    expect(first.code, first.stderr).toBe(0);
    // Not `healthy`: a private ovs-vswitchd beside the host's (both userspace datapaths want the
    // tap device ovs-netdev) cannot open its bridge — which status then rightly reports.
    expect(vswitchdProblems(status())).toEqual([]);

    const vswitchd = Number(readFileSync(join(env.OVS_RUNDIR, "ovs-vswitchd.pid"), "utf8").trim());
    expect(liveProcess(vswitchd)?.comm).toBe("ovs-vswitchd");
    process.kill(vswitchd, "SIGKILL"); // a daemon of this test's own Open vSwitch
    expect(await eventually(() => !liveProcess(vswitchd), 10_000)).toBe(true);

    const broken = status();
    expect(broken.healthy).toBe(false);
    expect(broken.health).toEqual([
      expect.objectContaining({
        check: "Open vSwitch",
        what: expect.stringMatching(
          new RegExp(
            `^ovs-vswitchd \\(the Open vSwitch switch\\) is not running .*bridge ${prefix}sw forwards nothing$`,
          ),
        ),
        fix: expect.stringContaining(repair),
      }),
    ]);
    const table = nslab(["status", lab], { env });
    expect(table.stdout).toContain("degraded");
    expect(table.stdout).toContain(`fix: ${repair}`);

    const again = up();
    notePids();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain("was started again");
    const restarted = Number(readFileSync(join(env.OVS_RUNDIR, "ovs-vswitchd.pid"), "utf8").trim());
    expect(liveProcess(restarted)?.comm).toBe("ovs-vswitchd");
    expect(vswitchdProblems(status())).toEqual([]);
  }, 180_000);

  it("down still cleans up: the kernel as before, the private daemons stopped, no records", () => {
    const down = nslab(["down", lab], { env });
    expect(down.code, down.stderr).toBe(0);
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
    for (const pid of ovs.pids()) expect(liveProcess(pid)?.comm ?? "gone").not.toMatch(/^ovs/);
    expect(readdirNames(join(env.NSLAB_STATE_DIR, "labs"))).toEqual([]);
  }, 120_000);
});

describe.skipIf(!canTouchKernel && !mustRun)("status of a lab whose veth was deleted by hand", () => {
  const { prefix, lab } = netNames("sv");
  const files = scratch();
  const file = files.file("lab.yaml", BRIDGE_LAB(lab));
  const before = scopedSnapshot(prefix, lab);
  afterAll(() => {
    nslab(["down", lab]);
    files.cleanup();
  });
  const status = (): Report => {
    const r = nslab(["status", lab, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };
  const ping = () => {
    const r = nslab(["ping", lab, "--timeout", "2"]);
    if (r.code !== 0) process.stderr.write(`nslab ping ${lab}: ${r.stdout}${r.stderr}\n`);
    return r.code;
  };
  const repair = `nslab up ${file} --name ${lab} --prefix ${prefix}`;

  it("names both ends with the fix; up of the file re-creates it in place; down cleans up", () => {
    const first = nslab(["up", file, "--name", lab, "--prefix", prefix]);
    expect(first.code, first.stderr).toBe(0);
    expect(status()).toMatchObject({ status: "up", healthy: true, health: [] });
    expect(ping()).toBe(0);

    expect(spawnSync("ip", ["link", "del", `${prefix}p1`]).status).toBe(0); // the lab's own veth
    const broken = status();
    expect(broken.healthy).toBe(false);
    expect(broken.health.map((p) => [p.where, p.what])).toEqual([
      ["node h1, interface eth0", "interface eth0 is missing"],
      [`node sw, interface ${prefix}p1`, `interface ${prefix}p1 is missing`],
    ]);
    expect(broken.health.every((p) => p.fix.startsWith(repair))).toBe(true);
    expect(ping()).not.toBe(0);

    const again = nslab(["up", file, "--name", lab, "--prefix", prefix]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain("was missing parts: restored in place");
    expect(status()).toMatchObject({ healthy: true, health: [] });
    expect(ping()).toBe(0);

    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
  }, 180_000);
});

describe.skipIf(!canTouchKernel && !mustRun)("status of a lab whose record was lost", () => {
  const { prefix, lab } = netNames("sr");
  const before = scopedSnapshot(prefix, lab);
  afterAll(() => {
    nslab(["down", lab]);
  });

  it("finds it by its markers, says its record is missing, and down removes it", () => {
    const up = nslab(["up", "--topo", "single,2", "--name", lab, "--prefix", prefix]);
    expect(up.code, up.stderr).toBe(0);
    const record = join(process.env.NSLAB_STATE_DIR || "/run/nslab", "labs", `${lab}.json`);
    expect(existsSync(record)).toBe(true);
    rmSync(record); // what a reboot of /run or a careless rm does, to this lab only

    // `status LAB` (plain `status` finds it the same way, but observes every lab on this shared host).
    const one = nslab(["status", lab, "--json"]);
    expect(one.code, one.stderr).toBe(0);
    const found = JSON.parse(one.stdout) as Report;
    expect(found).toMatchObject({ status: "record-missing", healthy: false });
    expect(found.objects).toEqual(
      expect.arrayContaining([
        { kind: "netns", name: `${prefix}h1` },
        { kind: "netns", name: `${prefix}h2` },
      ]),
    );
    expect(found.health[0]!.fix).toMatch(new RegExp(`^nslab down ${lab} `));

    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
    expect(nslab(["status", lab]).code).not.toBe(0);
  }, 120_000);
});

describe.skipIf(!canTouchKernel && !mustRun)("a lab after a reboot of a host whose /run is a disk", () => {
  const { prefix, lab } = netNames("rb");
  const files = scratch();
  const file = files.file("lab.yaml", BRIDGE_LAB(lab));
  const state = process.env.NSLAB_STATE_DIR || "/run/nslab";
  const before = scopedSnapshot(prefix, lab);
  afterAll(() => {
    nslab(["down", lab]);
    files.cleanup();
  });
  const up = () => nslab(["up", file, "--name", lab, "--prefix", prefix]);
  /** What the reboot takes: the kernel's objects and every mount; files on disk (the record, the
   * namespaces' empty files in /run/netns, the file system's mount point) stay. */
  const reboot = async () => {
    expect(spawnSync("umount", ["-l", `${state}/fs/${lab}`]).status).toBe(0);
    for (const n of ["h1", "h2"])
      expect(spawnSync("umount", ["-l", `/run/netns/${prefix}${n}`]).status).toBe(0);
    expect(spawnSync("ip", ["link", "del", `${prefix}sw`]).status).toBe(0);
    expect(await eventually(() => !existsSync(`/sys/class/net/${prefix}p1`), 10_000)).toBe(true);
    expect(
      readdirNames("/run/netns")
        .filter((n) => n.startsWith(prefix))
        .sort(),
    ).toEqual([`${prefix}h1`, `${prefix}h2`]);
  };

  it("status names what went, up of the file restores network and nodes' environment, down leaves nothing", async () => {
    const first = up();
    expect(first.code, first.stderr).toBe(0);
    await reboot();
    const broken = JSON.parse(nslab(["status", lab, "--json"]).stdout) as Report;
    expect(broken).toMatchObject({ status: "up", healthy: false });
    expect(broken.health.map((p) => p.what)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^its file system .* is not mounted: .*nslab exec fails/),
        `namespace ${prefix}h1 is missing`,
      ]),
    );

    const again = up();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain("was missing parts: restored in place");
    expect(JSON.parse(nslab(["status", lab, "--json"]).stdout)).toMatchObject({ healthy: true, health: [] });
    expect(nslab(["ping", lab, "--timeout", "2"]).code).toBe(0);
    // The nodes' environment is back: the lab's /etc/hosts in a node's own mount namespace.
    const hosts = nslab(["exec", lab, "h1", "--", "cat", "/etc/hosts"]);
    expect(hosts.code, hosts.stderr).toBe(0);
    expect(hosts.stdout).toMatch(/10\.78\.0\.2\s+h2/);

    await reboot();
    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(readdirNames(`${state}/fs`)).not.toContain(lab);
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
  }, 120_000);
});

describe.skipIf(!canTouchKernel && !mustRun)(
  "an OVS lab after a reboot of a host whose /run is memory",
  () => {
    const { prefix, lab } = netNames("ro");
    const files = scratch();
    const ovs = privateOvs(files.path("private"));
    const { env } = ovs;
    const file = files.file("lab.yaml", OVS_LAB(lab));
    const before = scopedSnapshot(prefix, lab);
    afterAll(() => {
      nslab(["down", lab], { env });
      ovs.killLeft();
      files.cleanup();
    });
    const bridgesInDb = () =>
      spawnSync(
        "ovsdb-tool",
        ["query", ovs.db, '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]'],
        {
          encoding: "utf8",
        },
      ).stdout;

    it("status finds its bridge in the database file, down starts Open vSwitch to remove it and leaves nothing", async () => {
      const up = nslab(["up", file, "--name", lab, "--prefix", prefix], { env });
      ovs.notePids();
      expect(up.code, up.stderr).toBe(0);
      // The reboot: every process and the namespaces go, and /run with them (the state directory and
      // the daemons' run directory); the database file stays, last written before this boot.
      for (const pid of ovs.pids())
        if (liveProcess(pid)?.comm.startsWith("ovs")) process.kill(pid, "SIGKILL");
      expect(
        await eventually(() => [...ovs.pids()].every((p) => !liveProcess(p)?.comm.startsWith("ovs")), 10_000),
      ).toBe(true);
      spawnSync("umount", ["-l", join(env.NSLAB_STATE_DIR, "fs", lab)]);
      for (const d of [env.NSLAB_STATE_DIR, env.OVS_RUNDIR])
        for (const f of readdirNames(d)) rmSync(join(d, f), { recursive: true, force: true });
      for (const n of ["h1", "h2"]) expect(spawnSync("ip", ["netns", "del", `${prefix}${n}`]).status).toBe(0);
      const btime = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))![1]);
      utimesSync(ovs.db, btime - 60, btime - 60);
      expect(bridgesInDb()).toContain(`${prefix}sw`);

      const found = JSON.parse(nslab(["status", lab, "--json"], { env }).stdout) as Report;
      expect(found.status).toBe("record-missing");
      expect(found.objects).toEqual(expect.arrayContaining([{ kind: "ovs-bridge", name: `${prefix}sw` }]));

      const down = nslab(["down", lab], { env });
      ovs.notePids();
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).toContain("starting Open vSwitch");
      expect(bridgesInDb()).not.toContain(`${prefix}sw`);
      for (const pid of ovs.pids()) expect(liveProcess(pid)?.comm ?? "gone").not.toMatch(/^ovs/);
      expect(scopedSnapshot(prefix, lab)).toEqual(before);
    }, 120_000);
  },
);

function readdirNames(d: string): string[] {
  return existsSync(d) ? readdirSync(d) : [];
}
