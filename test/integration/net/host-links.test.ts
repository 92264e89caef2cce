/**
 * Links out of the lab against the real kernel: a host: link and the management network reach the
 * root namespace both ways and go at `down`; macvlan children of a stand-in parent (a veth pair the
 * test creates) reach each other, and the root through a shim; a stand-in "physical" interface (a
 * veth end whose peer is in a namespace of the test's own, with MTU, alias, address and a route) is
 * moved into a node, used, and given back identical — at `down`, after a failed `up`'s rollback,
 * and after `up` was killed with SIGKILL; `dummy` works where the kernel has the driver and is
 * refused at its line where it has not. Never a real uplink: every parent is the test's own.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canTouchKernel, inNs, mustRun, nslab, startNslab } from "../../support/kernel.js";
import { netLab } from "../../support/net.js";

const sh = (...argv: string[]) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const quiet = (...argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
const pings = (ns: string | null, to: string) =>
  (ns ? inNs(ns, ["ping", "-c1", "-W2", to]) : { code: quiet("ping", "-c1", "-W2", to).status }).code === 0;

/** `n` different random /24s of 198.19.0.0/16 per run, so parallel runs never share a subnet. */
const nets = (n: number): string[] => {
  const picked = new Set<number>();
  while (picked.size < n) picked.add(10 + Math.floor(Math.random() * 240));
  return [...picked].map((k) => `198.19.${k}`);
};

describe.skipIf(!canTouchKernel && !mustRun)("links out of the lab", () => {
  const { prefix, lab, files } = netLab("ext", ["-phys", "-rb", "-kill", "-dum"]);
  // Stand-ins, named after the prefix's tag (not the prefix: the lab's snapshot stays the lab's).
  const tag = `s${prefix.slice(1, 4)}`;
  const parent = `${tag}mvp`;
  const shim = `${tag}shim`;
  const nic = `${tag}nic`;
  const lan = `${tag}-lan`;
  // Four subnets that differ: the management network on the stand-in NIC's would be refused.
  const [h, m, v, p] = nets(4);

  /** How the stand-in NIC is, in every respect giving it back restores. */
  const nicState = () => ({
    link: JSON.parse(sh("ip", "-j", "-d", "link", "show", "dev", nic)).map((l: Record<string, unknown>) => [
      l.ifindex,
      l.ifname,
      l.mtu,
      l.address,
      l.ifalias,
      l.operstate,
      l.flags,
    ]),
    addr: sh("ip", "-br", "-4", "addr", "show", "dev", nic),
    routes: sh("ip", "-4", "route", "show", "table", "all", "dev", nic),
    // IPv6: what was put there (the kernel's link-local routes come back after DAD, in their own time).
    routes6: sh("ip", "-6", "route", "show", "table", "all", "dev", nic)
      .split("\n")
      .filter((l) => !/proto kernel|^multicast/.test(l)),
  });

  beforeAll(() => {
    sh("ip", "link", "add", parent, "type", "veth", "peer", "name", `${tag}mvq`);
    sh("ip", "link", "set", parent, "up");
    sh("ip", "link", "set", `${tag}mvq`, "up");
    sh("ip", "netns", "add", lan);
    sh("ip", "link", "add", nic, "mtu", "1400", "type", "veth", "peer", "name", "up0", "netns", lan);
    sh("ip", "link", "set", "dev", nic, "alias", "stand-in nic");
    sh("ip", "addr", "add", `${p}.1/24`, "dev", nic);
    sh("ip", "link", "set", nic, "up");
    sh("ip", "-n", lan, "addr", "add", `${p}.2/24`, "dev", "up0");
    sh("ip", "-n", lan, "addr", "add", `${p}.99/32`, "dev", "lo");
    sh("ip", "-n", lan, "link", "set", "up0", "up");
    sh("ip", "route", "add", `${p}.99/32`, "via", `${p}.2`, "dev", nic, "metric", "7");
  });
  afterAll(() => {
    quiet("ip", "link", "del", shim);
    quiet("ip", "link", "del", parent);
    quiet("ip", "link", "del", nic);
    quiet("ip", "netns", "del", lan);
  });

  it("a host: link and the management network reach the root namespace both ways, and go at down", () => {
    const file = files.file(
      "host.yaml",
      `name: ext
management: { ipv4: ${m}.0/24 }
nodes:
  a: { interfaces: { eth0: ${h}.2/24, lo: 10.255.0.1/32 }, routes: [{ to: default, via: ${h}.1 }] }
  b: {}
links:
  - [a:eth0, host:h0]
host:
  interfaces:
    h0: ${h}.1/24
`,
    );
    const up = nslab(["up", file, "--name", lab, "--prefix", prefix]);
    expect(up.code, up.stderr).toBe(0);
    expect(sh("ip", "-br", "-4", "addr", "show", "dev", `${prefix}h0`)).toContain(`${h}.1/24`);
    expect(sh("ip", "link", "show", "dev", `${prefix}h0`)).toContain(`alias nslab:${lab}`);
    expect(pings(null, `${h}.2`)).toBe(true);
    expect(pings(`${prefix}a`, `${h}.1`)).toBe(true);
    // The loopback address, reached from the host over the host link (the node routes back by default).
    sh("ip", "route", "add", "10.255.0.1/32", "via", `${h}.2`, "dev", `${prefix}h0`);
    expect(pings(null, "10.255.0.1")).toBe(true);
    // Management: the host has .1 on the lab's bridge; a is .2, b is .3.
    expect(sh("ip", "-br", "-4", "addr", "show", "dev", `${prefix}mgmt`)).toContain(`${m}.1/24`);
    expect(pings(null, `${m}.2`)).toBe(true);
    expect(pings(null, `${m}.3`)).toBe(true);
    expect(pings(`${prefix}b`, `${m}.1`)).toBe(true);
    expect(pings(`${prefix}b`, `${m}.2`)).toBe(true);
    const status = nslab(["status", lab]);
    expect(status.stdout).toMatch(/up, healthy/);
    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(quiet("ip", "link", "show", "dev", `${prefix}h0`).status).not.toBe(0);
    expect(quiet("ip", "link", "show", "dev", `${prefix}mgmt`).status).not.toBe(0);
    // The route through the host link went with it.
    expect(sh("ip", "route", "show", "10.255.0.1/32")).toBe("");
  });

  it("macvlan children of one parent reach each other, and the host through a shim", () => {
    const file = files.file(
      "mv.yaml",
      `name: mv
nodes:
  a: { interfaces: { eth1: ${v}.2/24 } }
  b: { interfaces: { eth1: ${v}.3/24 } }
links:
  - [a:eth1, macvlan:${parent}]
  - [b:eth1, macvlan:${parent}]
`,
    );
    const up = nslab(["up", file, "--name", lab, "--prefix", prefix]);
    expect(up.code, up.stderr).toBe(0);
    expect(inNs(`${prefix}a`, ["ip", "-d", "link", "show", "eth1"]).stdout).toMatch(/macvlan mode bridge/);
    expect(pings(`${prefix}a`, `${v}.3`)).toBe(true);
    // A macvlan child never hears its parent; containerlab users reach it from a root-side shim.
    sh("ip", "link", "add", shim, "link", parent, "type", "macvlan", "mode", "bridge");
    sh("ip", "addr", "add", `${v}.1/32`, "dev", shim);
    sh("ip", "link", "set", shim, "up");
    sh("ip", "route", "add", `${v}.2/32`, "dev", shim);
    inNs(`${prefix}a`, ["ip", "route", "add", `${v}.1/32`, "dev", "eth1"]);
    expect(pings(null, `${v}.2`)).toBe(true);
    quiet("ip", "link", "del", shim);
    expect(nslab(["down", lab]).code).toBe(0);
    // No child is left on the parent.
    expect(sh("ip", "-o", "link", "show", "type", "macvlan")).not.toMatch(new RegExp(`@${parent}:`));
  });

  it("a host interface moved in works from the node and comes back identical at down", () => {
    const before = nicState();
    const file = files.file(
      "phys.yaml",
      `name: ph
nodes:
  a: { interfaces: { eth3: { addresses: [${p}.50/24], mtu: 1300 } } }
links:
  - [a:eth3, phys:${nic}]
`,
    );
    const name = `${lab}-phys`;
    const up = nslab(["up", file, "--name", name, "--prefix", prefix]);
    expect(up.code, up.stderr).toBe(0);
    expect(quiet("ip", "link", "show", "dev", nic).status).not.toBe(0);
    expect(inNs(`${prefix}a`, ["ip", "link", "show", "eth3"]).stdout).toMatch(/mtu 1300/);
    expect(pings(`${prefix}a`, `${p}.2`)).toBe(true);
    const down = nslab(["down", name]);
    expect(down.code, down.stderr + down.stdout).toBe(0);
    expect(nicState()).toEqual(before);
    expect(pings(null, `${p}.99`)).toBe(true); // its route works again
  });

  it("refuses the host's default-route interface and a missing one, at the link", () => {
    const uplink = JSON.parse(sh("ip", "-j", "route", "show", "default"))[0]?.dev as string | undefined;
    const file = files.file(
      "bad.yaml",
      `name: bad\nnodes:\n  a: {}\nlinks:\n  - [a:eth3, phys:${uplink ?? "eth0"}]\n  - [a:eth4, phys:${tag}none]\n`,
    );
    const r = nslab(["plan", file, "--prefix", prefix]);
    expect(r.code).not.toBe(0);
    if (uplink)
      expect(r.stderr).toMatch(
        new RegExp(
          `bad.yaml:5:5.*cannot move host interface '${uplink}' into a: it carries the host's default route`,
        ),
      );
    expect(r.stderr).toMatch(new RegExp(`bad.yaml:6:5.*host interface '${tag}none' does not exist`));
  });

  const physLab = (name: string) =>
    files.file(
      `${name}.yaml`,
      `name: ${name}\nnodes:\n  a: { interfaces: { eth3: ${p}.50/24 } }\n  b: {}\nlinks:\n  - [a:eth3, phys:${nic}]\n  - [a:eth0, b:eth0]\n`,
    );
  const opAfterMove = (file: string) => {
    const plan = JSON.parse(nslab(["plan", file, "--json", "--prefix", prefix]).stdout);
    return (plan.operations as { n: number; op: string }[]).find((o) => o.op === "phys.move")!.n + 1;
  };

  it("a failed up gives the interface back as it was (rollback)", () => {
    const before = nicState();
    const file = physLab("rb");
    const at = opAfterMove(file) + 1;
    const r = nslab(["up", file, "--name", `${lab}-rb`, "--prefix", prefix], {
      env: { NSLAB_TEST_FAULTS: `fail-op=${at}` },
    });
    expect(r.code).not.toBe(0);
    expect(nicState()).toEqual(before);
  });

  it("after SIGKILL during up, down gives the interface back as it was", async () => {
    const before = nicState();
    const file = physLab("kl");
    const at = opAfterMove(file);
    const name = `${lab}-kill`;
    const cli = startNslab(["up", file, "--name", name, "--prefix", prefix], {
      NSLAB_TEST_FAULTS: `pause-op=${at}`,
    });
    await cli.waitFor(`paused before operation ${at}`);
    expect(quiet("ip", "link", "show", "dev", nic).status).not.toBe(0); // it is in the node
    cli.child.kill("SIGKILL");
    await cli.exited;
    const down = nslab(["down", name]);
    expect(down.code, down.stderr).toBe(0);
    expect(nicState()).toEqual(before);
  });

  it("dummy interfaces: made where the kernel has the driver, refused at the link where not", () => {
    const hasDummy = quiet("ip", "link", "add", `${tag}dprobe`, "type", "dummy").status === 0;
    quiet("ip", "link", "del", `${tag}dprobe`);
    const file = files.file(
      "dum.yaml",
      "name: dum\nnodes:\n  a: { interfaces: { d0: 10.9.9.1/32 } }\nlinks:\n  - [a:d0, dummy]\n",
    );
    const name = `${lab}-dum`;
    const r = nslab(["up", file, "--name", name, "--prefix", prefix]);
    if (hasDummy) {
      expect(r.code, r.stderr).toBe(0);
      expect(inNs(`${prefix}a`, ["ip", "-d", "link", "show", "d0"]).stdout).toMatch(/dummy/);
      expect(nslab(["down", name]).code).toBe(0);
    } else {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /dum\.yaml:5:5 .*a:d0 is a dummy interface, and this kernel has no dummy interfaces/,
      );
    }
  });
});
