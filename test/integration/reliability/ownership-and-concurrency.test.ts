/**
 * nslab touches only what it owns: names taken by others are refused before anything is created;
 * `down` works from markers alone (record lost, file deleted, plan script run by hand) and never
 * removes a same-named object that is not the lab's. Two `up`s of one lab exclude each other;
 * different labs live side by side.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { downAll } from "../../../src/engine/down.js";
import {
  canTouchKernel,
  inNs,
  mustRun,
  nslab,
  ownSnapshot,
  scopedSnapshot,
  startNslab,
  uniqueTag,
} from "../../support/kernel.js";

const labs: string[] = [];
const foreign: { netns: string[]; links: string[] } = { netns: [], links: [] };
afterAll(() => {
  for (const lab of labs) nslab(["down", lab]);
  for (const ns of foreign.netns) spawnSync("ip", ["netns", "del", ns]);
  for (const l of foreign.links) spawnSync("ip", ["link", "del", l]);
});

/** Two hosts on a Linux bridge (or an OVS bridge), named with the given prefix, in a temp file. */
function bridgeLab(name: string, net = 40, kind: "bridge" | "ovs-bridge" = "bridge"): string {
  const file = join(tmpdir(), `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nnodes:\n  a: {interfaces: {e0: 10.${net}.0.1/24}}\n  b: {interfaces: {e0: 10.${net}.0.2/24}}\n  br: {kind: ${kind}}\nlinks:\n  - [a:e0, br:pa]\n  - [b:e0, br:pb]\n`,
  );
  return file;
}

const fresh = () => {
  const tag = uniqueTag().slice(1, 5);
  return { name: `own-${tag}`, prefix: `o${tag}-` };
};

describe.skipIf(!canTouchKernel && !mustRun)("ownership", () => {
  it("refuses names taken by others, before creating anything, and leaves them alone", () => {
    const { name, prefix } = fresh();
    labs.push(name);
    // Someone else's namespace and bridge happen to have names the lab needs.
    execFileSync("ip", ["netns", "add", `${prefix}a`]);
    foreign.netns.push(`${prefix}a`);
    execFileSync("ip", ["link", "add", "name", `${prefix}br`, "type", "bridge"]);
    foreign.links.push(`${prefix}br`);
    const before = scopedSnapshot(prefix, name);
    const r = nslab(["up", bridgeLab(name), "--prefix", prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot bring up lab '.*': 2 names it needs are taken/);
    expect(r.stderr).toMatch(
      new RegExp(
        `namespace '${prefix}a' exists and is not nslab's — nslab never touches what it did not create`,
      ),
    );
    expect(r.stderr).toMatch(
      new RegExp(`interface in the root namespace '${prefix}br' exists and is not nslab's`),
    );
    expect(r.stderr).toContain("nothing was changed");
    expect(scopedSnapshot(prefix, name)).toEqual(before);
    // down of that lab must not touch them either.
    expect(nslab(["down", name]).code).toBe(0);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });

  it("down works after the record is lost and after the file is deleted, by markers", () => {
    const { name, prefix } = fresh();
    labs.push(name);
    const file = bridgeLab(name, 41);
    const before = scopedSnapshot(prefix, name);
    expect(nslab(["up", file, "--prefix", prefix]).code).toBe(0);
    unlinkSync(file);
    rmSync(join(process.env.NSLAB_STATE_DIR || "/run/nslab", "labs", `${name}.json`));
    const r = nslab(["down", name]);
    expect(r.code, r.stderr).toBe(0);
    // Namespaces a and b, root links br, pa and pb, the lab's file system, /etc/netns of a and b.
    expect(r.stderr).toMatch(/has no record; removing the 8 object\(s\) marked as its own/);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });

  it("what a reboot leaves (/etc/netns entries alone): status names it, up of the same names replaces it, down removes it", () => {
    const { name, prefix } = fresh();
    const other = `${name}-x`;
    labs.push(name, other);
    const state = process.env.NSLAB_STATE_DIR || "/run/nslab";
    const before = scopedSnapshot(prefix, name, other);
    const upThenReboot = () => {
      expect(nslab(["up", bridgeLab(name, 47), "--prefix", prefix]).code).toBe(0);
      // A reboot of a host whose /run is memory: the lab's network, file system and record go; /etc is a disk.
      execFileSync("umount", ["-l", `${state}/fs/${name}`]);
      rmSync(`${state}/fs/${name}`, { recursive: true, force: true });
      rmSync(join(state, "labs", `${name}.json`));
      for (const n of ["a", "b"]) execFileSync("ip", ["netns", "del", `${prefix}${n}`]);
      execFileSync("ip", ["link", "del", `${prefix}br`]);
      for (let i = 0; i < 100 && ownSnapshot(prefix).rootLinks.length > 0; i++)
        execFileSync("sleep", ["0.05"]);
      expect(ownSnapshot(prefix)).toMatchObject({
        netns: [],
        rootLinks: [],
        etcNetns: [`${prefix}a`, `${prefix}b`],
      });
    };

    upThenReboot();
    const [report] = JSON.parse(nslab(["status", "--json"]).stdout).filter(
      (r: { lab: string }) => r.lab === name,
    );
    expect(report).toMatchObject({
      status: "record-missing",
      objects: [{ kind: "etc-netns" }, { kind: "etc-netns" }],
    });
    expect(report.health[0].what).toMatch(/only its 2 \/etc\/netns entries are left/);
    // Another lab with the same node names comes up over them.
    const r = nslab(["up", bridgeLab(other, 48), "--prefix", prefix]);
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(`/etc/netns/${prefix}a/hosts`)).toBe(`${state}/fs/${other}/hosts`);
    expect(nslab(["down", other]).code).toBe(0);
    expect(scopedSnapshot(prefix, name, other)).toEqual(before);

    upThenReboot();
    const d = nslab(["down", name]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toMatch(/has no record; removing the 2 object\(s\) marked as its own/);
    expect(scopedSnapshot(prefix, name, other)).toEqual(before);

    // Where /run is a disk a namespace's file outlives it: no lab's record names it, so it is refused, with the fix.
    execFileSync("ip", ["netns", "add", `${prefix}a`]);
    foreign.netns.push(`${prefix}a`);
    execFileSync("umount", [`/run/netns/${prefix}a`]);
    const refused = nslab(["up", bridgeLab(other, 48), "--prefix", prefix]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `namespace '${prefix}a' is a file left in /run/netns without its namespace (a reboot of a host whose /run is a disk, or an umount) — remove it with: ip netns del ${prefix}a`,
    );
    execFileSync("ip", ["netns", "del", `${prefix}a`]);
    expect(scopedSnapshot(prefix, name, other)).toEqual(before);
  });

  it("down of a lab that is not up reads no other lab's namespaces", () => {
    const { name, prefix } = fresh();
    labs.push(name);
    expect(nslab(["up", bridgeLab(name, 43), "--prefix", prefix]).code).toBe(0);
    const r = nslab(["-v", "down", `${name}-none`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`lab '${name}-none' is not up`);
    // Namespaces recorded as another lab's are skipped; marked ones of other labs are not dumped.
    expect(r.stderr).not.toMatch(/nsdump×/);
    expect(nslab(["status", name, "--json"]).stdout).toMatch(/"healthy": true/);
  });

  it("down --all (filtered to this test's labs) finds labs, OVS bridges included, by their markers alone", async () => {
    const { name, prefix } = fresh();
    labs.push(name);
    const before = scopedSnapshot(prefix, name);
    expect(nslab(["up", bridgeLab(name, 42, "ovs-bridge"), "--prefix", prefix]).code).toBe(0);
    expect(ownSnapshot(prefix, name).ovsBridges).toEqual([`${prefix}br: ${prefix}pa,${prefix}pb`]);
    rmSync(join(process.env.NSLAB_STATE_DIR || "/run/nslab", "labs", `${name}.json`));
    const results = await downAll({ filter: (lab) => lab === name });
    expect(results.map((r) => [r.lab, r.found])).toEqual([[name, true]]);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });

  it("the printed plan is a runnable script, and down cleans up after it", () => {
    const { name, prefix } = fresh();
    labs.push(name);
    const before = scopedSnapshot(prefix, name);
    const plan = nslab(["plan", bridgeLab(name, 43), "--prefix", prefix]);
    expect(plan.code).toBe(0);
    const sh = spawnSync("sh", ["-e"], { input: plan.stdout, encoding: "utf8" });
    expect(sh.status, sh.stderr).toBe(0);
    expect(inNs(`${prefix}a`, ["ping", "-c", "1", "-W", "2", "10.43.0.2"]).code).toBe(0);
    expect(nslab(["down", name]).code).toBe(0);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });

  it("down leaves alone a same-named object that is not the lab's", () => {
    const { name, prefix } = fresh();
    labs.push(name);
    expect(nslab(["up", bridgeLab(name, 44), "--prefix", prefix]).code).toBe(0);
    // Someone replaces namespace a with their own while the lab is up.
    execFileSync("ip", ["netns", "del", `${prefix}a`]);
    execFileSync("ip", ["netns", "add", `${prefix}a`]);
    foreign.netns.push(`${prefix}a`);
    const r = nslab(["down", name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`left netns '${prefix}a' alone: not marked as this lab's`));
    expect(ownSnapshot(prefix, name).netns).toEqual([`${prefix}a`]);
  });

  it("down leaves alone another file system mounted where the lab's was", () => {
    const { name, prefix } = fresh();
    labs.push(name);
    expect(nslab(["up", bridgeLab(name, 46), "--prefix", prefix]).code).toBe(0);
    const at = `${process.env.NSLAB_STATE_DIR || "/run/nslab"}/fs/${name}`;
    // Someone unmounts the lab's file system and mounts a tmpfs of their own there.
    execFileSync("umount", ["-l", at]);
    execFileSync("mount", ["-t", "tmpfs", "someones", at]);
    try {
      const r = nslab(["down", name]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/left labfs '.*' alone: not this lab's: .* is not marked "nslab-/);
      expect(readFileSync("/proc/self/mountinfo", "utf8")).toMatch(new RegExp(` ${at} .* - tmpfs someones `));
      const left = ownSnapshot(prefix, name);
      expect(left.netns).toEqual([]);
      expect(left.rootLinks).toEqual([]);
    } finally {
      spawnSync("umount", ["-l", at]);
      spawnSync("rmdir", [at]);
    }
  });

  it("down deletes the lab's link group at once only when the group holds nothing else", () => {
    const crowded = readdirSync("/sys/class/net").length > 1000;
    for (const intruder of [false, true]) {
      const { name, prefix } = fresh();
      labs.push(name);
      expect(nslab(["up", bridgeLab(name, 45), "--prefix", prefix]).code).toBe(0);
      const group = readFileSync(`/sys/class/net/${prefix}br/netdev_group`, "utf8").trim();
      // Someone else's link put in the lab's group (a number anyone can use).
      if (intruder) {
        execFileSync("ip", ["link", "add", "name", `${prefix}x`, "group", group, "type", "bridge"]);
        foreign.links.push(`${prefix}x`);
      }
      const r = nslab(["-v", "down", name]);
      expect(r.code, r.stderr).toBe(0);
      // The group's deletion (the agent's `delgroup`, `ip link del group G`) goes before the
      // namespaces; without it the bridge goes by name after them. A host with over 1,000 links
      // (beside a big lab) is not scanned: by name.
      const groupDeleted = /delgroup×1[\s\S]*delown/.test(r.stderr);
      expect(groupDeleted, r.stderr).toBe(!intruder && !crowded);
      const left = ownSnapshot(prefix, name);
      expect(left.netns).toEqual([]);
      expect(left.rootLinks).toEqual(intruder ? [`${prefix}x`] : []);
    }
  });
});

describe.skipIf(!canTouchKernel && !mustRun)("ownership on a crowded host", () => {
  it("beside over 1,000 root links a lab of more than 6 still goes by its group, proven from sysfs", () => {
    // The host made crowded (unless a big lab already does it) by root veth pairs of the test's
    // own, in a link group of their own.
    const crowd = fresh().prefix;
    const crowdGroup = 3_000_000 + Math.floor(Math.random() * 1_000_000);
    const pairs = Math.max(0, Math.ceil((1001 - readdirSync("/sys/class/net").length) / 2));
    const lines = Array.from(
      { length: pairs },
      (_, i) =>
        `link add name ${crowd}c${i} group ${crowdGroup} type veth peer name ${crowd}d${i} group ${crowdGroup}`,
    );
    try {
      if (pairs > 0) execFileSync("ip", ["-batch", "-"], { input: `${lines.join("\n")}\n` });
      expect(readdirSync("/sys/class/net").length).toBeGreaterThan(1000);
      for (const intruder of [false, true]) {
        const { name, prefix } = fresh();
        labs.push(name);
        // 13 hosts on a bridge: 14 root links, more than go by name on a crowded host (6).
        const up = nslab(["up", "--topo", "single,13", "--name", name, "--prefix", prefix]);
        expect(up.code, up.stderr).toBe(0);
        const group = readFileSync(`/sys/class/net/${prefix}s1/netdev_group`, "utf8").trim();
        if (intruder) {
          execFileSync("ip", ["link", "add", "name", `${prefix}x`, "group", group, "type", "bridge"]);
          foreign.links.push(`${prefix}x`);
        }
        const r = nslab(["-v", "down", name]);
        expect(r.code, r.stderr).toBe(0);
        expect(/delgroup×1/.test(r.stderr), r.stderr).toBe(!intruder);
        const left = ownSnapshot(prefix, name);
        expect(left.netns).toEqual([]);
        expect(left.rootLinks).toEqual(intruder ? [`${prefix}x`] : []);
      }
    } finally {
      // The crowd at once by its group, when that holds nothing but the crowd (else by name).
      const listed = spawnSync("ip", ["-o", "link", "show", "group", String(crowdGroup)], {
        encoding: "utf8",
      });
      const names = listed.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(": ")[1]?.split("@")[0] ?? "");
      if (names.every((n) => n.startsWith(crowd)))
        spawnSync("ip", ["link", "del", "group", String(crowdGroup)]);
      else for (let i = 0; i < pairs; i++) spawnSync("ip", ["link", "del", `${crowd}c${i}`]);
    }
  });
});

describe.skipIf(!canTouchKernel && !mustRun)("concurrency", () => {
  it("two ups of one lab: one wins, the other names the holder's pid", async () => {
    const { name, prefix } = fresh();
    labs.push(name);
    const file = bridgeLab(name, 45);
    const before = scopedSnapshot(prefix, name);
    const first = startNslab(["up", file, "--prefix", prefix], { NSLAB_TEST_FAULTS: "pause-op=3" });
    await first.waitFor("paused before operation 3");
    const second = nslab(["up", file, "--prefix", prefix]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`'${name}' is busy: process ${first.child.pid} \\(nslab up ${name}\\)`),
    );
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(130);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });

  it("two labs side by side; taking one down leaves the other working", () => {
    const one = fresh();
    const two = fresh();
    labs.push(one.name, two.name);
    expect(nslab(["up", bridgeLab(one.name, 46), "--prefix", one.prefix]).code).toBe(0);
    expect(nslab(["up", bridgeLab(two.name, 47), "--prefix", two.prefix]).code).toBe(0);
    expect(nslab(["down", one.name]).code).toBe(0);
    expect(ownSnapshot(one.prefix, one.name)).toEqual({
      netns: [],
      rootLinks: [],
      ovsBridges: [],
      state: [],
      labFileSystems: [],
      etcNetns: [],
    });
    expect(nslab(["ping", two.name]).code).toBe(0);
    expect(nslab(["status", two.name, "--json"]).stdout).toContain('"healthy": true');
    expect(nslab(["down", two.name]).code).toBe(0);
  });
});
