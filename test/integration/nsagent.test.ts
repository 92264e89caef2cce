// The native netns agent against the real kernel (root): every command, checked with iproute2.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Driver } from "../../src/drivers/driver.js";
import {
  AGENT_ERRNO,
  type AgentCommand,
  type AgentReply,
  asLinkAliases,
  asNftTables,
  asRulesByChain,
  findAgentBinary,
  fromCompactDump,
  NsAgent,
  type NsDump,
  nftTablesOfOwnAgent,
  parseReply,
} from "../../src/drivers/nsagent/index.js";
import { dumpWith } from "../../src/drivers/observe/agent-dumps.js";
import { rootAliases } from "../../src/drivers/observe/root-aliases.js";
import { CommandError, type Runner, systemRunner } from "../../src/drivers/runner/index.js";
import { NslabError } from "../../src/errors.js";

const ROOT_DIR = fileURLToPath(new URL("../..", import.meta.url));
const tag = randomBytes(3).toString("hex");
const prefix = `nsag-${tag}`;
const nsA = `${prefix}-a`;
const nsB = `${prefix}-b`;
const nsC = `${prefix}-c`;
const marker = `nslab test ${tag}`;
/** Interface names carry the tag too (≤ 15 bytes), so a leak in the root namespace is visible. */
const vethB = `vb-${tag}`;
const vethC = `vc-${tag}`;
const nsD = `${prefix}-d`;
const nsE = `${prefix}-e`;
const vethD = `vd-${tag}`;
const vethE = `ve-${tag}`;

/** Run a program and return its stdout (throws on a non-zero exit). */
function run(file: string, ...args: string[]): string {
  return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const ip = (...args: string[]): string => run("ip", ...args);
const ipJson = <T>(...args: string[]): T => JSON.parse(ip("-j", ...args)) as T;
const netnsNames = (): string[] =>
  ip("netns", "list")
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter(Boolean);

const ok = (replies: AgentReply[]): void => {
  expect(replies.filter((r) => r.status !== "ok")).toEqual([]);
};

/** Every namespace this run made (or might have made): they all carry the run's random tag. */
function removeLeftovers(): void {
  for (const name of netnsNames()) {
    if (name.startsWith(`${prefix}-`)) run("ip", "netns", "del", name);
  }
  for (const dev of [vethB, vethC, vethD, vethE]) {
    if (ip("-br", "link").includes(dev)) run("ip", "link", "del", dev);
  }
}

describe.skipIf(process.getuid?.() !== 0 && !process.env.CI)("nsagent (real kernel)", () => {
  let agent: NsAgent;

  beforeAll(async () => {
    execFileSync(process.execPath, ["scripts/build-native.mjs"], { cwd: ROOT_DIR, stdio: "inherit" });
    expect(findAgentBinary()).not.toBeNull();
    agent = await NsAgent.start();
  });

  afterAll(async () => {
    // The agent first: a namespace it still sits in would outlive `ip netns del`.
    await agent?.close();
    removeLeftovers();
    expect(netnsNames().filter((name) => name.includes(tag))).toEqual([]);
    expect(ip("-br", "link")).not.toContain(tag);
  });

  describe("mkns", () => {
    it("creates a namespace with lo up and aliased with the marker", async () => {
      ok(await agent.exec([{ op: "mkns", ns: nsA, marker }]));
      expect(netnsNames()).toContain(nsA);
      const lo = ip("-n", nsA, "-d", "link", "show", "lo");
      expect(lo).toContain(`alias ${marker}`);
      expect(lo).toMatch(/<LOOPBACK,UP,LOWER_UP>/);
    });

    it("fails with EEXIST on an existing name and leaves that namespace intact", async () => {
      const inode = run("stat", "-L", "-c", "%i", `/run/netns/${nsA}`);
      ip("-n", nsA, "link", "add", "keep0", "type", "veth", "peer", "name", "keep1");
      const [made, scoped, back, dumped] = await agent.exec([
        { op: "mkns", ns: nsA, marker: "other" },
        { op: "dump" },
        { op: "root" },
        { op: "dump" },
      ]);
      expect(made).toMatchObject({ status: "err", errno: AGENT_ERRNO.EEXIST });
      expect(made?.status === "err" && made.message).toContain("File exists");
      // A failed mkns poisons the agent until `root` or `ns` succeeds.
      expect(scoped).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
      expect(back).toEqual({ status: "ok" });
      expect(dumped?.status).toBe("ok");
      expect(run("stat", "-L", "-c", "%i", `/run/netns/${nsA}`)).toBe(inode);
      expect(ip("-n", nsA, "-d", "link", "show", "lo")).toContain(`alias ${marker}`);
      expect(ip("-n", nsA, "-br", "link")).toContain("keep0");
      ip("-n", nsA, "link", "del", "keep0");
    });

    it("rejects names that could leave /run/netns", async () => {
      const replies = await agent.exec([
        { op: "mkns", ns: "../escape", marker },
        { op: "mkns", ns: "..", marker },
        { op: "ns", ns: "" },
        { op: "delns", ns: "a/b" },
        { op: "root" },
      ]);
      expect(replies.slice(0, 4).map((r) => r.status === "err" && r.errno)).toEqual([22, 22, 22, 22]);
      expect(replies[4]).toEqual({ status: "ok" });
    });
  });

  describe("configuring a namespace", () => {
    const v4 = "10.77.1.2/24";
    const v6 = "fd00:77:1::2/64";
    const gw6 = "fd00:77:1::1";

    beforeAll(() => {
      ip("-n", nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    });

    it("sets alias, MTU, MAC, addresses, routes, sysctls and offloads", async () => {
      const rootForward = run("cat", "/proc/sys/net/ipv4/ip_forward");
      const replies = await agent.exec(
        [
          { op: "ns", ns: nsA },
          { op: "alias", dev: "v0", alias: 'to "v1" \\ here' },
          { op: "mtu", dev: "v0", mtu: 1400 },
          { op: "mac", dev: "v0", mac: "02:aa:bb:cc:dd:01" },
          { op: "addr", dev: "v0", cidr: v4 },
          { op: "addr", dev: "v0", cidr: v6 },
          { op: "up", dev: "v0" },
          { op: "up", dev: "v1" },
          { op: "route", dst: "0.0.0.0/0", via: "10.77.1.1" },
          { op: "route", dst: "10.200.0.0/16", via: "10.77.1.1", dev: "v0", metric: 50 },
          { op: "route", dst: "10.201.0.0/16", dev: "v0" },
          { op: "route", dst: "::/0", via: gw6, dev: "v0" },
          { op: "sysctl", key: "net.ipv4.ip_forward", value: "1" },
          { op: "sysctl", key: "net/ipv6/conf/v0/forwarding", value: "1" },
          { op: "txoff", dev: "v0" },
        ],
        { stopOnError: true },
      );
      ok(replies);

      const [link] = ipJson<Array<Record<string, unknown>>>("-n", nsA, "link", "show", "v0");
      expect(link).toMatchObject({ mtu: 1400, address: "02:aa:bb:cc:dd:01", ifalias: 'to "v1" \\ here' });
      expect(link?.flags).toContain("UP");
      const addrs = ip("-n", nsA, "addr", "show", "dev", "v0");
      expect(addrs).toContain(`inet ${v4} `);
      // nodad: usable at once, never "tentative"
      expect(addrs).toMatch(new RegExp(`inet6 ${v6} scope global nodad *\n`));
      const routes4 = ipJson<Array<Record<string, unknown>>>("-n", nsA, "-4", "route", "show");
      expect(routes4).toContainEqual(expect.objectContaining({ dst: "default", gateway: "10.77.1.1" }));
      expect(routes4).toContainEqual(
        expect.objectContaining({ dst: "10.200.0.0/16", gateway: "10.77.1.1", dev: "v0", metric: 50 }),
      );
      expect(routes4).toContainEqual(expect.objectContaining({ dst: "10.201.0.0/16", scope: "link" }));
      const routes6 = ipJson<Array<Record<string, unknown>>>("-n", nsA, "-6", "route", "show");
      expect(routes6).toContainEqual(expect.objectContaining({ dst: "default", gateway: gw6, dev: "v0" }));
      expect(run("ip", "netns", "exec", nsA, "cat", "/proc/sys/net/ipv4/ip_forward").trim()).toBe("1");
      expect(run("ip", "netns", "exec", nsA, "cat", "/proc/sys/net/ipv6/conf/v0/forwarding").trim()).toBe(
        "1",
      );
      expect(run("cat", "/proc/sys/net/ipv4/ip_forward")).toBe(rootForward);
      expect(run("ip", "netns", "exec", nsA, "ethtool", "-k", "v0")).toMatch(/^tx-checksumming: off$/m);
    });

    it("reports kernel errors with errno and message", async () => {
      const [entered, again, missing, badPrefix, badSysctl, unknown] = await agent.exec([
        { op: "ns", ns: nsA },
        { op: "addr", dev: "v0", cidr: v4 },
        { op: "up", dev: "nosuch0" },
        { op: "addr", dev: "v0", cidr: "10.77.1.300/24" },
        { op: "sysctl", key: "net/ipv4/../../kernel/hostname", value: "x" },
        { op: "route", dst: "10.202.0.0/16", via: "10.99.99.1" },
      ]);
      expect(entered).toEqual({ status: "ok" });
      expect(again).toEqual({
        status: "err",
        errno: AGENT_ERRNO.EEXIST,
        message: expect.stringMatching(/^RTNETLINK answers: File exists/),
      });
      expect(missing).toEqual({
        status: "err",
        errno: AGENT_ERRNO.ENODEV,
        message: 'Cannot find device "nosuch0"',
      });
      expect(badPrefix).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
      expect(badSysctl).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
      // An unreachable gateway: the kernel's own errno (ENETUNREACH).
      expect(unknown).toMatchObject({
        status: "err",
        errno: 101,
        message: expect.stringContaining("RTNETLINK answers"),
      });
    });

    it("removes addresses, routes and links again", async () => {
      ip("-n", nsA, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
      ok(
        await agent.exec(
          [
            { op: "ns", ns: nsA },
            { op: "delroute", dst: "10.200.0.0/16", via: "10.77.1.1", dev: "v0", metric: 50 },
            { op: "delroute", dst: "10.201.0.0/16" },
            { op: "deladdr", dev: "v0", cidr: v6 },
            { op: "dellink", dev: "d0" },
            { op: "down", dev: "v1" },
          ],
          { stopOnError: true },
        ),
      );
      const routes = ip("-n", nsA, "-4", "route", "show");
      expect(routes).not.toContain("10.200.0.0");
      expect(routes).not.toContain("10.201.0.0");
      expect(ip("-n", nsA, "addr", "show", "dev", "v0")).not.toContain(v6);
      expect(ip("-n", nsA, "-br", "link")).not.toMatch(/^d[01]@/m);
      expect(ip("-n", nsA, "link", "show", "v1")).not.toMatch(/[<,]UP[,>]/);
      const [missing] = await agent.exec([{ op: "delroute", dst: "10.200.0.0/16" }]);
      expect(missing).toMatchObject({ status: "err", errno: AGENT_ERRNO.ESRCH });
    });

    it("dumps what iproute2 shows", async () => {
      const dump = await agent.dump(nsA);
      expectDumpMatchesIp(dump, nsA);
      const v0 = dump.links.find((l) => l.name === "v0");
      const v1 = dump.links.find((l) => l.name === "v1");
      expect(v0).toMatchObject({
        kind: "veth",
        mtu: 1400,
        alias: 'to "v1" \\ here',
        link: v1?.ifindex,
        up: true,
      });
      expect(v1).toMatchObject({ kind: "veth", up: false, link: v0?.ifindex, linkNetnsid: null });
      expect(dump.links.find((l) => l.name === "lo")).toMatchObject({
        kind: null,
        alias: marker,
        master: null,
      });
      expect(dump.addrs).toContainEqual({ ifindex: v0?.ifindex, family: 4, cidr: v4, scope: "global" });
      expect(dump.routes).toContainEqual(
        expect.objectContaining({
          family: 4,
          dst: "0.0.0.0/0",
          gateway: "10.77.1.1",
          protocol: 3,
          table: 254,
        }),
      );
      expect(dump.routes.some((r) => r.dst.startsWith("ff00:"))).toBe(false);
    });
  });

  describe("stop-on-error", () => {
    it("skips the rest of a batch after the first error, then resumes", async () => {
      const replies = await agent.exec(
        [{ op: "ns", ns: nsA }, { op: "up", dev: "nosuch0" }, { op: "up", dev: "lo" }, { op: "dump" }],
        { stopOnError: true },
      );
      expect(replies.map((r) => r.status)).toEqual(["ok", "err", "skip", "skip"]);
      const next = await agent.exec([
        { op: "ns", ns: nsA },
        { op: "up", dev: "nosuch0" },
        { op: "up", dev: "lo" },
      ]);
      expect(next.map((r) => r.status)).toEqual(["ok", "err", "ok"]);
    });
  });

  describe("poisoning", () => {
    it("refuses namespace-scoped commands after a failed ns until root or ns succeeds", async () => {
      const forwardBefore = run("ip", "netns", "exec", nsA, "cat", "/proc/sys/net/ipv4/conf/all/forwarding");
      const replies = await agent.exec([
        { op: "ns", ns: nsA },
        { op: "ns", ns: `${prefix}-missing` },
        {
          op: "sysctl",
          key: "net.ipv4.conf.all.forwarding",
          value: forwardBefore.trim() === "1" ? "0" : "1",
        },
        { op: "up", dev: "lo" },
        { op: "dump" },
        { op: "root" },
        { op: "dump" },
        { op: "ns", ns: nsA },
        { op: "up", dev: "lo" },
      ]);
      expect(replies[1]).toEqual({
        status: "err",
        errno: AGENT_ERRNO.ENOENT,
        message: `setns ${prefix}-missing: No such file or directory`,
      });
      for (const r of replies.slice(2, 5)) {
        expect(r).toEqual({ status: "err", errno: 22, message: "not in a namespace (last 'ns' failed)" });
      }
      expect(replies.slice(5).map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok"]);
      expect(run("ip", "netns", "exec", nsA, "cat", "/proc/sys/net/ipv4/conf/all/forwarding")).toBe(
        forwardBefore,
      );
    });
  });

  describe("two namespaces joined by a veth pair", () => {
    it("are configured by the agent and can ping each other", async () => {
      ok(
        await agent.exec([
          { op: "mkns", ns: nsB, marker },
          { op: "mkns", ns: nsC, marker },
        ]),
      );
      ip("link", "add", vethB, "netns", nsB, "type", "veth", "peer", "name", vethC, "netns", nsC);
      ok(
        await agent.exec(
          [
            { op: "ns", ns: nsB },
            { op: "addr", dev: vethB, cidr: "10.78.1.1/24" },
            { op: "addr", dev: vethB, cidr: "fd00:78:1::1/64" },
            { op: "up", dev: vethB },
            { op: "ns", ns: nsC },
            { op: "addr", dev: vethC, cidr: "10.78.1.2/24" },
            { op: "addr", dev: vethC, cidr: "fd00:78:1::2/64" },
            { op: "up", dev: vethC },
          ],
          { stopOnError: true },
        ),
      );
      // Up to three tries each (one answer is enough): one ping with one second failed on a loaded machine.
      const ping = (...args: string[]) =>
        run("ip", "netns", "exec", nsB, "ping", "-c3", "-i0.3", "-W3", ...args);
      expect(() => ping("10.78.1.2")).not.toThrow();
      expect(() => ping("-6", "fd00:78:1::2")).not.toThrow();

      const b = await agent.dump(nsB);
      const c = await agent.dump(nsC);
      expectDumpMatchesIp(b, nsB);
      const inB = b.links.find((l) => l.name === vethB);
      const inC = c.links.find((l) => l.name === vethC);
      expect(inB).toMatchObject({
        kind: "veth",
        up: true,
        lowerUp: true,
        operstate: "UP",
        link: inC?.ifindex,
      });
      expect(inB?.linkNetnsid).toEqual(expect.any(Number));
      expect(inB?.stats.txPackets).toBeGreaterThan(0);
      expect(inC?.stats.rxBytes).toBeGreaterThan(0);
    });

    it("nsdumpc reads namespace after namespace as the object form has them, and the agent is back in root when idle", async () => {
      // A raw agent: its process's namespace is what this checks.
      const child = spawn(findAgentBinary()!, [], { stdio: ["pipe", "pipe", "inherit"] });
      const lines: string[] = [];
      let partial = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop() ?? "";
        lines.push(...parts);
      });
      const replies = async (count: number): Promise<string[]> => {
        for (let waited = 0; lines.length < count && waited < 5000; waited += 10)
          await new Promise((r) => setTimeout(r, 10));
        return lines.splice(0, count);
      };
      const netnsOf = (path: string): number => statSync(path).ino;
      const noStats = (d: NsDump) => ({ ...d, links: d.links.map(({ stats: _, ...l }) => l) });
      try {
        child.stdin.write(`nsdumpc\t${nsB}\nnsdumpc\t${nsC}\nnsdumpc\t${prefix}-none\nnsdumpc\t${nsB}\n`);
        const [b, c, none, again] = await replies(4);
        // The same as the object form, read by moving into each namespace.
        const first = parseReply(b!);
        expect(first.status).toBe("ok");
        expect(noStats(fromCompactDump(first.status === "ok" ? first.data : null))).toEqual(
          noStats(await agent.dump(nsB)),
        );
        expect(parseReply(c!)).toMatchObject({ status: "ok" });
        expect(parseReply(none!)).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENOENT });
        expect(parseReply(again!)).toMatchObject({ status: "ok" });
        // Datagrams too big for the agent's small reads (made small here: the links' answers do
        // not fit in 256 bytes): the namespace is read again with full reads, to the same answer.
        const small = spawnSync(findAgentBinary()!, [], {
          input: `nsdumpc\t${nsB}\n`,
          encoding: "utf8",
          env: { ...process.env, NSAGENT_SMALL_READ: "256" },
        });
        const reread = parseReply(small.stdout.split("\n")[0]!);
        expect(reread.status).toBe("ok");
        expect(noStats(fromCompactDump(reread.status === "ok" ? reread.data : null))).toEqual(
          noStats(fromCompactDump(first.status === "ok" ? first.data : null)),
        );
        // Back in root once it has run what it was sent (an idle agent holds no namespace: one it
        // sat in would outlive its deletion, and the veth ends in it with it).
        expect(netnsOf(`/proc/${child.pid}/ns/net`)).toBe(netnsOf("/proc/self/ns/net"));
      } finally {
        child.stdin.end();
        await new Promise((r) => child.once("close", r));
      }
    });

    it("delns removes a namespace; a second delns reports ENOENT", async () => {
      const replies = await agent.exec([
        { op: "delns", ns: nsB },
        { op: "delns", ns: nsB },
      ]);
      expect(replies[0]).toEqual({ status: "ok" });
      expect(replies[1]).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENOENT });
      expect(netnsNames()).not.toContain(nsB);
    });

    it("deleting the current namespace leaves the agent poisoned, not in it", async () => {
      const replies = await agent.exec([
        { op: "ns", ns: nsC },
        { op: "delns", ns: nsC },
        { op: "dump" },
        { op: "root" },
      ]);
      expect(replies.map((r) => r.status)).toEqual(["ok", "ok", "err", "ok"]);
      expect(netnsNames()).not.toContain(nsC);
    });
  });

  describe("getlink, addrgen, ping, neighflush, delown", () => {
    it("getlink reads one link; addrgen none leaves an interface without IPv6 link-local", async () => {
      ok(
        await agent.exec([
          { op: "mkns", ns: nsD, marker },
          { op: "mkns", ns: nsE, marker },
        ]),
      );
      ip("link", "add", vethD, "netns", nsD, "type", "veth", "peer", "name", vethE, "netns", nsE);
      const replies = await agent.exec(
        [
          { op: "ns", ns: nsD },
          { op: "getlink", dev: "lo" },
          { op: "getlink", dev: "nope0" },
          { op: "addrgen", dev: vethD, mode: "none" },
          { op: "addr", dev: vethD, cidr: "10.79.1.1/24" },
          { op: "addr", dev: vethD, cidr: "fd00:79:1::1/64" },
          { op: "up", dev: vethD },
          { op: "ns", ns: nsE },
          { op: "addr", dev: vethE, cidr: "10.79.1.2/24" },
          { op: "addr", dev: vethE, cidr: "fd00:79:1::2/64" },
          { op: "up", dev: vethE },
          { op: "root" },
        ],
        {},
      );
      expect(replies[1]).toMatchObject({ status: "ok", data: { name: "lo", alias: marker, up: true } });
      expect(replies[2]).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENODEV });
      ok([replies[0]!, ...replies.slice(3)]);
      const addrs = run("ip", "netns", "exec", nsD, "ip", "-br", "addr", "show", "dev", vethD);
      expect(addrs).toContain("fd00:79:1::1/64");
      expect(addrs).not.toContain("fe80:");
      expect(run("ip", "netns", "exec", nsE, "ip", "-br", "addr", "show", "dev", vethE)).toContain("fe80:");
    });

    it("sysgroup names the root namespace's links in a group, from sysfs", async () => {
      // A root bridge of this run's own, in a group nothing else uses.
      const dev = `${prefix}-sg`;
      const group = 3_000_000 + Math.floor(Math.random() * 1_000_000);
      run("ip", "link", "add", dev, "group", String(group), "type", "bridge");
      try {
        const replies = await agent.exec([
          { op: "sysgroup", group },
          { op: "sysgroup", group: group + 1 },
        ]);
        expect(replies[0]).toMatchObject({ status: "ok", data: [dev] });
        expect(replies[1]).toMatchObject({ status: "ok", data: [] });
      } finally {
        run("ip", "link", "del", dev);
      }
    });

    it("sysaliases names the root namespace's links that have an alias, from sysfs, as the dump shows them", async () => {
      // Two root bridges of this run's own: one with an alias (spaces and a quote in it), one without.
      const [aliased, bare] = [`${prefix}-sa`, `${prefix}-sb`];
      const alias = `nslab:${tag} "x" y`;
      run("ip", "link", "add", aliased, "type", "bridge");
      run("ip", "link", "add", bare, "type", "bridge");
      try {
        run("ip", "link", "set", "dev", aliased, "alias", alias);
        const [r] = await agent.exec([{ op: "sysaliases" }]);
        expect(r?.status).toBe("ok");
        const aliases = asLinkAliases(r?.status === "ok" ? r.data : undefined);
        expect(aliases.get(aliased)).toBe(alias);
        expect(aliases.has(bare)).toBe(false);
        // The driver's reading of the root says what the full dump says.
        const driver = new Driver({ backend: "agent" });
        try {
          const fromDump = new Map(
            (await driver.dump(null)).links.flatMap((l) => (l.alias ? [[l.name, l.alias] as const] : [])),
          );
          const read = await rootAliases(driver);
          // Other tests' links may come and go meanwhile: compare this run's own.
          const mine = (m: Map<string, string>) => [...m].filter(([n]) => n.startsWith(prefix));
          expect(mine(read)).toEqual(mine(fromDump));
          expect(read.get(aliased)).toBe(alias);
        } finally {
          await driver.close();
        }
      } finally {
        run("ip", "link", "del", aliased);
        run("ip", "link", "del", bare);
      }
    });

    it("a few root links read by name say what the host's bridges dump says of them; addrdumpc, what dump does", async () => {
      // A bridge of this run's own with an address, a port on it (the root end of a veth pair whose
      // other end is in nsA's neighbour), and a detached veth end.
      const [br, port, peer, loose, loosePeer] = ["rb", "rp", "rq", "rl", "rm"].map((x) => `${x}-${tag}`) as [
        string,
        string,
        string,
        string,
        string,
      ];
      run("ip", "link", "add", br, "type", "bridge");
      try {
        run("ip", "link", "add", port, "type", "veth", "peer", "name", peer);
        run("ip", "link", "add", loose, "type", "veth", "peer", "name", loosePeer);
        run("ip", "link", "set", port, "master", br);
        run("ip", "addr", "add", "198.18.77.1/24", "dev", br);
        run("ip", "link", "set", br, "up");
        const driver = new Driver({ backend: "agent" });
        try {
          const names = [br, port, loose, `${prefix}-none`];
          const named = await driver.rootLinks(names);
          // Past the named reads' limit: every bridge and port of the host, and the rest by name.
          const many = await driver.rootLinks([
            ...names,
            ...Array.from({ length: 80 }, (_, i) => `nx${i}-${tag}`),
          ]);
          const mine = (d: typeof named) =>
            d.links
              .filter((l) => names.includes(l.name))
              .map(({ stats: _, ...l }) => l)
              .sort((a, b) => a.name.localeCompare(b.name));
          expect(mine(named).map((l) => l.name)).toEqual([br, loose, port].sort());
          expect(mine(named)).toEqual(mine(many));
          const brIndex = named.links.find((l) => l.name === br)?.ifindex;
          expect(named.links.find((l) => l.name === port)?.master).toBe(brIndex);
          expect(named.addrs).toContainEqual({
            ifindex: brIndex,
            family: 4,
            cidr: "198.18.77.1/24",
            scope: "global",
          });
          expect(named.addrs).toEqual(many.addrs);
          // addrdumpc in a namespace: the addresses `dump` reads there, and nothing else.
          const ns = `${prefix}-ad`;
          run("ip", "netns", "add", ns);
          try {
            run("ip", "-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
            run("ip", "-n", ns, "addr", "add", "198.18.78.1/24", "dev", "d0");
            run("ip", "-n", ns, "link", "set", "lo", "up");
            const [, a] = await agent.exec([{ op: "ns", ns }, { op: "addrdumpc" }]);
            expect(a?.status).toBe("ok");
            const compact = fromCompactDump(a?.status === "ok" ? a.data : undefined);
            expect(compact.links).toEqual([]);
            expect(compact.routes).toEqual([]);
            expect(compact.addrs).toContainEqual(expect.objectContaining({ cidr: "198.18.78.1/24" }));
            expect(compact.addrs).toEqual((await agent.dump(ns)).addrs);
          } finally {
            await agent.exec([{ op: "root" }]);
            spawnSync("ip", ["netns", "del", ns]);
          }
        } finally {
          await driver.close();
        }
      } finally {
        spawnSync("ip", ["link", "del", br]);
        spawnSync("ip", ["link", "del", port]);
        spawnSync("ip", ["link", "del", loose]);
      }
    });

    it("sysaliases refuses (ESTALE) where /sys lists another namespace's links than the agent's", () => {
      // An agent started in a namespace of this run's own, /sys still the root's (nsenter remounts
      // nothing): the caller then reads the dump.
      const ns = `${prefix}-f`;
      ip("netns", "add", ns);
      try {
        const out = execFileSync("nsenter", [`--net=/run/netns/${ns}`, findAgentBinary()!], {
          input: "sysaliases\n",
          encoding: "utf8",
        });
        expect(parseReply(out.trimEnd())).toMatchObject({ status: "err", errno: constants.errno.ESTALE });
      } finally {
        ip("netns", "del", ns);
      }
    });

    it("linkset finishes a link in one request; grouplinks names a group's links; delgroup deletes them, and no others", async () => {
      // In a namespace of this run's own: links in group 7, one in group 8, lo in group 0.
      run("ip", "-n", nsD, "link", "add", "g7a", "type", "veth", "peer", "name", "g7b");
      run("ip", "-n", nsD, "link", "add", "g8a", "type", "bridge");
      for (const [dev, group] of [
        ["g7a", "7"],
        ["g7b", "7"],
        ["g8a", "8"],
      ] as const)
        run("ip", "-n", nsD, "link", "set", "dev", dev, "group", group);
      // linkset: marker, master and up in one request (a lab's root end of a link, finished).
      const set = await agent.exec([
        { op: "ns", ns: nsD },
        { op: "linkset", dev: "g8a", alias: marker },
        { op: "linkset", dev: "g7a", alias: marker, master: "g8a" },
        { op: "linkset", dev: "g7b", alias: marker, master: "nope0" },
        { op: "root" },
      ]);
      ok([set[0]!, set[1]!, set[2]!, set[4]!]);
      expect(set[3]).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENODEV });
      const g7a = ipJson<{ ifalias?: string; master?: string; flags: string[] }[]>(
        "-n",
        nsD,
        "link",
        "show",
        "dev",
        "g7a",
      )[0]!;
      expect(g7a).toMatchObject({ ifalias: marker, master: "g8a" });
      expect(g7a.flags).toContain("UP");
      const replies = await agent.exec([
        { op: "ns", ns: nsD },
        { op: "grouplinks", group: 7 },
        { op: "grouplinks", group: 9 },
        { op: "delgroup", group: 7 },
        { op: "grouplinks", group: 7 },
        { op: "delgroup", group: 9 },
        { op: "delgroup", group: 0 },
        { op: "root" },
      ]);
      expect(replies[1]!.status).toBe("ok");
      expect([...((replies[1] as { data: string[] }).data ?? [])].sort()).toEqual(["g7a", "g7b"]);
      expect(replies[2]).toMatchObject({ status: "ok", data: [] });
      ok([replies[3]!]);
      expect(replies[4]).toMatchObject({ status: "ok", data: [] });
      expect(replies[5]).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENODEV });
      expect(replies[6]).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
      const left = run("ip", "-n", nsD, "-br", "link");
      expect(left).not.toContain("g7a");
      expect(left).toContain("g8a");
      expect(left).toContain("lo");
      run("ip", "-n", nsD, "link", "del", "g8a");
    });

    it("nfttables lists the current namespace's nftables tables, every family, as nft names them", async () => {
      const before = await agent.exec([{ op: "ns", ns: nsE }, { op: "nfttables" }, { op: "root" }]);
      expect(before[1]).toEqual({ status: "ok", data: [] });
      for (const [family, name] of [
        ["inet", "t-inet"],
        ["ip6", "t-ip6"],
        ["bridge", "t-br"],
        ["netdev", "t-nd"],
      ])
        run("ip", "netns", "exec", nsE, "nft", "add", "table", family!, name!);
      const [, listed, , root] = await agent.exec([
        { op: "ns", ns: nsE },
        { op: "nfttables" },
        { op: "root" },
        { op: "nfttables" },
      ]);
      expect(listed?.status).toBe("ok");
      const got = asNftTables((listed as { data: unknown }).data);
      expect(got.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { family: "bridge", name: "t-br" },
        { family: "inet", name: "t-inet" },
        { family: "ip6", name: "t-ip6" },
        { family: "netdev", name: "t-nd" },
      ]);
      // As nft itself lists them; the root namespace's are not nsE's.
      const nft = run("ip", "netns", "exec", nsE, "nft", "list", "tables").trim().split("\n").sort();
      expect(nft).toEqual(got.map((t) => `table ${t.family} ${t.name}`).sort());
      expect(root?.status).toBe("ok");
      expect(asNftTables((root as { data: unknown }).data).map((t) => t.name)).not.toContain("t-inet");
      run("ip", "netns", "exec", nsE, "nft", "flush", "ruleset");
    });

    it("nftrules names the chain of each rule of one table; no such table is ENOENT", async () => {
      const count = async () => {
        const [, r] = await agent.exec([
          { op: "ns", ns: nsE },
          { op: "nftrules", family: "ip", table: "t-rules" },
          { op: "root" },
        ]);
        return r;
      };
      expect(await count()).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENOENT });
      const ruleset = [
        "table ip t-rules {",
        "  chain a {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        '    oifname "x" masquerade',
        "    counter",
        "  }",
        "  chain b {",
        "    ip saddr 10.9.9.9 drop",
        "  }",
        "}",
        "table inet t-rules {",
        "  chain c {",
        "    counter",
        "    counter",
        "    counter",
        "  }",
        "}",
        "table ip t-other {",
        "  chain d {",
        "    counter",
        "  }",
        "}",
        "",
      ].join("\n");
      const nf = spawnSync("ip", ["netns", "exec", nsE, "nft", "-f", "-"], {
        input: ruleset,
        encoding: "utf8",
      });
      expect(nf.status, nf.stderr).toBe(0);
      // 3 rules in two chains of ip t-rules: not inet t-rules' (another family), not ip t-other's.
      const r = await count();
      expect(r?.status).toBe("ok");
      expect([...asRulesByChain((r as { data: unknown }).data)]).toEqual([
        ["a", 2],
        ["b", 1],
      ]);
      // Emptied: the chains stay, without rules.
      run("ip", "netns", "exec", nsE, "nft", "flush", "table", "ip", "t-rules");
      expect(await count()).toEqual({ status: "ok", data: [] });
      const [, bad] = await agent.exec([
        { op: "ns", ns: nsE },
        { op: "nftrules", family: "ipx", table: "t-rules" },
        { op: "root" },
      ]);
      expect(bad).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
      run("ip", "netns", "exec", nsE, "nft", "flush", "ruleset");
    });

    it("vethadd makes a pair across namespaces in one request; bridgeadd a bridge (what ip link add does)", async () => {
      const br = `zb-${tag}`;
      const root = `zr-${tag}`;
      const replies = await agent.exec([
        { op: "root" },
        { op: "bridgeadd", dev: br, group: 7, mtu: 1400, stp: true },
        // Root end on the bridge, its peer in nsD with its own MAC and MTU.
        {
          op: "vethadd",
          group: 7,
          a: { name: root, mtu: 1400, master: br },
          b: { name: "zv-p", ns: nsD, mtu: 1400, mac: "02:00:00:00:79:01" },
        },
        // Both ends in namespaces, one up at once.
        { op: "vethadd", group: 8, a: { name: "zv-d", ns: nsD, up: true }, b: { name: "zv-e", ns: nsE } },
        { op: "vethadd", group: 8, a: { name: "zv-d", ns: nsD }, b: { name: "zv-x", ns: nsE } },
        { op: "vethadd", group: 8, a: { name: "zv-y", ns: nsD, master: br }, b: { name: "zv-z" } },
        { op: "vethadd", group: 8, a: { name: "zv-y" }, b: { name: "zv-z", ns: "nope-ns" } },
      ]);
      try {
        ok(replies.slice(0, 4));
        expect(replies[4]).toMatchObject({ status: "err", errno: AGENT_ERRNO.EEXIST });
        expect(replies[5]).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
        expect(replies[6]).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENOENT });
        type L = {
          ifname: string;
          mtu: number;
          group: string;
          master?: string;
          address: string;
          flags: string[];
          linkinfo?: { info_data?: { stp_state?: number } };
        };
        const [b] = ipJson<L[]>("-d", "link", "show", "dev", br);
        expect(b).toMatchObject({ mtu: 1400, group: "7", linkinfo: { info_data: { stp_state: 1 } } });
        const [r] = ipJson<L[]>("link", "show", "dev", root);
        expect(r).toMatchObject({ mtu: 1400, group: "7", master: br });
        const [p] = ipJson<L[]>("-n", nsD, "link", "show", "dev", "zv-p");
        expect(p).toMatchObject({ mtu: 1400, group: "7", address: "02:00:00:00:79:01" });
        const [d] = ipJson<L[]>("-n", nsD, "link", "show", "dev", "zv-d");
        const [e] = ipJson<L[]>("-n", nsE, "link", "show", "dev", "zv-e");
        expect(d!.flags).toContain("UP");
        expect(e!.flags).not.toContain("UP");
        // Nothing half-made by the refused ones.
        expect(ip("-br", "link")).not.toContain("zv-z");
      } finally {
        for (const dev of [root, br]) if (ip("-br", "link").includes(dev)) run("ip", "link", "del", dev);
        run("ip", "-n", nsD, "link", "del", "zv-d");
      }
    });

    it("pingrun pings from inside namespaces, IPv4 and IPv6, and reports what does not answer", async () => {
      const replies = await agent.exec([
        { op: "pingadd", ns: nsD, source: "10.79.1.1", target: "10.79.1.2" },
        { op: "pingadd", ns: nsE, source: "10.79.1.2", target: "10.79.1.1" },
        { op: "pingadd", ns: nsD, source: "fd00:79:1::1", target: "fd00:79:1::2" },
        { op: "pingadd", ns: nsD, source: "10.79.1.1", target: "10.79.1.99" },
        { op: "pingrun", timeoutMs: 1500, retryMs: 300 },
      ]);
      ok(replies.slice(0, 4));
      const run5 = replies[4]!;
      expect(run5.status).toBe("ok");
      const rtts = (run5 as { data: number[] }).data;
      expect(rtts).toHaveLength(4);
      expect(rtts.slice(0, 3).every((v) => v >= 0)).toBe(true);
      expect(rtts[3]).toBe(-1);
      // Bad requests are refused before anything is sent.
      const bad = await agent.exec([
        { op: "pingadd", ns: nsD, source: "10.79.1.1", target: "fd00:79:1::2" },
        { op: "pingadd", ns: `${prefix}-missing`, source: "10.79.1.1", target: "10.79.1.2" },
        { op: "pingrun", timeoutMs: 500, retryMs: 100 },
      ]);
      expect(bad[0]).toMatchObject({ status: "err", errno: AGENT_ERRNO.EINVAL });
      expect(bad[2]).toMatchObject({ status: "err" });
      // The agent is fine afterwards, back in root.
      ok(await agent.exec([{ op: "dump" }]));
    });

    it("neighflush empties a namespace's neighbour cache", async () => {
      expect(run("ip", "netns", "exec", nsD, "ip", "neigh", "show")).toContain("10.79.1.2");
      const [, flushed] = await agent.exec([{ op: "ns", ns: nsD }, { op: "neighflush" }, { op: "root" }]);
      expect(flushed).toMatchObject({ status: "ok" });
      expect((flushed as { data: number }).data).toBeGreaterThanOrEqual(1);
      expect(run("ip", "netns", "exec", nsD, "ip", "neigh", "show").trim()).toBe("");
    });

    it("delown deletes a namespace only when its loopback carries the marker", async () => {
      const [wrong, right, again] = await agent.exec([
        { op: "delown", ns: nsD, marker: "nslab:someone-else" },
        { op: "delown", ns: nsD, marker },
        { op: "delown", ns: nsD, marker },
      ]);
      expect(wrong).toMatchObject({
        status: "err",
        errno: AGENT_ERRNO.EPERM,
        message: expect.stringContaining(`its loopback alias is "${marker}"`),
      });
      expect(right).toEqual({ status: "ok" });
      expect(again).toMatchObject({ status: "err", errno: AGENT_ERRNO.ENOENT });
      expect(netnsNames()).not.toContain(nsD);
      ok(await agent.exec([{ op: "delown", ns: nsE, marker }]));
      expect(netnsNames()).not.toContain(nsE);
    });

    it("a namespace file whose namespace went (a reboot where /run is a disk): mkns makes it anew, delown removes it", async () => {
      const dead = (ns: string) => {
        ip("netns", "add", ns);
        run("umount", `/run/netns/${ns}`); // the empty file stays, its namespace gone
        expect(statSync(`/run/netns/${ns}`).size).toBe(0);
      };
      const [again, gone] = [`${prefix}-again`, `${prefix}-gone`];
      dead(again);
      dead(gone);
      const [made, removed] = await agent.exec([
        { op: "mkns", ns: again, marker },
        { op: "delown", ns: gone, marker },
      ]);
      expect([made, removed]).toEqual([{ status: "ok" }, { status: "ok" }]);
      expect(netnsNames()).toContain(again);
      expect(netnsNames()).not.toContain(gone);
      // A live namespace again, marked as made now.
      expect(run("ip", "-n", again, "-j", "link", "show", "lo")).toContain(marker);
      // A live namespace of that name is still refused by mkns.
      const [twice] = await agent.exec([{ op: "mkns", ns: again, marker }]);
      expect(twice).toMatchObject({ status: "err", errno: AGENT_ERRNO.EEXIST });
      ok(await agent.exec([{ op: "delown", ns: again, marker }]));
    });
  });

  describe("node environments' files", () => {
    it("mkdir makes a directory with its parents, mode and owner; hostslink the /etc/netns link, once", async () => {
      const base = mkdtempSync(join(tmpdir(), "nsagent-fs-"));
      try {
        const deep = join(base, "fs", "n", "h1", "run", "lock");
        const file = join(base, "a-file");
        writeFileSync(file, "");
        // Labs' hosts files under the state's fs/: t's and other's are there.
        const hostsOf = (lab: string) => join(base, "fs", lab, "hosts");
        for (const lab of ["t", "other"]) {
          mkdirSync(join(base, "fs", lab), { recursive: true });
          writeFileSync(hostsOf(lab), "");
        }
        const replies = await agent.exec([
          { op: "mkdir", path: deep, mode: 0o1777 },
          { op: "mkdir", path: deep, mode: 0o1777, uid: 65534, gid: 65534 }, // again: fine
          { op: "mkdir", path: file, mode: 0o755 },
          { op: "mkdir", path: "relative/dir", mode: 0o755 },
          { op: "hostslink", dir: join(base, "etc", "ns1"), target: hostsOf("t") },
          { op: "hostslink", dir: join(base, "etc", "ns1"), target: hostsOf("t") },
          { op: "hostslink", dir: join(base, "etc", "ns1"), target: hostsOf("other") },
        ]);
        expect(replies.map((r) => (r.status === "err" ? r.errno : r.status))).toEqual([
          "ok",
          "ok",
          20, // ENOTDIR: a file is there
          AGENT_ERRNO.EINVAL,
          "ok",
          "ok",
          AGENT_ERRNO.EEXIST,
        ]);
        expect(replies[6]).toMatchObject({ message: expect.stringContaining("is not this lab's") });
        const st = statSync(deep);
        expect([st.isDirectory(), st.mode & 0o7777, st.uid, st.gid]).toEqual([true, 0o1777, 65534, 65534]);
        expect(statSync(join(base, "fs", "n")).mode & 0o777).toBe(0o755);
        expect(readlinkSync(join(base, "etc", "ns1", "hosts"))).toBe(hostsOf("t"));
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    });

    it("hostslink replaces only a link to a hosts file of the same fs/ where nothing is (a lab gone without down)", async () => {
      const base = mkdtempSync(join(tmpdir(), "nsagent-fs-"));
      try {
        const ours = join(base, "fs", "new", "hosts");
        mkdirSync(dirname(ours), { recursive: true });
        writeFileSync(ours, "");
        const etc = (ns: string) => join(base, "etc", ns);
        // What each namespace's entry links to before: a gone lab's hosts file (replaced); a file
        // there (another lab's, up); a gone file of another name, or outside fs/, or a relative link.
        const before: Record<string, string> = {
          gone: join(base, "fs", "old", "hosts"),
          there: ours.replace("/new/", "/up/"),
          otherName: join(base, "fs", "old", "resolv.conf"),
          outside: join(base, "elsewhere", "old", "hosts"),
          deeper: join(base, "fs", "old", "x", "hosts"),
          dots: `${base}/fs/../hosts`,
          relative: "old/hosts",
        };
        mkdirSync(join(base, "fs", "up"));
        writeFileSync(before.there!, "");
        for (const [ns, target] of Object.entries(before)) {
          mkdirSync(etc(ns), { recursive: true });
          symlinkSync(target, join(etc(ns), "hosts"));
        }
        const names = Object.keys(before);
        const replies = await agent.exec(
          names.map((ns) => ({ op: "hostslink", dir: etc(ns), target: ours })),
        );
        const result = Object.fromEntries(names.map((ns, i) => [ns, replies[i]!.status]));
        expect(result).toEqual({
          gone: "ok",
          there: "err",
          otherName: "err",
          outside: "err",
          deeper: "err",
          dots: "err",
          relative: "err",
        });
        for (const ns of names)
          expect(readlinkSync(join(etc(ns), "hosts"))).toBe(ns === "gone" ? ours : before[ns]);
        expect(readdirSync(etc("gone"))).toEqual(["hosts"]);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    });
  });

  describe("speed (printed, not asserted)", () => {
    it("creates, configures and deletes 200 namespaces", async () => {
      const count = 200;
      const names = Array.from({ length: count }, (_, i) => `${prefix}-s${i}`);
      const t0 = performance.now();
      ok(await agent.exec(names.map((ns) => ({ op: "mkns", ns, marker }) as AgentCommand)));
      const t1 = performance.now();
      const configure: AgentCommand[] = names.flatMap((ns, i) => [
        { op: "ns", ns },
        { op: "addr", dev: "lo", cidr: `10.99.${i >> 8}.${i & 255}/32` },
        { op: "up", dev: "lo" },
      ]);
      ok(await agent.exec(configure, { stopOnError: true }));
      const t2 = performance.now();
      ok(await agent.exec([{ op: "root" }, ...names.map((ns) => ({ op: "delns", ns }) as AgentCommand)]));
      const t3 = performance.now();
      expect(netnsNames().filter((name) => name.startsWith(`${prefix}-s`))).toEqual([]);

      // The same work through iproute2, one process per step, on a tenth of the namespaces.
      const few = names.slice(0, count / 10);
      const i0 = performance.now();
      few.forEach((ns, i) => {
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "addr", "add", `10.99.0.${i}/32`, "dev", "lo");
        run("ip", "-n", ns, "link", "set", "lo", "up");
      });
      const i1 = performance.now();
      for (const ns of few) run("ip", "netns", "del", ns);
      const i2 = performance.now();

      const ms = (n: number): string => `${n.toFixed(0)} ms`;
      console.log(
        [
          `nsagent, ${count} namespaces: mkns ${ms(t1 - t0)}, configure (ns+addr+up) ${ms(t2 - t1)}, ` +
            `delns ${ms(t3 - t2)}, total ${ms(t3 - t0)}`,
          `iproute2, ${few.length} namespaces: add+configure ${ms(i1 - i0)}, del ${ms(i2 - i1)} ` +
            `(≈ ${ms(((i2 - i0) * count) / few.length)} for ${count})`,
        ].join("\n"),
      );
    });
  });
});

/** Compare a dump with what `ip -j` reports for the same namespace. */
function expectDumpMatchesIp(dump: NsDump, ns: string): void {
  interface IpLink {
    ifindex: number;
    ifname: string;
    flags: string[];
    mtu: number;
    operstate: string;
    address?: string;
    ifalias?: string;
    linkinfo?: { info_kind?: string };
    addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
  }
  const links = ipJson<IpLink[]>("-n", ns, "-d", "link", "show");
  expect(
    dump.links.map((l) => [l.ifindex, l.name, l.mtu, l.mac, l.operstate, l.alias, l.up, l.kind]),
  ).toEqual(
    links.map((l) => [
      l.ifindex,
      l.ifname,
      l.mtu,
      l.address ?? null,
      l.operstate,
      l.ifalias ?? null,
      l.flags.includes("UP"),
      l.linkinfo?.info_kind ?? null,
    ]),
  );

  const addrs = ipJson<IpLink[]>("-n", ns, "addr", "show").flatMap((l) =>
    (l.addr_info ?? []).map(
      (a) => `${l.ifindex} ${a.family === "inet" ? 4 : 6} ${a.local}/${a.prefixlen} ${a.scope}`,
    ),
  );
  expect(dump.addrs.map((a) => `${a.ifindex} ${a.family} ${a.cidr} ${a.scope}`).sort()).toEqual(addrs.sort());

  interface IpRoute {
    dst: string;
    gateway?: string;
    dev?: string;
    metric?: number;
  }
  const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
  const routes = (["-4", "-6"] as const).flatMap((family) =>
    ipJson<IpRoute[]>("-n", ns, family, "route", "show", "table", "main").map((r) => {
      const all = family === "-4" ? "0.0.0.0/0" : "::/0";
      const dst =
        r.dst === "default" ? all : r.dst.includes("/") ? r.dst : `${r.dst}/${family === "-4" ? 32 : 128}`;
      return `${dst} via ${r.gateway ?? "-"} dev ${r.dev ? index.get(r.dev) : "-"} metric ${r.metric ?? "-"}`;
    }),
  );
  expect(
    dump.routes
      .map((r) => `${r.dst} via ${r.gateway ?? "-"} dev ${r.oif ?? "-"} metric ${r.metric ?? "-"}`)
      .sort(),
  ).toEqual(routes.sort());
}

describe("NsAgent process handling (fake agents, no root)", () => {
  /** A runner whose "agent" is a shell script. */
  const fake = (script: string): Runner => ({
    run: systemRunner.run,
    start: () => systemRunner.start(["sh", "-c", script]),
  });

  it("rejects start with E_COMMAND and the agent's stderr when it dies at once", async () => {
    const started = NsAgent.start({ runner: fake("read x; echo 'no netlink here' >&2; exit 3"), path: "/x" });
    await expect(started).rejects.toBeInstanceOf(CommandError);
    await expect(started).rejects.toMatchObject({
      code: "E_COMMAND",
      exitCode: 3,
      stderr: "no netlink here\n",
    });
  });

  it("rejects pending and later batches when the agent dies mid-batch", async () => {
    const agent = await NsAgent.start({
      runner: fake("read x; echo ok; read y; echo ok; echo 'agent crashed' >&2; kill -9 $$"),
      path: "/x",
    });
    const pending = agent.exec([{ op: "root" }, { op: "dump" }, { op: "root" }]);
    await expect(pending).rejects.toMatchObject({
      code: "E_COMMAND",
      signal: "SIGKILL",
      stderr: "agent crashed\n",
    });
    await expect(agent.exec([{ op: "root" }])).rejects.toBeInstanceOf(NslabError);
    await agent.close();
  });

  it("fails on a reply it cannot parse and kills the agent", async () => {
    const agent = await NsAgent.start({
      runner: fake("read x; echo ok; read y; echo bogus; exec sleep 30"),
      path: "/x",
    });
    await expect(agent.exec([{ op: "root" }])).rejects.toThrow(/protocol error/);
    await agent.close();
  });

  it("refuses unframeable fields before writing anything, and works after close is awaited", async () => {
    const agent = await NsAgent.start({ runner: fake("while read l; do echo ok; done"), path: "/x" });
    await expect(agent.exec([{ op: "root" }, { op: "ns", ns: "a\tb" }])).rejects.toBeInstanceOf(TypeError);
    expect(await agent.exec([{ op: "root" }, { op: "dump" }])).toEqual([{ status: "ok" }, { status: "ok" }]);
    await agent.close();
    await agent.close();
    await expect(agent.exec([{ op: "root" }])).rejects.toMatchObject({ code: "E_COMMAND" });
  });

  it("asks an agent of its own for the nftables tables, and says nothing when it cannot", async () => {
    const answering = (reply: string): Runner =>
      fake(
        `read x; echo ok; read a; read b; echo ok; printf '%s\\n' '${reply}'; while read l; do echo ok; done`,
      );
    expect(await nftTablesOfOwnAgent(answering('ok\t[["inet","t1"],["ip","nat"]]'))).toEqual([
      { family: "inet", name: "t1" },
      { family: "ip", name: "nat" },
    ]);
    expect(await nftTablesOfOwnAgent(answering("ok\t[]"))).toEqual([]);
    // Refused (no netfilter here), or an agent that cannot start: undefined, and nft is run instead.
    expect(
      await nftTablesOfOwnAgent(answering("err\t93\tnfnetlink: protocol not supported")),
    ).toBeUndefined();
    expect(await nftTablesOfOwnAgent(fake("read x; exit 3"))).toBeUndefined();
  });

  it("reads a reply line that comes in pieces, a character split between them", async () => {
    // "été": its é is two bytes (\303\251); the first piece ends between them, the second in the
    // middle of the next line.
    const agent = await NsAgent.start({
      runner: fake(
        `read x; echo ok; read a; read b; printf 'ok\\t["\\303'; sleep 0.1; printf '\\251t\\303\\251"]\\nok\\t[1'; sleep 0.1; printf ',2]\\n'; while read l; do echo ok; done`,
      ),
      path: "/x",
    });
    expect(
      await agent.exec([
        { op: "nsdumpc", ns: "n1" },
        { op: "nsdumpc", ns: "n2" },
      ]),
    ).toEqual([
      { status: "ok", data: ["été"] },
      { status: "ok", data: [1, 2] },
    ]);
    await agent.close();
  });

  it("hands each reply on as it comes (onReply), and dumpWith each namespace read", async () => {
    // Answers the first request at once and the second only after its third line came.
    const agent = await NsAgent.start({
      runner: fake(
        `read x; echo ok; read a; echo 'ok\t[[],[],[]]'; read b; read c; echo 'err\t2\tsetns x: gone'; echo 'ok\t[[[1,"lo",null,73,0,65536,null,null,0,null,null,null,0,0,0,0,0,0,0,0]],[],[]]'; while read l; do echo ok; done`,
      ),
      path: "/x",
    });
    const seen: [number, string][] = [];
    const replies = await agent.exec(
      [
        { op: "nsdumpc", ns: "n1" },
        { op: "nsdumpc", ns: "n2" },
        { op: "nsdumpc", ns: "n3" },
      ],
      { onReply: (i, r) => seen.push([i, r.status]) },
    );
    expect(seen).toEqual([
      [0, "ok"],
      [1, "err"],
      [2, "ok"],
    ]);
    expect(replies.map((r) => r.status)).toEqual(["ok", "err", "ok"]);
    const early: string[] = [];
    const again = await NsAgent.start({
      runner: fake(
        `read x; echo ok; read a; read b; echo 'ok\t[[],[],[]]'; echo 'err\t2\tgone'; while read l; do echo ok; done`,
      ),
      path: "/x",
    });
    const read = await dumpWith(again, ["n1", "n2"], (ns, d) => early.push(`${ns}:${d.length}`));
    expect(early).toEqual(["n1:3"]);
    expect(read.get("n1")).toEqual([[], [], []]);
    expect(read.get("n2")).toBeInstanceOf(Error);
    await Promise.all([agent.close(), again.close()]);
  });

  it("reports a missing binary as E_ENV", async () => {
    await expect(NsAgent.start({ path: "/nonexistent/nsagent" })).rejects.toMatchObject({ code: "E_ENV" });
  });
});
