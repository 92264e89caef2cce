// The nsagent wire protocol: request lines, reply parsing and the dump outline (no root, no I/O).
import { describe, expect, it } from "vitest";
import {
  asCompactDump,
  fromCompactDump,
  operstateOf,
  toCompactDump,
} from "../../src/drivers/nsagent/compact.js";
import {
  AGENT_ERRNO,
  type AgentCommand,
  parseReply,
  serializeCommand,
  serializeCommands,
} from "../../src/drivers/nsagent/protocol.js";
import { asLinkAliases, asNsDump } from "../../src/drivers/nsagent/reply-data.js";

describe("serializeCommand", () => {
  const cases: Array<[AgentCommand, string]> = [
    [{ op: "root" }, "root\n"],
    [{ op: "sysaliases" }, "sysaliases\n"],
    [{ op: "ns", ns: "lab-r1" }, "ns\tlab-r1\n"],
    [{ op: "mkns", ns: "lab-r1", marker: "nslab:lab:r1 v1" }, "mkns\tlab-r1\tnslab:lab:r1 v1\n"],
    [{ op: "delns", ns: "lab-r1" }, "delns\tlab-r1\n"],
    [{ op: "up", dev: "eth0" }, "up\teth0\n"],
    [{ op: "down", dev: "eth0" }, "down\teth0\n"],
    [{ op: "alias", dev: "eth0", alias: "to r2 eth1" }, "alias\teth0\tto r2 eth1\n"],
    [{ op: "alias", dev: "eth0", alias: "" }, "alias\teth0\t\n"],
    [{ op: "mtu", dev: "eth0", mtu: 9000 }, "mtu\teth0\t9000\n"],
    [{ op: "mac", dev: "eth0", mac: "02:00:00:00:00:01" }, "mac\teth0\t02:00:00:00:00:01\n"],
    [{ op: "addr", dev: "eth0", cidr: "10.1.1.2/24" }, "addr\teth0\t10.1.1.2/24\n"],
    [{ op: "deladdr", dev: "eth0", cidr: "fd00::2/64" }, "deladdr\teth0\tfd00::2/64\n"],
    [{ op: "route", dst: "0.0.0.0/0", via: "10.1.1.1" }, "route\t0.0.0.0/0\t10.1.1.1\t-\t-\n"],
    [{ op: "route", dst: "10.2.0.0/16", dev: "eth0", metric: 0 }, "route\t10.2.0.0/16\t-\teth0\t0\n"],
    [
      { op: "delroute", dst: "::/0", via: "fd00::1", dev: "eth0", metric: 1024 },
      "delroute\t::/0\tfd00::1\teth0\t1024\n",
    ],
    [{ op: "dellink", dev: "eth0" }, "dellink\teth0\n"],
    [{ op: "delgroup", group: 1845493761 }, "delgroup\t1845493761\n"],
    [
      { op: "vethadd", group: 7, a: { name: "veth0", ns: "ns1", up: true }, b: { name: "veth1", ns: "ns2" } },
      "vethadd\t7\tveth0\tns1\t-\t-\t-\t1\tveth1\tns2\t-\t-\t-\t0\n",
    ],
    [
      {
        op: "vethadd",
        group: 7,
        a: { name: "br-veth0", mtu: 9000, master: "br0" },
        b: { name: "veth0", ns: "ns1", mac: "02:00:00:00:00:01" },
      },
      "vethadd\t7\tbr-veth0\t-\t9000\t-\tbr0\t0\tveth0\tns1\t-\t02:00:00:00:00:01\t-\t0\n",
    ],
    [{ op: "bridgeadd", dev: "br0", group: 7, stp: false }, "bridgeadd\tbr0\t7\t-\t0\n"],
    [{ op: "bridgeadd", dev: "br0", group: 7, mtu: 1400, stp: true }, "bridgeadd\tbr0\t7\t1400\t1\n"],
    [
      { op: "linkset", dev: "br-veth0", alias: "nslab:lab", master: "br0" },
      "linkset\tbr-veth0\tnslab:lab\tbr0\n",
    ],
    [{ op: "linkset", dev: "br0", alias: "nslab:lab" }, "linkset\tbr0\tnslab:lab\t-\n"],
    [{ op: "grouplinks", group: 7 }, "grouplinks\t7\n"],
    [{ op: "nfttables" }, "nfttables\n"],
    [{ op: "sysctl", key: "net.ipv4.ip_forward", value: "1" }, "sysctl\tnet.ipv4.ip_forward\t1\n"],
    [
      { op: "sysctl", key: "net/ipv4/conf/eth0.10/forwarding", value: "1" },
      "sysctl\tnet/ipv4/conf/eth0.10/forwarding\t1\n",
    ],
    [{ op: "txoff", dev: "eth0" }, "txoff\teth0\n"],
    [{ op: "dump" }, "dump\n"],
    [{ op: "getlink", dev: "lo" }, "getlink\tlo\n"],
    [{ op: "delown", ns: "lab-r1", marker: "nslab:lab" }, "delown\tlab-r1\tnslab:lab\n"],
    [
      { op: "pingadd", ns: "lab-h1", source: "10.0.0.1", target: "10.0.0.2" },
      "pingadd\tlab-h1\t10.0.0.1\t10.0.0.2\n",
    ],
    [{ op: "pingadd", ns: "h1", source: "fd00::1", target: "fd00::2" }, "pingadd\th1\tfd00::1\tfd00::2\n"],
    [{ op: "pingrun", timeoutMs: 1000, retryMs: 200 }, "pingrun\t1000\t200\n"],
    [{ op: "neighflush" }, "neighflush\n"],
  ];

  it.each(cases)("%j", (cmd, line) => {
    expect(serializeCommand(cmd)).toBe(line);
  });

  it("joins a batch into consecutive lines", () => {
    expect(serializeCommands([{ op: "ns", ns: "a" }, { op: "up", dev: "lo" }, { op: "dump" }])).toBe(
      "ns\ta\nup\tlo\ndump\n",
    );
    expect(serializeCommands([])).toBe("");
  });

  it.each([
    ["a TAB in a name", { op: "ns", ns: "a\tb" }],
    ["a newline in a name", { op: "up", dev: "eth0\n" }],
    ["a carriage return in an alias", { op: "alias", dev: "eth0", alias: "x\ry" }],
    ["a NUL in a sysctl value", { op: "sysctl", key: "net.ipv4.ip_forward", value: "1\0" }],
    ["a newline in a marker", { op: "mkns", ns: "a", marker: "m\nup\teth0" }],
    ["a TAB in a route gateway", { op: "route", dst: "0.0.0.0/0", via: "10.0.0.1\t" }],
    ["a '-' gateway (reads as absent)", { op: "route", dst: "0.0.0.0/0", via: "-" }],
    ["a TAB in a ping target", { op: "pingadd", ns: "h1", source: "10.0.0.1", target: "10.0.0.2\t" }],
    ["a negative ping timeout", { op: "pingrun", timeoutMs: -1, retryMs: 100 }],
    ["a fractional retry interval", { op: "pingrun", timeoutMs: 1000, retryMs: 0.5 }],
    ["a '-' device", { op: "delroute", dst: "10.0.0.0/8", dev: "-" }],
    ["a fractional MTU", { op: "mtu", dev: "eth0", mtu: 1500.5 }],
    ["a negative MTU", { op: "mtu", dev: "eth0", mtu: -1 }],
    ["a metric above 2^32-1", { op: "route", dst: "10.0.0.0/8", dev: "eth0", metric: 2 ** 32 }],
    ["a NaN metric", { op: "route", dst: "10.0.0.0/8", dev: "eth0", metric: Number.NaN }],
  ] as Array<[string, AgentCommand]>)("throws TypeError for %s", (_what, cmd) => {
    expect(() => serializeCommand(cmd)).toThrow(TypeError);
  });

  it("throws for the whole batch before producing any line", () => {
    expect(() => serializeCommands([{ op: "root" }, { op: "ns", ns: "x\ty" }])).toThrow(TypeError);
  });
});

describe("parseReply", () => {
  it("parses ok, skip and err", () => {
    expect(parseReply("ok")).toEqual({ status: "ok" });
    expect(parseReply("skip")).toEqual({ status: "skip" });
    expect(parseReply("err\t17\tRTNETLINK answers: File exists")).toEqual({
      status: "err",
      errno: 17,
      message: "RTNETLINK answers: File exists",
    });
    expect(parseReply("err\t0\t")).toEqual({ status: "err", errno: 0, message: "" });
  });

  it("keeps everything after the errno as the message", () => {
    expect(parseReply("err\t22\tunknown command: a\tb")).toEqual({
      status: "err",
      errno: 22,
      message: "unknown command: a\tb",
    });
  });

  it("parses the JSON of an ok reply", () => {
    expect(parseReply('ok\t{"links":[],"addrs":[],"routes":[{"dst":"0.0.0.0/0"}]}')).toEqual({
      status: "ok",
      data: { links: [], addrs: [], routes: [{ dst: "0.0.0.0/0" }] },
    });
    expect(parseReply('ok\t{"alias":"tab\\there \\"q\\" \\u0001"}')).toEqual({
      status: "ok",
      data: { alias: 'tab\there "q" \u0001' },
    });
  });

  it.each([
    "",
    "OK",
    "ok ",
    "okay",
    "ok\t{broken",
    "err",
    "err\t",
    "err\t17",
    "err\tx\tmessage",
    "err\t-1\tmessage",
    "err\t1.5\tmessage",
    "skip\t1",
  ])("rejects %j", (line) => {
    expect(() => parseReply(line)).toThrow(TypeError);
  });
});

describe("asLinkAliases", () => {
  it("reads [name, alias] pairs into a map", () => {
    const m = asLinkAliases([
      ["s1", "nslab:lab"],
      ["eth9", 'a "b" c'],
    ]);
    expect([...m]).toEqual([
      ["s1", "nslab:lab"],
      ["eth9", 'a "b" c'],
    ]);
  });
  it.each([[null], [{}], [[["s1"]]], [[["s1", 2]]], [[[1, "x"]]]])("refuses %j", (data) => {
    expect(() => asLinkAliases(data)).toThrow(TypeError);
  });
});

describe("asNsDump", () => {
  it("accepts the dump outline", () => {
    const dump = { links: [], addrs: [], routes: [] };
    expect(asNsDump(dump)).toBe(dump);
  });

  it.each([null, 1, "x", [], { links: [], addrs: [] }, { links: {}, addrs: [], routes: [] }])(
    "rejects %j",
    (data) => {
      expect(() => asNsDump(data)).toThrow(TypeError);
    },
  );
});

describe("fromCompactDump", () => {
  it("reads the compact form into the dump's objects, field by field", () => {
    const line =
      'ok\t[[[1,"lo",null,73,0,65536,"00:00:00:00:00:00","nslab:l1",0,null,null,null,10,11,12,13,0,0,1,2],' +
      '[2,"eth0","veth",4099,2,1500,"aa:bb:cc:dd:ee:ff",null,7,3,9,0,1,2,3,4,5,6,7,8]],' +
      '[[1,4,"127.0.0.1/8",254],[2,4,"10.0.0.1/24",0],[2,6,"fe80::1/64",253],[2,6,"2001:db8::1/64",200]],' +
      '[[4,"0.0.0.0/0","10.0.0.254",2,100,4,0,254],[4,"10.0.0.0/24",null,2,null,2,253,254]]]';
    const reply = parseReply(line);
    expect(reply.status).toBe("ok");
    const d = fromCompactDump(reply.status === "ok" ? reply.data : undefined);
    expect(d.links).toEqual([
      {
        ifindex: 1,
        name: "lo",
        kind: null,
        flags: 73,
        up: true,
        lowerUp: false,
        operstate: "UNKNOWN",
        mtu: 65536,
        mac: "00:00:00:00:00:00",
        alias: "nslab:l1",
        group: 0,
        master: null,
        link: null,
        linkNetnsid: null,
        stats: {
          rxBytes: 10,
          txBytes: 11,
          rxPackets: 12,
          txPackets: 13,
          rxErrors: 0,
          txErrors: 0,
          rxDropped: 1,
          txDropped: 2,
        },
      },
      {
        ifindex: 2,
        name: "eth0",
        kind: "veth",
        flags: 4099,
        up: true,
        lowerUp: false,
        operstate: "DOWN",
        mtu: 1500,
        mac: "aa:bb:cc:dd:ee:ff",
        alias: null,
        group: 7,
        master: 3,
        link: 9,
        linkNetnsid: 0,
        stats: {
          rxBytes: 1,
          txBytes: 2,
          rxPackets: 3,
          txPackets: 4,
          rxErrors: 5,
          txErrors: 6,
          rxDropped: 7,
          txDropped: 8,
        },
      },
    ]);
    expect(d.addrs).toEqual([
      { ifindex: 1, family: 4, cidr: "127.0.0.1/8", scope: "host" },
      { ifindex: 2, family: 4, cidr: "10.0.0.1/24", scope: "global" },
      { ifindex: 2, family: 6, cidr: "fe80::1/64", scope: "link" },
      { ifindex: 2, family: 6, cidr: "2001:db8::1/64", scope: 200 },
    ]);
    expect(d.routes).toEqual([
      {
        family: 4,
        dst: "0.0.0.0/0",
        gateway: "10.0.0.254",
        oif: 2,
        metric: 100,
        protocol: 4,
        scope: 0,
        table: 254,
      },
      {
        family: 4,
        dst: "10.0.0.0/24",
        gateway: null,
        oif: 2,
        metric: null,
        protocol: 2,
        scope: 253,
        table: 254,
      },
    ]);
  });

  it("reads the carrier from the flags (IFF_LOWER_UP) and an unknown operstate as UNKNOWN", () => {
    const [l] = fromCompactDump([
      [[3, "e", "veth", 65537, 9, 1500, null, null, 0, null, null, null, 0, 0, 0, 0, 0, 0, 0, 0]],
      [],
      [],
    ]).links;
    expect(l).toMatchObject({ up: true, lowerUp: true, operstate: "UNKNOWN", mac: null });
  });

  it.each([null, {}, [], [[], []], [[], [], {}], { links: [], addrs: [], routes: [] }])(
    "rejects %j",
    (data) => {
      expect(() => fromCompactDump(data)).toThrow(TypeError);
      expect(() => asCompactDump(data)).toThrow(TypeError);
    },
  );

  it("toCompactDump gives back the compact form of what an older agent or iproute2 answered", () => {
    const compact = [
      [
        [
          1,
          "lo",
          null,
          73,
          0,
          65536,
          "00:00:00:00:00:00",
          "nslab:l1",
          0,
          null,
          null,
          null,
          10,
          11,
          12,
          13,
          0,
          0,
          1,
          2,
        ],
        [2, "eth0", "veth", 69699, 6, 1500, "aa:bb:cc:dd:ee:ff", null, 7, 3, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8],
      ],
      [
        [1, 4, "127.0.0.1/8", 254],
        [2, 6, "fe80::1/64", 253],
        [2, 4, "10.0.0.1/24", 0],
        [2, 6, "2001:db8::1/64", 200],
      ],
      [[4, "0.0.0.0/0", "10.0.0.254", 2, 100, 4, 0, 254]],
    ];
    expect(toCompactDump(fromCompactDump(compact))).toEqual(compact);
    expect(operstateOf(6)).toBe("UP");
    expect(operstateOf(42)).toBe("UNKNOWN");
  });
});

describe("AGENT_ERRNO", () => {
  it("has the Linux errno numbers", () => {
    expect(AGENT_ERRNO).toMatchObject({ ENOENT: 2, EEXIST: 17, ENODEV: 19, EINVAL: 22 });
  });
});
