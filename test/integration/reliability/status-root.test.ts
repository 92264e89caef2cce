/**
 * `status` reads the root namespace without a full link dump (the agent's bridgedump: bridges,
 * bridge ports, counters; links of the lab not found there read one by one) and still tells the
 * truth: a port taken off its bridge, a host's interface set down (its bridge port loses carrier),
 * an address removed, counters and addresses as the kernel has them; `up` again repairs them.
 */
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { canTouchKernel, mustRun, nslab, scopedSnapshot } from "../../support/kernel.js";
import { netNames, scratch } from "../../support/net.js";

interface Iface {
  name: string;
  present: boolean;
  up: boolean;
  operstate: string;
  adminUp: boolean;
  mtu?: number;
  mac?: string;
  addresses: string[];
  stats?: { rxPackets: number; txPackets: number };
}
interface Report {
  healthy: boolean;
  health: { what: string; where: string; fix: string }[];
  nodes: { name: string; kernelName: string; present: boolean; interfaces: Iface[] }[];
}

const LAB = (name: string) => `name: ${name}
nodes:
  h1: {interfaces: {eth0: 10.79.0.1/24}}
  h2: {interfaces: {eth0: 10.79.0.2/24}}
  sw: {kind: bridge}
links:
  - [h1:eth0, sw:p1]
  - [h2:eth0, sw:p2]
`;

describe.skipIf(!canTouchKernel && !mustRun)("status reads bridges and ports from the root namespace", () => {
  const { prefix, lab } = netNames("sb");
  const files = scratch();
  const file = files.file("lab.yaml", LAB(lab));
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
  const ipJson = (args: string[]) => {
    const r = spawnSync("ip", ["-json", "-statistics", ...args], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      ifname: string;
      address: string;
      mtu: number;
      operstate: string;
      stats64: { rx: { packets: number }; tx: { packets: number } };
    }[];
  };
  const run = (args: string[]) => expect(spawnSync(args[0]!, args.slice(1)).status).toBe(0);

  it("ports as ip sees them; a detached port, a host interface set down; down cleans up", () => {
    const up = nslab(["up", file, "--name", lab, "--prefix", prefix]);
    expect(up.code, up.stderr).toBe(0);
    expect(nslab(["ping", lab, "--timeout", "3"]).code).toBe(0);

    const r = status();
    expect(r.healthy).toBe(true);
    const sw = r.nodes.find((n) => n.name === "sw")!;
    expect(sw.interfaces.map((i) => i.name)).toEqual([`${prefix}p1`, `${prefix}p2`]);
    for (const i of sw.interfaces) {
      const [ip] = ipJson(["link", "show", "dev", i.name]);
      expect(i).toMatchObject({ present: true, up: true, operstate: "UP", mtu: ip!.mtu, mac: ip!.address });
      // Counters are live (the ping moved some): at least what ip read just before status did.
      expect(i.stats!.rxPackets).toBeGreaterThan(0);
      expect(i.stats!.txPackets).toBeGreaterThan(0);
    }
    const h1 = r.nodes.find((n) => n.name === "h1")!;
    expect(h1.interfaces[0]).toMatchObject({ name: "eth0", up: true });
    expect(h1.interfaces[0]!.addresses).toContain("10.79.0.1/24");

    // A port taken off its bridge: not in the bridge's port dump, read on its own.
    run(["ip", "link", "set", `${prefix}p1`, "nomaster"]);
    // h2's interface set down inside its namespace: its bridge port loses carrier.
    const h2ns = r.nodes.find((n) => n.name === "h2")!.kernelName;
    run(["ip", "-n", h2ns, "link", "set", "eth0", "down"]);
    // h1's address removed by hand: the interface is up, the address written for it is gone.
    const h1ns = r.nodes.find((n) => n.name === "h1")!.kernelName;
    run(["ip", "-n", h1ns, "addr", "del", "10.79.0.1/24", "dev", "eth0"]);
    const broken = status();
    const [p2] = ipJson(["link", "show", "dev", `${prefix}p2`]);
    expect(broken.healthy).toBe(false);
    expect(broken.health.map((p) => [p.where, p.what])).toEqual([
      ["node h1, interface eth0", "address 10.79.0.1/24 is missing"],
      ["node h2, interface eth0", "interface eth0 is administratively down"],
      [`node sw, interface ${prefix}p1`, `interface ${prefix}p1 is not a port of bridge ${prefix}sw`],
      [
        `node sw, interface ${prefix}p2`,
        // Its operational state (in parentheses, unless it still reads UP) lags its carrier.
        expect.stringMatching(
          new RegExp(
            `^interface ${prefix}p2 has no carrier( \\(${p2!.operstate}\\))?: its peer h2:eth0 is down or missing$`,
          ),
        ),
      ],
    ]);
    const p1 = broken.nodes.find((n) => n.name === "sw")!.interfaces[0]!;
    expect(p1).toMatchObject({ name: `${prefix}p1`, present: false, adminUp: true });

    // up of the file again puts back the address, the link state and the port on its bridge.
    const again = nslab(["up", file, "--name", lab, "--prefix", prefix]);
    expect(again.code, again.stderr).toBe(0);
    expect(status()).toMatchObject({ healthy: true, health: [] });
    expect(ipJson(["link", "show", "dev", `${prefix}p1`])[0]).toMatchObject({ master: `${prefix}sw` });

    const down = nslab(["down", lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(scopedSnapshot(prefix, lab)).toEqual(before);
  }, 180_000);
});
