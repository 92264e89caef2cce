/** Host limits found at plan time, with numbers and fixes (pure: fake host limits). */
import { describe, expect, it } from "vitest";
import { listNetns, procNumber } from "../../../src/drivers/host/facts.js";
import { hostLimits } from "../../../src/drivers/host/limits.js";
import { generatedTopology } from "../../../src/model/generated.js";
import type { HostLimits } from "../../../src/plan/host.js";
import { broadcastPeak, checkHostLimits } from "../../../src/plan/limits.js";

const roomy: HostLimits = {
  maxNetNamespaces: 100_000,
  netnsNow: 10,
  mountMax: 100_000,
  mountsNow: 30,
  neigh4: { gcThresh3: 1024, entries: 10 },
  neigh6: { gcThresh3: 1024, entries: 10 },
  memAvailableKb: 20 * 1024 * 1024,
};

describe("checkHostLimits", () => {
  it("says nothing about a small lab", () => {
    expect(checkHostLimits(generatedTopology("linear,3"), roomy)).toEqual({ errors: [], warnings: [] });
  });

  it("warns when all pairs of a subnet need more neighbour entries than the shared table holds", () => {
    const { errors, warnings } = checkHostLimits(generatedTopology("linear,50"), roomy);
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/50 hosts share 10\.0\.0\.0\/8.*2450 neighbour entries.*1024/);
    expect(warnings[0]!.hint).toMatch(/sysctl -w net\.ipv4\.neigh\.default\.gc_thresh3=2500/);
  });

  it("warns when one host alone would overflow it (10,000 hosts on one subnet)", () => {
    const { warnings } = checkHostLimits(generatedTopology("tree,2,100"), roomy);
    expect(warnings[0]!.message).toMatch(/10000 hosts.*9999 neighbour entries/);
    expect(warnings[0]!.hint).toMatch(/gc_thresh3=20000 /);
  });

  it("models how many copies of one broadcast wait at once: wide trees fan out, chains do not", () => {
    expect(broadcastPeak(generatedTopology("single,1000"))).toBe(999);
    expect(broadcastPeak(generatedTopology("tree,2,100"))).toBe(9900);
    expect(broadcastPeak(generatedTopology("linear,100,100"))).toBe(101);
    expect(broadcastPeak(generatedTopology("torus,3,3"))).toBe(0); // loops: spanning tree decides
    const backlog = { ...roomy, netdevMaxBacklog: 1000 };
    const tree = checkHostLimits(generatedTopology("tree,2,100"), backlog).warnings;
    expect(tree.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/up to 9900 copies.*net\.core\.netdev_max_backlog = 1000/),
    );
    expect(tree.map((w) => w.hint)).toContain("to lift it: sysctl -w net.core.netdev_max_backlog=20000");
    const chain = checkHostLimits(generatedTopology("linear,100,100"), backlog).warnings;
    expect(chain.some((w) => /netdev_max_backlog/.test(w.message))).toBe(false);
  });

  it("refuses what the host cannot hold: namespaces, mounts, memory", () => {
    const t = generatedTopology("tree,2,100");
    const { errors } = checkHostLimits(t, {
      ...roomy,
      maxNetNamespaces: 5000,
      mountMax: 8000,
      memAvailableKb: 2 * 1024 * 1024,
    });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /needs 10000 network namespaces; 10 exist and the host allows 5000 \(user\.max_net_namespaces\)/,
      ),
      expect.stringMatching(/needs 10000, 30 exist and fs\.mount-max is 8000/),
      expect.stringMatching(/need about 5000 MiB of kernel memory/),
    ]);
    expect(errors[0]!.hint).toBe("raise it: sysctl -w user.max_net_namespaces=11010");
  });

  it("checks the mounts only when the host counted them", () => {
    const t = generatedTopology("tree,2,100");
    const { mountsNow: _, ...uncounted } = roomy;
    expect(checkHostLimits(t, { ...uncounted, mountMax: 8000 }).errors).toEqual([]);
  });
});

describe("hostLimits (this host's /proc)", () => {
  it("counts the mounts only for a lab that brings the named namespaces near half of fs.mount-max", () => {
    const max = procNumber("/proc/sys/fs/mount-max");
    const few = hostLimits(2);
    expect(few.netnsNow).toBe(listNetns().length);
    if (max === undefined || few.netnsNow + 2 >= max / 2) expect(few.mountsNow).toBeGreaterThan(0);
    else expect(few.mountsNow).toBeUndefined();
    expect(hostLimits(max ?? 1).mountsNow).toBeGreaterThan(0); // the root file system at least
  });
});
